// Small, dependency-free text helpers shared by the insight rules. Everything here is pure and
// locale-independent (no Intl, no toLocaleLowerCase) so the same input always gives the same output.

/** Straight quotes and single spaces, so patterns need not care how the text was typed. */
export function normaliseText(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Sentences, split after . ! or ? followed by a space. Good enough for recap summaries. */
export function splitSentences(text: string): string[] {
  return normaliseText(text)
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export interface Token {
  /** As written, for display. */
  surface: string;
  /** Lower case, for matching. */
  lower: string;
  /** Offset of the token in the text it came from. */
  index: number;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu)) {
    tokens.push({ surface: m[0], lower: m[0].toLowerCase(), index: m.index });
  }
  return tokens;
}

/**
 * Plural-folding only ("invoices" → "invoice", "deliveries" → "delivery"): enough to dedupe and count
 * themes without a real stemmer turning words into non-words a user would see.
 */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/'s$/, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(?:ss|sh|ch|x)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Words that reverse what follows them in the same clause. */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  "don't",
  'dont',
  "doesn't",
  "didn't",
  "won't",
  "wouldn't",
  "isn't",
  "wasn't",
  "aren't",
  "weren't",
  "haven't",
  "hasn't",
  "can't",
  'cannot',
  "couldn't",
  "shouldn't",
  'without',
]);

/**
 * True when one of the `window` words before `index` in the same clause (no , ; . ! ? between) is a
 * negator: "I don't want to cancel" must not count as wanting to cancel.
 */
export function isNegatedAt(text: string, index: number, window = 3, skipToBe = false): boolean {
  const before = text.slice(0, index);
  const clauseStart = Math.max(...[',', ';', '.', '!', '?', ' but '].map((p) => before.lastIndexOf(p)));
  // `skipToBe`: "to" and "be" do not count toward the window, so "I don't want to be cancelling the whole
  // thing" is negated as "I don't want to cancel" is (churn's signals; sentiment's idioms such as "can't be
  // bothered" are read whole).
  const words = tokenize(before.slice(clauseStart + 1))
    .map((t) => t.lower)
    .filter((w) => !skipToBe || (w !== 'to' && w !== 'be'));
  // A new subject starts a new clause: in "if it's not fixed I'm switching" the "not" is not about switching.
  let subject = -1;
  words.forEach((w, i) => {
    if (CLAUSE_SUBJECTS.has(w)) subject = i;
  });
  // "If not" (unpunctuated "if not, ...") means otherwise: "if not I'm going to the bank" is a threat.
  const from = Math.max(subject + 1, words.length - window);
  // "No" before a noun ends at the next "and": in "no pain and praised the dentist" the praise stands.
  const noThenAnd = (i: number) => words[i] === 'no' && words.slice(i + 1).includes('and');
  return words
    .slice(from)
    .some((w, k) => NEGATORS.has(w) && !(w === 'not' && words[from + k - 1] === 'if') && !noThenAnd(from + k));
}

const CLAUSE_SUBJECTS: ReadonlySet<string> = new Set([
  'i',
  "i'm",
  "i'll",
  "i've",
  "i'd",
  'we',
  "we're",
  "we'll",
  "we've",
  "we'd",
  'they',
  "they're",
  "they'll",
  "they've",
  'he',
  'she',
  "he's",
  "she's",
]);

/**
 * Function words, conversational filler and the scaffolding vocabulary of call summaries ("customer",
 * "agent", "asked", "confirmed"): none of these name what a call was about.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against ago all almost along already also although always am an and another any anybody
  anyone anything anyway anywhere are around as at away back be became because become been before being below
  between both but by can can't cannot could couldn't did didn't do does doesn't doing don't done down during each
  either else enough even ever every everyone everything exactly few for from further get gets getting got gotten
  had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
  how's however i i'd i'll i'm i've if in into is isn't it it'd it'll it's its itself just least less let let's
  like made make makes many may maybe me might mine more most much must mustn't my myself need needs neither never
  next no nobody none nor not nothing now of off often oh on once one only onto or other others otherwise ought our
  ours ourselves out over own per perhaps quite rather re really right said same say says see seem seems shall
  shan't she she'd she'll she's should shouldn't since so some somebody someone something sometimes soon still such
  than that that's the their theirs them themselves then there there's these they they'd they'll they're they've
  thing things this those though through thus till to too towards under until up upon us very via was wasn't way we
  we'd we'll we're we've well were weren't what what's whatever when when's where where's whether which while who
  who's whole whom whose why why's will with within without won't would wouldn't yet you you'd you'll you're you've
  your yours yourself yourselves
  hi hiya hello hey bye goodbye thanks thank thankyou cheers please sorry apologies okay ok alright yes yeah yep yup
  no nope sure fine great perfect lovely brilliant good cool honestly actually basically literally anyway um uh er
  erm ah hmm mm right got gotta gonna wanna kind sort bit lot lots loads
  customer customers caller callers client agent agents rep representative advisor colleague colleagues team someone
  somebody person people guy guys lads company business call calls called calling phone phoned rang speak spoke
  speaking talk talked chat line today tomorrow yesterday tonight morning afternoon evening night week weeks weekend
  day days month months year years hour hours minute minutes time times moment
  monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun january february march april
  june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
  zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
  eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million first second
  third fourth fifth half pound pounds pence dollar dollars euro euros percent
  ask asked asking asks tell told telling says saying want wanted wants wanting wondered wonder know knew think
  thought try tried trying come came coming go going goes went gone take took taken taking give gave given giving
  put keep kept look looked looking see seen saw find found check checked checking let lets use used using work
  worked working works able unable hear heard hope mean means meant happen happened happens seems seemed feel felt
  confirm confirmed confirming confirms explain explained explaining provide provided provides offer offered offering
  arrange arranged agree agreed apologise apologised apologize apologized apologising thanked thanking mention
  mentioned note noted say stated state informed inform update updated advise advised request requested reported
  report wanted wish wished reach reached left leave regarding concerning around new old also still again
  completely totally absolutely extremely incredibly obviously seriously clearly simply utterly properly finally
  apparently definitely probably certainly possibly usually already currently recently exactly initially anymore
  send sent sends sending arrive arrives arrived arriving include includes included including set sets turn turned
  run runs add added adding place placed placing cite cited citing cause caused causing bring brought move moved
  moving pick picked pay paid stay stayed stick sort sorted sorting show shows showed shown come comes fit due last
  remain remains remained totalling totaling touch`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

const GENERIC_SPEAKER_NAMES: ReadonlySet<string> = new Set(['caller', 'agent', 'customer', 'unknown', 'speaker']);

/**
 * Names of the people on a call, lower-cased: the speaker names Dialpad gives, and names introduced or
 * addressed ("it's Fiona", "this is Tom", "Hi Priya", "Cheers Mia", "Jack speaking"). Narrower than
 * "every capitalised word", so "Trading Standards" stays readable. VADER knows some names as words
 * ("Mia" -0.3, "Grant" +0.4, "Joy", "Hope"), so they are taken out before scoring.
 */
export function peopleOnCall(
  lines: ReadonlyArray<{ content: string; name?: string | undefined }>,
  commonNouns: ReadonlySet<string> = new Set(),
): Set<string> {
  const names = new Set<string>();
  for (const line of lines) {
    for (const t of tokenize(line.name ?? '')) if (!GENERIC_SPEAKER_NAMES.has(t.lower)) names.add(t.lower);
    const text = normaliseText(line.content);
    // The trigger is matched in any case, the name after it only with its capital: "it's the VAT" has none.
    // After a greeting, a word also written in lower case on the call (commonNouns) is the business's trade,
    // not a person: "Hello, Powerline Generator Services" and "my generator"; one introduced as a name is kept.
    for (const m of text.matchAll(
      /\b(?:(it's|this is|my name is|my name's|name's|i'm|mr|mrs|ms|dr)|hi|hiya|hey|hello|morning|afternoon|thanks|thank you|cheers|sorry|bye|ta)\.?,? /giu,
    )) {
      const name = /^(?:\p{Lu}\p{Ll}[\p{Ll}'-]*(?: |$|(?=[.,!?]))){1,2}/u.exec(text.slice(m.index + m[0].length));
      for (const t of tokenize(name?.[0] ?? ''))
        if (!STOP_WORDS.has(t.lower) && (m[1] !== undefined || !commonNouns.has(t.lower))) names.add(t.lower);
    }
    for (const m of text.matchAll(/\b(\p{Lu}[\p{Ll}'-]+) (?:speaking|here)\b/gu)) names.add((m[1] ?? '').toLowerCase());
  }
  return names;
}

/** Every word written in lower case in these texts ("my generator"), for telling a trade from a name. */
export function lowerCaseWords(texts: readonly string[]): Set<string> {
  return new Set(texts.flatMap((text) => normaliseText(text).match(/\b\p{Ll}+\b/gu) ?? []));
}
