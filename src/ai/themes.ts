// Themes: Dialpad's own categorisation first (recap purposes, then transcript moments), then salient
// phrases from the caller's words and the recap summary. Ranking and dedupe rules are in README.md.
import { wordCompound } from './sentiment';
import { normaliseText, stem, STOP_WORDS, tokenize } from './text';

export const MAX_THEMES = 5;
/** Longest salient phrase kept; English noun phrases put the head last, so the last words are kept. */
const MAX_PHRASE_WORDS = 3;

/** Words that name a topic only with a qualifier: "delivery issue" is a theme, "issue" is not. */
const GENERIC_HEADS: ReadonlySet<string> = new Set([
  'issue',
  'problem',
  'question',
  'query',
  'help',
  'information',
  'detail',
  'stuff',
  'option',
  'change',
  'email',
  'message',
  'number',
  'link',
  'note',
]);

/**
 * Problem words VADER rates as strongly negative but that say what went wrong rather than how the
 * caller feels; they stay eligible for themes ("wrong item", "broken hinge").
 */
const PROBLEM_WORDS: ReadonlySet<string> = new Set([
  'wrong',
  'broken',
  'damaged',
  'damage',
  'faulty',
  'fault',
  'missing',
  'error',
  'rude',
  'fraud',
  'outage',
  'lost',
  'failed',
  'failure',
  'leak',
  'debt',
  'fee',
  'fine',
  'penalty',
]);

export interface ThemeSources {
  purposes: readonly string[];
  /** Moment labels in call order, as Dialpad sent them ("late_delivery"). */
  moments: readonly string[];
  /** Summary sentences, then caller utterances: the summary is the more topical text, so it wins ties. */
  texts: readonly string[];
}

export interface ThemeAssessment {
  themes: string[];
  explanation: string;
}

export function humaniseLabel(label: string): string {
  const words = normaliseText(label.replace(/[_-]+/g, ' ')).toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function deriveThemes(sources: ThemeSources): ThemeAssessment {
  const chosen: Array<{ theme: string; stems: Set<string>; from: string }> = [];
  const keyOf = (stems: Set<string>) => [...stems].sort().join(' ');
  const stemsOf = (s: string) => new Set(tokenize(s).map((t) => stem(t.lower)));
  const take = (theme: string, from: string): void => {
    if (chosen.length >= MAX_THEMES) return;
    const stems = stemsOf(theme);
    if (stems.size === 0) return;
    const key = keyOf(stems);
    if (chosen.some((c) => keyOf(c.stems) === key)) return;
    chosen.push({ theme, stems, from });
  };

  for (const p of sources.purposes) take(humaniseLabel(p), 'purpose');

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

  // A phrase that repeats a theme already taken keeps only its new words, if they are at one end:
  // after "Appointment confirmation", "boiler service appointment" adds "Boiler service".
  for (const p of salientPhrases(sources.texts)) {
    const words = p.phrase.toLowerCase().split(' ');
    const covered = (w: string) => chosen.some((c) => c.stems.has(stem(w)));
    let start = 0;
    let end = words.length;
    while (start < end && covered(words[start] ?? '')) start += 1;
    while (end > start && covered(words[end - 1] ?? '')) end -= 1;
    const rest = words.slice(start, end);
    // Cutting the head noun off leaves a modifier ("formal" of "formal complaint"): not a theme.
    const headCut = end < words.length;
    if (
      rest.length === 0 ||
      rest.some(covered) ||
      (rest.length === 1 && (headCut || !isThemeOnItsOwn(rest[0] ?? '')))
    ) {
      continue;
    }
    take(capitalise(rest.join(' ')), `phrase (score ${p.score})`);
  }

  const themes = chosen.map((c) => c.theme);
  const from = (prefix: string) =>
    chosen
      .filter((c) => c.from.startsWith(prefix))
      .map((c) => (prefix === 'phrase' ? `${c.theme} ${c.from.slice(7)}` : c.theme));
  const parts = (
    [
      ['purposes', from('purpose')],
      ['moments', from('moment')],
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

interface Phrase {
  phrase: string;
  score: number;
  first: number;
}

/**
 * Candidate phrases are the runs of content words between stop words, punctuation, numbers and proper
 * nouns (names of people and companies are who, not what). A phrase scores the sum of how often each of
 * its words occurs across all the texts, so words the caller and the recap keep returning to win.
 */
export function salientPhrases(texts: readonly string[]): Phrase[] {
  const runs: Array<{ words: string[]; order: number }> = [];
  let order = 0;
  for (const raw of texts) {
    const text = normaliseText(raw);
    const tokens = tokenize(text);
    let run: string[] = [];
    const flush = () => {
      if (run.length > 0) runs.push({ words: run.slice(-MAX_PHRASE_WORDS), order: order++ });
      run = [];
    };
    tokens.forEach((tok, i) => {
      const prev = tokens[i - 1];
      const gap = prev ? text.slice(prev.index + prev.surface.length, tok.index) : '.';
      if (/[,.;:!?"()/]/.test(gap)) flush();
      const sentenceStart = /[.!?]/.test(gap) || i === 0;
      if (!isContentWord(tok.lower) || (!sentenceStart && /^[A-Z]/.test(tok.surface) && tok.surface !== 'I')) {
        flush();
        return;
      }
      run.push(tok.lower);
    });
    flush();
  }

  const freq = new Map<string, number>();
  for (const r of runs) for (const w of r.words) freq.set(stem(w), (freq.get(stem(w)) ?? 0) + 1);

  const best = new Map<string, Phrase>();
  for (const r of runs) {
    const words = r.words;
    if (words.length === 1 && !isThemeOnItsOwn(words[0] ?? '')) continue;
    const phrase = words.join(' ');
    const key = words.map(stem).join(' ');
    const score = words.reduce((s, w) => s + (freq.get(stem(w)) ?? 0), 0);
    const existing = best.get(key);
    if (!existing || score > existing.score)
      best.set(key, { phrase: capitalise(phrase), score, first: existing?.first ?? r.order });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.first - b.first || (a.phrase < b.phrase ? -1 : 1));
}

/**
 * Feeling words ("upset", "helpful", "fantastic": VADER |compound| ≥ 0.35, i.e. word valence of about
 * ±1.5 or more) describe the caller's mood, which is sentiment, not a theme.
 */
function isEvaluative(word: string): boolean {
  return !PROBLEM_WORDS.has(stem(word)) && Math.abs(wordCompound(word)) >= 0.35;
}

/** A single word names a topic unless it is short, generic, or a past participle ("rebooked"). */
function isThemeOnItsOwn(word: string): boolean {
  return word.length >= 3 && !GENERIC_HEADS.has(stem(word)) && !word.endsWith('ed');
}

function isContentWord(lower: string): boolean {
  // Contractions and possessives ("doorbell's", "month's") make clumsy themes.
  return (
    !STOP_WORDS.has(lower) && !lower.includes("'") && !/\d/.test(lower) && lower.length > 1 && !isEvaluative(lower)
  );
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Words that never name what a call was about however they are used: greetings, interjections,
 * terms of address and conversational fillers from US, UK and Australian speech. A theme made only of
 * these (after stop words) is not a theme.
 */
export const FILLER_WORDS: ReadonlySet<string> = new Set(
  `hi hiya hello hey howdy g'day gday morning afternoon evening bye goodbye cheers ta thanks thank thankyou
  please sorry apologies pardon okay ok alright yes yeah yep yup aye no nope nah sure fine great perfect lovely
  brilliant awesome cool wonderful fantastic excellent super mate mates buddy pal dude sir madam maam ma'am
  love darling darl hon honey guys folks kidding joking bother drama dinkum fair reckon crikey blimey bloody
  gosh golly jeez geez wow whoa oops uh um er erm ah oh hmm mm huh ugh meh anyway anyways basically literally
  honestly actually seriously totally absolutely whatever like kinda sorta gonna wanna gotta innit ringing
  hold holding hang hanging bear listen look sec second minute moment`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

/** A theme someone could file a call under: at least one word that is not a filler, greeting or stop word. */
export function isThemeWorthFiling(theme: string): boolean {
  const words = tokenize(normaliseText(theme)).map((t) => t.lower);
  return words.some((w) => !FILLER_WORDS.has(w) && !STOP_WORDS.has(w) && !/^\d+$/.test(w) && w.length > 1);
}
