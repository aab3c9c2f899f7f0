// Candidate phrases for themes: noun phrases from wink-nlp's tagger (the default), or runs of content
// words between stop words (the baseline the NLP libraries were compared against, scripts/compare-nlp.ts),
// each scored by how often its words come back across the recap and both sides of the call. themes.ts
// picks the themes from them; src/ai/README.md describes the ranking.
import type { Tagger } from './nlp';
import { winkTagger } from './nlp';
import { wordCompound } from './sentiment';
import {
  FEELING_NOUNS,
  FILLER_WORDS,
  GENERIC_HEADS,
  MODIFIED_HEADS,
  PROBLEM_WORDS,
  SERVICE_VERB_NOUNS,
  UNIT_NOUNS,
} from './themes-lexicon';
import { normaliseText, stem, STOP_WORDS, tokenize } from './text';
import { ROLE_HEADS, VAGUE_HEADS, VAGUE_NOUNS, WHO_AND_WHERE } from './themes-topics';

/** Longest salient phrase kept; English noun phrases put the head last, so the last words are kept. */
export const MAX_PHRASE_WORDS = 3;

/** Weighted texts in, ranked candidate phrases out: the step the NLP libraries were compared on. */
export type PhraseExtractor = (
  texts: ReadonlyArray<{ text: string; weight: number; source?: string }>,
  names: ReadonlySet<string>,
) => Phrase[];

export interface Phrase {
  phrase: string;
  score: number;
  first: number;
}

/**
 * Candidate phrases are the runs of content words between stop words, punctuation, numbers and proper
 * nouns (names of people and companies are who, not what). A phrase scores the sum of how often each of
 * its words occurs across all the texts, so words the caller and the recap keep returning to win.
 */
export const stopWordRunPhrases: PhraseExtractor = (weighted) => salientPhrases(weighted.map((t) => t.text));

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

function isTopicWord(lower: string, pos: string): boolean {
  if (pos !== 'NOUN') return isContentWord(lower);
  return (
    !STOP_WORDS.has(lower) &&
    !/['.\d]/.test(lower) &&
    lower.length > 1 &&
    !FEELING_NOUNS.has(stem(lower)) &&
    (PROBLEM_WORDS.has(stem(lower)) || Math.abs(wordCompound(lower)) < 0.5)
  );
}

/**
 * Feeling words ("upset", "helpful", "fantastic": VADER |compound| ≥ 0.35, i.e. word valence of about
 * ±1.5 or more) describe the caller's mood, which is sentiment, not a theme.
 */
function isEvaluative(word: string): boolean {
  return !PROBLEM_WORDS.has(stem(word)) && Math.abs(wordCompound(word)) >= 0.35;
}

/**
 * A single word names a topic unless it is short, generic, a past participle ("rebooked"), or a head that
 * needs its modifier ("Call" left of "Report call" once "Report" is a theme).
 */
export function isThemeOnItsOwn(word: string): boolean {
  return (
    word.length >= 3 &&
    !MODIFIED_HEADS.has(word.toLowerCase()) &&
    !GENERIC_HEADS.has(stem(word)) &&
    !VAGUE_NOUNS.has(word.toLowerCase()) &&
    !VAGUE_NOUNS.has(stem(word)) &&
    !word.endsWith('ed')
  );
}

function isContentWord(lower: string): boolean {
  // Contractions and possessives ("doorbell's", "month's") make clumsy themes.
  return !STOP_WORDS.has(lower) && !/['.]/.test(lower) && !/\d/.test(lower) && lower.length > 1 && !isEvaluative(lower);
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Noun phrases from a part-of-speech tagger: runs of nouns and adjectives that end in a noun ("late
 * delivery", "early termination fee"), at most three words, the head noun made singular. Proper nouns
 * (people, companies, competitors) end a run: they say who, not what. So do interjections, verbs,
 * fillers and greetings ("mate", "fair dinkum", "cheers"), feeling words and numbers. A phrase scores the
 * sum, over its words, of how often each occurs across the texts (recap words weigh double); ties go to
 * the earlier phrase, then alphabetical order.
 */
export function nounPhrases(
  weighted: ReadonlyArray<{ text: string; weight: number; source?: string }>,
  tag: Tagger,
  names: ReadonlySet<string> = new Set(),
): Phrase[] {
  const runs: Array<{ words: string[]; order: number; weight: number; source: string }> = [];
  let order = 0;
  for (const { text, weight, source = '' } of weighted) {
    for (const sentence of tag(normaliseText(text))) {
      let run: Array<{ word: string; pos: string }> = [];
      const flush = () => {
        while (run.length > 0 && run[run.length - 1]?.pos !== 'NOUN') run.pop();
        if (run.length > 0)
          runs.push({ words: run.slice(-MAX_PHRASE_WORDS).map((w) => w.word), order: order++, weight, source });
        run = [];
      };
      sentence.forEach((w, i) => {
        const acronym = /^[A-Z]{2,5}s?$/.test(w.surface) && !w.sentenceStart;
        const next = sentence[i + 1];
        // "gettin'", "comin'", "callin'": a dropped-g -ing word is a verb, however the tagger reads it.
        if (/in$/.test(w.lower) && (next?.surface === "'" || next?.surface === '’')) {
          flush();
          return;
        }
        // "landscaping job", "opening hours", "washing machine": an -ing word before a noun is a modifier.
        const ingModifier = w.pos === 'VERB' && /ing$/.test(w.lower) && next?.pos === 'NOUN';
        // A service verb stands for its noun: "I'll refund the whole box" is about a refund.
        const nominal = w.pos === 'VERB' ? SERVICE_VERB_NOUNS[w.lower] : undefined;
        if (nominal) {
          flush();
          runs.push({ words: [nominal], order: order++, weight, source });
          return;
        }
        // "express shipping", "the cleaning": an -ing word after a determiner, adjective or noun is a noun.
        const prev = sentence[i - 1];
        const ingNoun =
          w.pos === 'VERB' &&
          /ing$/.test(w.lower) &&
          !ingModifier &&
          (prev?.pos === 'DET' || prev?.pos === 'ADJ' || prev?.pos === 'NOUN' || POSSESSIVES.has(prev?.lower ?? ''));
        // "the pool pump and", "a dripping kitchen tap", "Saturday's house move": a bare verb form right after
        // a singular noun that a determiner or adjective opened is the phrase's head noun; a verb after a
        // subject agrees with it ("the pipe leaked", "the boys clean") or follows an auxiliary.
        const compoundHead =
          w.pos === 'VERB' &&
          run.length > 0 &&
          prev?.pos === 'NOUN' &&
          !/s$/.test(prev.lower) &&
          !/(?:ed|ing|s)$/.test(w.lower) &&
          // "the tent held up", "the van broke down": a verb with its particle is a verb (tune21).
          !PARTICLES.has(next?.lower ?? '') &&
          (sentence[i - 2]?.pos === 'DET' ||
            sentence[i - 2]?.pos === 'ADJ' ||
            sentence[i - 2]?.pos === 'NOUN' ||
            sentence[i - 2]?.pos === 'PART' ||
            POSSESSIVES.has(sentence[i - 2]?.lower ?? '')) &&
          // ... unless an auxiliary or a causative verb made that noun a subject ("will our insurance
          // cover it", "had his rent bounce").
          !(sentence[i - 3]?.pos === 'AUX' || CAUSATIVES.has(sentence[i - 3]?.lower ?? ''));
        // "the 6pm spin class", "her cat's spay incision": a bare verb form between a determiner (a time, a
        // possessive) and a noun is the compound's modifier.
        const verbModifier =
          w.pos === 'VERB' &&
          next?.pos === 'NOUN' &&
          !/(?:ed|ing|s)$/.test(w.lower) &&
          (prev?.pos === 'DET' ||
            prev?.pos === 'NUM' ||
            prev?.pos === 'SYM' ||
            /^['’]s$/.test(prev?.lower ?? '') ||
            POSSESSIVES.has(prev?.lower ?? ''));
        // "a deep clean", "the end of tenancy clean", "our fortnightly clean is on Monday": a cleaner's job
        // said with its verb, after a determiner or a modifier and before no noun, is the job (the tagger reads
        // an adjective); "the house is very clean", "a clean kitchen" are not.
        const jobNoun =
          JOB_VERBS.has(w.lower) &&
          w.pos !== 'NOUN' &&
          !['NOUN', 'PROPN', 'ADJ'].includes(next?.pos ?? '') &&
          (['DET', 'ADJ', 'NOUN'].includes(prev?.pos ?? '') ||
            POSSESSIVES.has(prev?.lower ?? '') ||
            // "a deep clean" (the tagger's adverb), not "very clean".
            (prev?.pos === 'ADV' && (sentence[i - 2]?.pos === 'DET' || POSSESSIVES.has(sentence[i - 2]?.lower ?? ''))));
        const pos =
          acronym || ingNoun || compoundHead || jobNoun ? 'NOUN' : ingModifier || verbModifier ? 'ADJ' : w.pos;
        // "Danielle Ruiz." opening a line: a capitalised opener followed by a proper noun is a name.
        const namePair = w.sentenceStart && /^\p{Lu}/u.test(w.surface) && sentence[i + 1]?.pos === 'PROPN';
        if (pos === 'NOUN' && MODIFIED_HEADS.has(w.lower) && run.length > 0) {
          run.push({ word: w.lower, pos });
          return;
        }
        // "forty metres", "nine hundred bucks", "sixty thousand k's": a unit counted by a number is a
        // quantity, not a topic.
        const counted = prev?.pos === 'NUM' && UNIT_NOUNS.has(w.lower);
        if (
          counted ||
          (pos !== 'NOUN' && pos !== 'ADJ') ||
          !isTopicWord(w.lower, pos) ||
          FILLER_WORDS.has(w.lower) ||
          FILLER_WORDS.has(w.base.toLowerCase()) ||
          // "bye-bye", "ta-ra": fillers joined by a hyphen.
          (w.lower.includes('-') && w.lower.split('-').every((part) => FILLER_WORDS.has(part))) ||
          names.has(w.lower) ||
          // "Imran-ji", "Aunty-Bea": a name with an honorific joined by a hyphen is still the name.
          (w.lower.includes('-') && w.lower.split('-').some((part) => part.length > 2 && names.has(part))) ||
          namePair
        ) {
          flush();
          return;
        }
        // A word cut off mid-speech keeps no dash: "the payment provider-" is "payment provider".
        const word = (pos === 'NOUN' ? (acronym ? w.surface : w.base) : w.lower).replace(/^[-‐–]+|[-‐–]+$/g, '');
        if (word) run.push({ word, pos });
      });
      flush();
    }
  }

  const freq = new Map<string, number>();
  const spread = new Map<string, Set<string>>();
  for (const r of runs)
    for (const w of r.words) {
      freq.set(stem(w), (freq.get(stem(w)) ?? 0) + r.weight);
      spread.set(stem(w), (spread.get(stem(w)) ?? new Set()).add(r.source));
    }
  // A word both sides of the call (or the recap and the call) come back to is what the call is about:
  // each further source it appears in adds half again to its count.
  for (const [w, n] of freq) freq.set(w, n * (1 + SPREAD_BONUS * ((spread.get(w)?.size ?? 1) - 1)));
  const best = new Map<string, Phrase>();
  for (const r of runs) {
    const words = r.words;
    if (words.length === 1 && !isThemeOnItsOwn(words[0]?.toLowerCase() ?? '')) continue;
    // "following week", "long time", "big difference": a phrase headed by a vague noun is no topic either.
    if (words.length > 1 && VAGUE_HEADS.has(words[words.length - 1]?.toLowerCase() ?? '')) continue;
    // "cracking job", "not a massive deal": praise or size said of the work, not a topic.
    if (PRAISE_OR_SIZE_IDIOM.test(words.join(' '))) continue;
    const key = words.map((w) => stem(w)).join(' ');
    const head = (words[words.length - 1] ?? '').toLowerCase();
    const score =
      words.reduce((s, w) => s + (freq.get(stem(w)) ?? 0), 0) *
      (ROLE_HEADS.has(stem(head)) ? ROLE_WEIGHT : 1) *
      (words.length === 1 && WHO_AND_WHERE.has(stem(head)) ? WHO_AND_WHERE_WEIGHT : 1);
    const existing = best.get(key);
    if (!existing || score > existing.score)
      best.set(key, { phrase: capitalise(words.join(' ')), score, first: existing?.first ?? r.order });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.first - b.first || (a.phrase < b.phrase ? -1 : 1));
}

const SPREAD_BONUS = 0.5;
const PRAISE_OR_SIZE_IDIOM =
  /^(?:big|massive|huge|great|good|cracking|brilliant|fantastic|amazing|top|nice|smashing|ace|grand|lovely|fine|stellar|champion|cracker|bang-up) (?:job|deal|effort|stuff|work)$/i;
/** A phrase headed by a person's role ("office manager", "front desk") says who, rarely what: it counts less. */
const ROLE_WEIGHT = 0.5;
/** A one-word phrase that says who or where ("Shop", "Bank", "Landlord") counts half: see WHO_AND_WHERE. */
const WHO_AND_WHERE_WEIGHT = 0.5;
/** "skipped my mowing": an -ing word after a possessive is a noun, as after a determiner. */
const CAUSATIVES: ReadonlySet<string> = new Set([
  'had',
  'has',
  'have',
  'let',
  'lets',
  'make',
  'made',
  'makes',
  'help',
  'helped',
  'see',
  'saw',
  'watch',
  'watched',
  'hear',
  'heard',
]);
const PARTICLES: ReadonlySet<string> = new Set(['up', 'down', 'off', 'out', 'over', 'away', 'back']);
const POSSESSIVES: ReadonlySet<string> = new Set(['my', 'your', 'our', 'their', 'his', 'her', 'its']);
/**
 * Verbs a trade also uses as the name of the job ("book a clean"). Only "clean" so far: the tagger already
 * reads "the install" or "a trim" as nouns, or SERVICE_VERB_NOUNS names them.
 */
const JOB_VERBS: ReadonlySet<string> = new Set(['clean']);

export const winkPhrases: PhraseExtractor = (weighted, names) => nounPhrases(weighted, winkTagger, names);
