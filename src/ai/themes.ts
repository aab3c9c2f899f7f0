// Themes: Dialpad's own categorisation first (recap purposes, then transcript moments), then salient
// phrases from the caller's words and the recap summary. Ranking and dedupe rules are in README.md.
import { winkTagger } from './nlp';
import { withoutFeelingIdioms } from './sentiment';
import { CALLBACK_REQUEST, FILLER_WORDS, NOT_NAMES, SIGNAL_THEMES } from './themes-lexicon';
import type { PhraseExtractor } from './themes-phrases';
import type { TopicReading } from './topics-learned';
import { capitalise, isThemeOnItsOwn, MAX_PHRASE_WORDS, winkPhrases } from './themes-phrases';
import { lowerCaseWords, normaliseText, stem, STOP_WORDS, tokenize } from './text';

export type { Phrase, PhraseExtractor } from './themes-phrases';
export { nounPhrases, salientPhrases, stopWordRunPhrases, winkPhrases } from './themes-phrases';
export { FILLER_WORDS } from './themes-lexicon';

export const MAX_THEMES = 5;

export interface ThemeSources {
  purposes: readonly string[];
  /** Moment labels in call order, as Dialpad sent them ("late_delivery"). */
  moments: readonly string[];
  /** Summary sentences, then caller utterances: the summary is the more topical text, so it wins ties. */
  texts: readonly string[];
  /**
   * How many of `texts`, from the start, are the recap (summary and outcome): a recap names the topic
   * in a few words, so its words count double against a caller's chat.
   */
  recapCount?: number;
  /** Lower-cased names of people and companies on the call, never themes (see namesOnCall in derive.ts). */
  names?: ReadonlySet<string>;
  /** The agent's lines: agents name the topic ("I'll refund the whole box"), but chat more, so a quarter weight. */
  agentTexts?: readonly string[];
  /** Churn signals found on the call; a cancellation or a chargeback is what a call is filed under. */
  churnSignals?: readonly string[];
  /** Learned topics the model is sure enough of (topics-learned.ts), likeliest first. */
  topics?: readonly TopicReading[];
}

export interface ThemeAssessment {
  themes: string[];
  explanation: string;
}

function singularHead(label: string): string {
  return label.replace(/(\p{L}{2,})ies$/u, (word, root: string) =>
    /^(?:ser|spec|mov|cook|smooth|hipp|rook|zomb|pix|calor|goal|auss|bik|cut|eer|nov)$/i.test(root) ? word : `${root}y`,
  );
}

/**
 * A theme's last word in the plural when the call says it in the plural ("Exam fee" → "Exam fees" when the
 * parent asked why the fees went up): the words the call used, and a plural still contains its singular.
 * Only regular plurals ("-s", "-es"): "delivery" → "deliveries" would no longer contain "delivery".
 */
function pluralAsSpoken(theme: string, spoken: string, names: ReadonlySet<string>): string {
  const m = /(?<=^|\s)(\p{Ll}{3,}|\p{Lu}\p{Ll}{2,})$/u.exec(theme);
  if (!m) return theme;
  const word = m[1]!.toLowerCase();
  if (/(?:s|[^aeiou]y|f|fe)$/.test(word)) return theme;
  const plural = /(?:x|z|ch|sh)$/.test(word) ? `${word}es` : `${word}s`;
  // Never into a name on the call ("Coffee roaster" stays, when the supplier is "Hill Coffee Roasters").
  if (names.has(plural)) return theme;
  // The word is letters only (matched above), so it is safe inside a pattern.
  if (!new RegExp(`\\b${plural}\\b`).test(spoken)) return theme;
  return theme.slice(0, m.index) + m[1] + plural.slice(word.length);
}

/** Words that say which one of a kind, not what kind: "current", "recent", "usual". */
const WHICH_ONE =
  /^(?:current|recent|previous|original|usual|regular|routine|annual|yearly|exclusive|custom|new|old|existing|latest|last|next|same|other|whole|full|main|extra|additional|first|second|final)$/;
/** Words for a state, not a kind: spliced into a theme that already says which one, they contradict it. */
const STATE_WORDS: ReadonlySet<string> = new Set(
  'hot cold warm wrong correct right old new big small good bad late early broken working full empty'.split(' '),
);

/**
 * A plural the call uses for its topic, when the themes have the word only as a modifier: after "Fee
 * increase" (a person files it under the fees), "fees" is a theme of its own ("Fees"), as the caller said
 * it; a modifier cannot take the plural ("Fees increase"). Only when the call says the plural at least as
 * often as the singular, and no theme holds the plural already ("Records request").
 */
function pluralTopic(word: string, chosen: ReadonlyArray<{ theme: string }>, spoken: string): boolean {
  const lower = word.toLowerCase();
  if (!/^\p{Ll}{3,}[^s]s$/u.test(lower) || !isThemeOnItsOwn(lower)) return false;
  if (chosen.some((c) => c.theme.toLowerCase().includes(lower))) return false;
  // Letters only (matched above), so safe inside a pattern.
  const count = (w: string) => (spoken.match(new RegExp(`\\b${w}\\b`, 'g')) ?? []).length;
  const singular = /(?:x|z|ch|sh|ss)es$/.test(lower) ? lower.slice(0, -2) : lower.slice(0, -1);
  if (count(lower) < Math.max(1, count(singular))) return false;
  const s = stem(lower);
  let modifierOnly = false;
  for (const c of chosen) {
    const ws = c.theme.toLowerCase().split(/\s+/);
    const at = ws.findIndex((w) => stem(w) === s);
    if (at < 0) continue;
    if (at === ws.length - 1) return false;
    modifierOnly = true;
  }
  return modifierOnly;
}

/**
 * A label as a theme: a slug ("late_delivery", "late-delivery") becomes words; a label already written as
 * words keeps its hyphens ("No-show fee", "Check-up booking"), which are part of the word.
 */
export function humaniseLabel(label: string): string {
  const slug = !/\s/.test(label.trim());
  const words = normaliseText(label.replace(slug ? /[_-]+/g : /_+/g, ' ')).toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function deriveThemes(sources: ThemeSources, extract: PhraseExtractor = winkPhrases): ThemeAssessment {
  const chosen: Array<{ theme: string; stems: Set<string>; from: string }> = [];
  /** Themes that take a slot only once the call's own topics are in. */
  const later: Array<[string, string]> = [];
  const keyOf = (stems: Set<string>) => [...stems].sort().join(' ');
  const stemsOf = (s: string) => new Set(tokenize(s).map((t) => stem(t.lower)));
  const take = (theme: string, from: string): void => {
    // A money amount's currency is no theme ("US$" of "US$480", "R" of "R250").
    if (chosen.length >= MAX_THEMES || /[$€£¥₹]/u.test(theme)) return;
    const stems = stemsOf(theme);
    if (stems.size === 0) return;
    const key = keyOf(stems);
    if (chosen.some((c) => keyOf(c.stems) === key)) return;
    chosen.push({ theme, stems, from });
  };

  // A purpose is filed in the singular, as phrases are ("Late deliveries" → "Late delivery"); only the
  // unambiguous -ies plural is folded ("glasses", "hours" stay).
  // A purpose that names no topic ("General enquiry", "Follow up", "Feedback") is kept for a slot the
  // call's own words leave free.
  // A purpose that is only a courtesy ("Thank-you") gives nothing to file under.
  const generic = (p: string) => tokenize(p).every((t) => GENERIC_PURPOSE_WORDS.has(t.lower));
  const asTheme = (p: string) => singularHead(humaniseLabel(p));
  const courtesy = (p: string) => tokenize(asTheme(p)).every((t) => COURTESY_WORDS.has(t.lower));
  for (const p of sources.purposes) if (!generic(p) && !courtesy(p)) take(asTheme(p), 'purpose');

  const momentCounts = new Map<string, { count: number; first: number }>();
  sources.moments.forEach((m, i) => {
    const label = humaniseLabel(m);
    if (label === '') return;
    const entry = momentCounts.get(label) ?? { count: 0, first: i };
    entry.count += 1;
    momentCounts.set(label, entry);
  });
  const moments = [...momentCounts.entries()].sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first);
  for (const [label] of moments) take(label, 'moment');
  for (const signal of sources.churnSignals ?? []) {
    const theme = SIGNAL_THEMES[signal];
    // "Cancellation" after the purpose "Cancellation request" adds nothing.
    if (theme && !chosen.some((c) => [...stemsOf(theme)].every((w) => c.stems.has(w)))) {
      // A competitor is named on many calls but is seldom what the call is filed under: it waits for a free
      // slot, as a generic purpose does.
      if (signal === 'competitor') later.push([theme, 'churn signal']);
      else take(theme, 'churn signal');
    }
  }

  // A phrase that repeats a theme already taken keeps only its new words, if they are at one end:
  // after "Appointment confirmation", "boiler service appointment" adds "Boiler service".
  const recapCount = sources.recapCount ?? 0;
  // A caller asking to be called back ("give me a ring back", "could someone call me") has filed the
  // call under that themselves; an agent promising a call back has not.
  if (sources.texts.slice(recapCount).some((t) => CALLBACK_REQUEST.test(t)))
    later.push(['Callback request', 'request']);
  const weighted = [
    ...sources.texts.map((text, i) => ({
      text: withoutFeelingIdioms(text),
      weight: i < recapCount ? 2 : 1,
      source: i < recapCount ? 'recap' : 'caller',
    })),
    ...(sources.agentTexts ?? []).map((text) => ({ text: withoutFeelingIdioms(text), weight: 0.25, source: 'agent' })),
  ];
  const spoken = [...sources.texts, ...(sources.agentTexts ?? [])].join(' ').toLowerCase();
  for (const p of extract(weighted, sources.names ?? new Set())) {
    const written = p.phrase.split(' ');
    const words = written.map((w) => w.toLowerCase());
    const covered = (w: string) => chosen.some((c) => c.stems.has(stem(w)));
    if (words.length === 1 && pluralTopic(written[0] ?? '', chosen, spoken)) {
      take(capitalise(written[0] ?? ''), `phrase (score ${p.score})`);
      continue;
    }
    let start = 0;
    let end = words.length;
    while (start < end && covered(words[start] ?? '')) start += 1;
    while (end > start && covered(words[end - 1] ?? '')) end -= 1;
    const rest = words.slice(start, end);
    // Cutting the head noun off would leave a modifier ("boiler" of "boiler service" after the purpose
    // "Missed service"): the modifier says which one, so the phrase is kept whole ("Boiler service").
    const headCut = end < words.length;
    if (rest.length === 1 && headCut && isThemeOnItsOwn(rest[0] ?? '') && !rest.some(covered)) {
      // ... and said inside the theme that already names its head: "Missed service" becomes "Missed
      // boiler service", "Order cancellation" "Brochure order cancellation", without taking a slot.
      const head = stem(words[end] ?? '');
      const into = chosen.find((c) => c.stems.has(head) && c.theme.split(' ').length < MAX_PHRASE_WORDS + 1);
      if (into) {
        const parts = into.theme.split(' ');
        const at = parts.findIndex((w) => stem(w.toLowerCase()) === head);
        // Not a second form of a word the theme has ("young" into "Younger sister", "younger" into "Young
        // sister").
        const modifierLower = (written[start] ?? '').toLowerCase();
        const said = parts.some((w) => {
          const part = w.toLowerCase();
          return part.startsWith(modifierLower) || (part.length >= 3 && modifierLower.startsWith(part));
        });
        if (said) continue;
        // Nor a state word into a theme that already has a word before the same head: "correct" into "Wrong
        // colour", "cold" into "Hot air conditioner" (tune42) would contradict it, not say which one.
        // Nor a word that says which one between a noun and the head that noun already qualifies: "Host family
        // complaint" is not made "Host current family complaint" (tune45). Other words still go in ("Missed
        // boiler service"): blocking them all cost 0.15 points of recall (tune46's round).
        const before = at > 0 ? (parts[at - 1] ?? '').toLowerCase() : '';
        const compound =
          before !== '' && !/(?:ed|ing)$/.test(before) && !STATE_WORDS.has(before) && WHICH_ONE.test(modifierLower);
        if (at >= 0 && !(at > 0 && (STATE_WORDS.has(modifierLower) || compound))) {
          // The phrase came capitalised ("Boiler service"); an acronym ("VAT") stays as written.
          const first = written[start] ?? '';
          const modifier = /^\p{Lu}{2,}/u.test(first) ? first : first.toLowerCase();
          parts.splice(at, 0, at === 0 ? capitalise(modifier) : modifier);
          if (at === 0) parts[1] = (parts[1] ?? '').replace(/^\p{Lu}(?=\p{Ll})/u, (ch) => ch.toLowerCase());
          into.theme = parts.join(' ');
          into.stems.add(stem(words[start] ?? ''));
          continue;
        }
      }
    }
    // A new head after a covered modifier is a different thing: after "Water damage", "water heater" is
    // filed whole, not as "Heater".
    if (
      start === 1 &&
      words.length === 2 &&
      rest.length === 1 &&
      isThemeOnItsOwn(rest[0] ?? '') &&
      !rest.some(covered)
    ) {
      take(capitalise(written.slice(0, end).join(' ')), `phrase (score ${p.score})`);
      continue;
    }
    if (
      rest.length === 0 ||
      rest.some(covered) ||
      (rest.length === 1 && (headCut || !isThemeOnItsOwn(rest[0] ?? '')))
    ) {
      continue;
    }
    // Shown as written, so an acronym stays one ("VAT", not "Vat").
    const phrase = capitalise(written.slice(start, end).join(' '));
    // One word left of a phrase whose other words a theme already holds ("Starting" of "payment plan
    // starting" after "Payment plan request") was what a reader filed the call under for 2 % of such words in
    // the top five over the tuning sets, against 6-49 % for one word said as a phrase of its own; and
    // "Voicemail", "Answerphone" say how the call went, not what it was about. Both wait for a slot the
    // call's other topics leave free.
    const oneWordLeft = rest.length === 1 && (start > 0 || end < words.length);
    if (oneWordLeft || CALL_KINDS.has(phrase.toLowerCase())) later.push([phrase, `phrase (score ${p.score})`]);
    else take(phrase, `phrase (score ${p.score})`);
  }

  for (const p of sources.purposes) if (generic(p)) take(asTheme(p), 'purpose');
  for (const [theme, from] of later) take(theme, from);
  // The likeliest learned topic no theme names ("Delivery" for a late van and a cold dinner): into a free
  // slot, or in place of the last phrase, request or signal (never a purpose or a moment).
  const words = chosen.flatMap((c) => c.theme.toLowerCase().split(/[\s-]+/));
  const topic = (sources.topics ?? []).find((t) => {
    const said = tokenize(t.topic).map((w) => w.lower);
    const named = said.every((w) => words.some((x) => x.includes(stem(w))));
    // Never a name on the call ("Linen" of "CleanTex Linen"), as no phrase is.
    return !named && !said.some((w) => sources.names?.has(w)) && isThemeWorthFiling(t.topic);
  });
  if (topic) {
    const last = chosen.map((c) => !/^(?:purpose|moment)/.test(c.from)).lastIndexOf(true);
    if (chosen.length >= MAX_THEMES && last >= 0) chosen.splice(last, 1);
    take(capitalise(topic.topic), `topic (p ${topic.probability}, from ${topic.evidence.join(', ')})`);
  }
  const themes = chosen.map((c) => pluralAsSpoken(c.theme, spoken, sources.names ?? new Set()));
  const from = (prefix: string) =>
    chosen
      .filter((c) => c.from.startsWith(prefix))
      .map((c) =>
        prefix === 'phrase' || prefix === 'topic' ? `${c.theme} ${c.from.slice(prefix.length + 1)}` : c.theme,
      );
  const parts = (
    [
      ['purposes', from('purpose')],
      ['moments', from('moment')],
      ['churn signals', from('churn signal')],
      ['request', from('request')],
      ['learned topic', from('topic')],
      ['salient phrases', from('phrase')],
    ] as const
  )
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => `${name}: ${list.join(', ')}`);
  return {
    themes,
    explanation: parts.length ? `${parts.join('; ')}.` : 'no purposes, moments or salient phrases found.',
  };
}

/**
 * Names of the people and companies on a call, lower-cased: the speakers' names Dialpad gives, and
 * words written with a capital inside a sentence of the transcript ("Hi Priya", "it's Sandra from Fresco
 * Foods"). The same word opening a sentence ("Priya, can you ...") is then known to be a name too.
 */
export function namesOnCall(
  speech: ReadonlyArray<{ text: string; name?: string | undefined }>,
  otherTexts: readonly string[] = [],
): Set<string> {
  const speakers = new Set<string>();
  const capitalised = new Set<string>();
  const texts = [...speech.map((l) => l.text), ...otherTexts];
  const lowerCase = lowerCaseWords(texts);
  for (const line of speech) {
    for (const t of tokenize(line.name ?? '')) if (!NOT_NAMES.has(t.lower)) speakers.add(t.lower);
  }
  for (const raw of texts) {
    for (const m of normaliseText(raw).matchAll(/(?<![.!?:]\s|^)\b(\p{Lu}\p{Ll}+(?:'s)?)\b/gu)) {
      const word = (m[1] ?? '').replace(/'s$/, '').toLowerCase();
      if (word !== 'i' && !STOP_WORDS.has(word)) capitalised.add(word);
    }
  }
  // A recap sentence opened by a noun that qualifies the next one ("Packaging supplier called", "Coffee
  // roaster left a message") names the trade, not a person.
  for (const sentence of otherTexts.flatMap((t) => winkTagger(normaliseText(t)))) {
    const [first, second] = sentence;
    if (first?.pos === 'NOUN' && second?.pos === 'NOUN' && /^\p{Ll}/u.test(second.surface)) lowerCase.add(first.lower);
  }
  // A trade word inside a business's name ("Waggy Tails Grooming") is the topic when it is also written
  // in lower case on the call ("a grooming appointment"); a name is capitalised wherever it appears.
  for (const word of capitalised) if (!lowerCase.has(word)) speakers.add(word);
  return speakers;
}

/** A theme someone could file a call under: at least one word that is not a filler, greeting or stop word. */
export function isThemeWorthFiling(theme: string): boolean {
  const words = tokenize(normaliseText(theme)).map((t) => t.lower);
  return words.some((w) => !FILLER_WORDS.has(w) && !STOP_WORDS.has(w) && !/^\d+$/.test(w) && w.length > 1);
}

/** A purpose made only of these is a courtesy, not a topic ("Thank-you", "Hello"). */
const COURTESY_WORDS: ReadonlySet<string> = new Set(
  'thank thanks thankyou you hello hi hey bye goodbye cheers ta greeting greetings'.split(' '),
);
const CALL_KINDS: ReadonlySet<string> = new Set(['voicemail', 'answerphone', 'voicemail message', 'missed call']);
const GENERIC_PURPOSE_WORDS: ReadonlySet<string> = new Set(
  'complaint general enquiry enquiries inquiry inquiries follow up followup follow-up feedback compliment compliments question questions how to request update check in call other misc info information query quick courtesy outreach thank you thanks check-in positive negative customer client service'.split(
    ' ',
  ),
);
