// Caller sentiment: VADER per utterance, with the conversational rituals taken out and a few
// customer-service complaint words added, aggregated into positive / negative / neutral / mixed.
// The rules and thresholds are described in src/ai/README.md; keep the two in step.
import { SentimentIntensityAnalyzer } from 'vader-sentiment';

import { winkTagger } from './nlp';
import type { Sentiment } from './sentiment-lexicon';
import {
  ACKNOWLEDGEMENTS,
  COMPLAINT_CONTEXT,
  COURTESY_FORMULAE,
  COURTESY_FORMULAE_ANY_CASE,
  DOMAIN_VALENCE,
  ECHO_QUESTION,
  ECHO_VALENCE,
  EMPHATIC_THANKS,
  EMPHATIC_THANKS_VALENCE,
  EVALUATIVE_NOUNS,
  FEELING_IDIOMS,
  HEDGE_BEFORE,
  NEGATED_SAYING,
  PARAPHRASES,
  PAST_FEELING,
  PERSONAL_SUBJECTS,
  PRAISE_WORDS,
  SARCASM_VALENCE,
  SARCASTIC_OPENER,
  SENTIMENT_THRESHOLDS,
} from './sentiment-lexicon';
import { isNegatedAt, normaliseText, splitSentences, STOP_WORDS, tokenize } from './text';

export type { Sentiment } from './sentiment-lexicon';
export { SENTIMENT_THRESHOLDS } from './sentiment-lexicon';
export type { RecapTone } from './recap-tone';
export { recapTone, summaryUnits, withRecapTone } from './recap-tone';

const VADER_ALPHA = 15;
const VADER_NEGATION_SCALAR = -0.74;

export interface ScoredUtterance {
  text: string;
  /** VADER compound after the adjustments of sentiment-lexicon.ts, in [-1, 1]. */
  compound: number;
  /** 0 for a bare acknowledgement, rising to 1 at SENTIMENT_THRESHOLDS.fullWeightWords content words. */
  weight: number;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Scores cleaned text in [-1, 1]; VADER's compound in production, another library's in the comparison. */
export type BaseScorer = (text: string) => number;
export const vaderScore: BaseScorer = (text) => SentimentIntensityAnalyzer.polarity_scores(text).compound;

export function scoreUtterance(
  raw: string,
  base: BaseScorer = vaderScore,
  names: ReadonlySet<string> = NO_NAMES,
): ScoredUtterance {
  const text = normaliseText(raw);
  let stripped = normaliseText(text.replace(COURTESY_FORMULAE, ' ').replace(COURTESY_FORMULAE_ANY_CASE, ' '));
  if (names.size > 0)
    stripped = normaliseText(
      stripped.replace(/[\p{L}'-]+/gu, (w) => (names.has(w.toLowerCase().replace(/'s$/, '')) ? ' ' : w)),
    );
  let extra = 0;
  let cues = 0;
  // Plain thanks are manners and are taken out above; emphatic thanks ("Oh, thank you. Thank you.",
  // "thank you so much") are relief, the ending of a call that was won over.
  if (EMPHATIC_THANKS.test(text)) {
    extra += EMPHATIC_THANKS_VALENCE;
    cues += 1;
    // Beside them, a feeling in the past tense is the worry now over ("I was so upset", "I was about to
    // lose it"), not a complaint.
    stripped = stripped.replace(PAST_FEELING, ' ');
  }
  if (SARCASTIC_OPENER.test(stripped) && COMPLAINT_CONTEXT.test(stripped.replace(SARCASTIC_OPENER, ' '))) {
    stripped = stripped.replace(PRAISE_WORDS, ' ');
    extra += SARCASM_VALENCE;
    cues += 1;
  }
  for (const m of stripped.matchAll(ECHO_QUESTION)) {
    if (/\d|\b(?:days?|weeks?|months?|hours?|years?|dollars?|bucks|quid|pounds?|percent|grand)\b/i.test(m[0])) {
      extra += ECHO_VALENCE;
      cues += 1;
    }
  }
  // Domain cues are read before the paraphrases below neutralise words inside them ("full stop",
  // "not fair"), and are then blanked so VADER does not count the same words a second time.
  let lower = stripped.toLowerCase();
  for (const [pattern, valence, selfNegating] of DOMAIN_VALENCE) {
    for (const m of lower.matchAll(pattern)) {
      cues += 1;
      const before = lower.slice(Math.max(0, m.index - 40), m.index);
      // "I wouldn't say I'm upset", "I don't think it's bad": a negated verb of saying or thinking
      // negates the clause it introduces.
      const negated = isNegatedAt(lower, m.index) || NEGATED_SAYING.test(before);
      // "just a bit disappointed", "slightly annoyed": a hedged feeling counts half.
      const hedge = HEDGE_BEFORE.test(before) ? 0.5 : 1;
      extra += (!selfNegating && negated ? valence * VADER_NEGATION_SCALAR : valence) * hedge;
    }
    if (lower.length === stripped.length) {
      const blanked = lower.replace(pattern, (m) => ' '.repeat(m.length));
      stripped = [...stripped].map((ch, i) => (blanked[i] === ' ' && lower[i] !== ' ' ? ' ' : ch)).join('');
      lower = blanked;
    }
  }
  for (const [pattern, replacement] of PARAPHRASES) stripped = stripped.replace(pattern, replacement);
  stripped = normaliseText(stripped);

  // A domain cue counts as content even when made of stop words ("don't want anything to do with you"),
  // and an utterance with a feeling in it is never a mere acknowledgement ("Oh, legend." "Fine. Book it.").
  const contentWords =
    cues * 3 +
    tokenize(withoutLeadingAcknowledgements(stripped)).filter(
      (t) => !/^\d/.test(t.lower) && t.lower !== 'x' && (!STOP_WORDS.has(t.lower) || wordCompound(t.lower) !== 0),
    ).length;
  const weight = Math.min(contentWords, SENTIMENT_THRESHOLDS.fullWeightWords) / SENTIMENT_THRESHOLDS.fullWeightWords;
  if (weight === 0) return { text, compound: 0, weight: 0 };

  const vader = base(withoutTopicNouns(withoutQuestions(stripped)));
  return { text, compound: round(extra === 0 ? vader : addToCompound(vader, extra)), weight };
}

/**
 * Questions ask; they do not evaluate: "Is that supported?", "What am I entitled to?", "Can you make
 * sure it's clean?". Their words are left to VADER only when the question is short and carries no
 * request (an exclamation put as a question, "Seriously?"); the domain cues read the rhetorical
 * ones ("are you kidding?", "Three weeks?") before this.
 */
function withoutQuestions(text: string): string {
  const sentences = splitSentences(text);
  if (sentences.length === 0) return text;
  return sentences.filter((q) => !/\?\s*$/.test(q) || tokenize(q).length <= 2).join(' ');
}

/**
 * The text VADER reads, with the valence of topic nouns taken out: wink-nlp tags each word, and a noun
 * VADER scores is replaced by a neutral word unless it is an evaluative noun. A caller reporting "a leak
 * under the sink" or cancelling "the engagement party" is matter-of-fact.
 */
function withoutTopicNouns(text: string): string {
  if (text.trim() === '') return text;
  const topic = new Set<string>();
  const other = new Set<string>();
  for (const sentence of winkTagger(text))
    sentence.forEach((w, i) => {
      if (wordCompound(w.lower) === 0) return;
      if (w.pos === 'NOUN' && !EVALUATIVE_NOUNS.has(w.lower)) topic.add(w.lower);
      else if (w.pos === 'VERB' && !hasPersonalSubject(sentence, i)) topic.add(w.lower);
      else other.add(w.lower);
    });
  const nouns = [...topic].filter((w) => !other.has(w));
  if (nouns.length === 0) return text;
  return text.replace(/[\p{L}'-]+/gu, (w) => (nouns.includes(w.toLowerCase()) ? 'x' : w));
}

/**
 * Whether a verb has a person as its subject ("I love it", "you saved my day", "we appreciate"): a
 * feeling or an act toward the caller. A thing as the subject ("the direct debit failed", "the webhook
 * isn't firing", "it got delayed") is an event reported, matter-of-fact.
 */
function hasPersonalSubject(sentence: ReadonlyArray<{ lower: string; pos: string }>, at: number): boolean {
  for (let j = at - 1; j >= 0 && j >= at - 4; j -= 1) {
    const w = sentence[j]!;
    if (PERSONAL_SUBJECTS.has(w.lower)) return true;
    if (w.pos !== 'AUX' && w.pos !== 'ADV' && w.pos !== 'PART' && w.pos !== 'PRON') return false;
    if (w.pos === 'PRON') return PERSONAL_SUBJECTS.has(w.lower);
  }
  return false;
}

// Memoises a pure function; bounded so a long-running worker cannot grow it without limit.
const wordCompoundCache = new Map<string, number>();
const WORD_CACHE_LIMIT = 20_000;

/** VADER compound of a single word: 0 for words outside its lexicon. */
export function wordCompound(word: string): number {
  let v = wordCompoundCache.get(word);
  if (v === undefined) {
    v = SentimentIntensityAnalyzer.polarity_scores(word).compound;
    if (wordCompoundCache.size >= WORD_CACHE_LIMIT) wordCompoundCache.clear();
    wordCompoundCache.set(word, v);
  }
  return v;
}

/**
 * Drops acknowledgement words that open a sentence ("Okay, great." "Perfect, ..."): there they answer
 * the agent. The same word later in a sentence ("that's brilliant") is an evaluation and is kept.
 */
function withoutLeadingAcknowledgements(text: string): string {
  return splitSentences(text)
    .map((sentence) => {
      const tokens = tokenize(sentence);
      let i = 0;
      while (i < tokens.length && ACKNOWLEDGEMENTS.has(tokens[i]?.lower ?? '')) i += 1;
      const next = tokens[i];
      return next ? sentence.slice(next.index) : '';
    })
    .join(' ');
}

/**
 * VADER's compound is normalise(sum) = sum / sqrt(sum² + 15). Inverting it, adding the domain valence
 * to the raw sum and normalising again puts the extra words on VADER's own scale.
 */
function addToCompound(compound: number, valence: number): number {
  const c = Math.max(-0.9999, Math.min(0.9999, compound));
  const sum = (c * Math.sqrt(VADER_ALPHA)) / Math.sqrt(1 - c * c) + valence;
  return sum / Math.sqrt(sum * sum + VADER_ALPHA);
}

export interface SentimentAssessment {
  sentiment: Sentiment;
  explanation: string;
  /** Scored units in call order, for callers that want the evidence (churn uses the last third). */
  scored: ScoredUtterance[];
  lastThirdMean: number;
}

/**
 * Aggregates per-unit scores. When nothing carries weight (only "okay, thanks") the result is neutral:
 * the caller spoke but expressed nothing.
 */
export function assessSentiment(
  texts: readonly string[],
  basis: string,
  base: BaseScorer = vaderScore,
  names: ReadonlySet<string> = NO_NAMES,
): SentimentAssessment {
  return aggregateSentiment(
    texts.map((t) => scoreUtterance(t, base, names)),
    basis,
  );
}

/** The aggregation step alone, over utterances already scored in call order. */
export function aggregateSentiment(scored: ScoredUtterance[], basis: string): SentimentAssessment {
  const texts = scored;
  const weighted = scored.filter((u) => u.weight > 0);
  if (weighted.length === 0) {
    return {
      sentiment: 'neutral',
      explanation: `${basis}: ${texts.length} unit(s), only pleasantries or acknowledgements, so neutral.`,
      scored,
      lastThirdMean: 0,
    };
  }

  const totalWeight = weighted.reduce((s, u) => s + u.weight, 0);
  const mean = weighted.reduce((s, u) => s + u.compound * u.weight, 0) / totalWeight;
  const third = Math.max(1, Math.floor(weighted.length / 3));
  const lastMean = weightedMean(weighted.slice(-third));
  const t = SENTIMENT_THRESHOLDS;
  const mostAt = weighted.reduce((a, b, i) => (b.compound > (weighted[a]?.compound ?? 0) ? i : a), 0);
  const leastAt = weighted.reduce((a, b, i) => (b.compound < (weighted[a]?.compound ?? 0) ? i : a), 0);
  const most = weighted[mostAt]!;
  const least = weighted[leastAt]!;
  const strongNeg = least.compound <= -t.strongNegative;
  const strongPos = most.compound >= t.strongPositive;
  // The ending counts from the last third, but an upset caller's final "Fine." does not make it neutral.
  const endedWonOver = lastMean >= t.ending;
  const endedUpset = lastMean <= -t.ending;

  // Weighted toward how the call ended: a strong feeling decides unless the call swung away from it,
  // and a swing needs a strong feeling at one end and the opposite ending (angry then relieved, or
  // pleased then upset); otherwise the weighted mean decides, with a band for the matter-of-fact.
  let sentiment: Sentiment;
  let why: string;
  if (strongNeg && endedWonOver && (leastAt < mostAt || !strongPos)) {
    sentiment = 'mixed';
    why = `swing from a strongly negative utterance (${fmt(least.compound)}) to an ending of ${fmt(lastMean)}`;
  } else if (strongPos && endedUpset && mostAt < leastAt) {
    sentiment = 'mixed';
    why = `swing from a strongly positive utterance (${fmt(most.compound)}) to an ending of ${fmt(lastMean)}`;
  } else if (
    strongNeg &&
    mostAt < leastAt &&
    most.compound >= t.pleased &&
    lastMean <= 0.1 &&
    mostAt < weighted.length / 2
  ) {
    // Pleased early on, then clearly upset and not won back: the guide's "pleased then upset".
    sentiment = 'mixed';
    why = `swing from a pleased utterance (${fmt(most.compound)}) to a strongly negative one (${fmt(least.compound)})`;
  } else if (strongNeg && (!strongPos || leastAt > mostAt || lastMean < 0) && lastMean < t.ending / 2) {
    sentiment = 'negative';
    why = `a strongly negative utterance (${fmt(least.compound)}) and no recovery (ending ${fmt(lastMean)})`;
  } else if (strongPos && lastMean > -t.ending) {
    sentiment = 'positive';
    why = `a strongly positive utterance (${fmt(most.compound)}) and no upset ending (${fmt(lastMean)})`;
  } else if (
    weighted.filter((u) => u.compound <= -t.moderate).length >= 2 &&
    most.compound < t.moderate &&
    lastMean < t.moderate
  ) {
    sentiment = 'negative';
    why = `${weighted.filter((u) => u.compound <= -t.moderate).length} complaining utterances and no praise`;
  } else if (mean >= t.positive) {
    sentiment = 'positive';
    why = `weighted mean ${fmt(mean)} ≥ ${t.positive}`;
  } else if (mean <= t.negative) {
    sentiment = 'negative';
    why = `weighted mean ${fmt(mean)} ≤ ${t.negative}`;
  } else {
    sentiment = 'neutral';
    why = `weighted mean ${fmt(mean)} between ${t.negative} and ${t.positive}, no strong feeling`;
  }

  const evidence: string[] = [];
  if (least.compound < 0) evidence.push(`most negative "${clip(least.text)}" (${fmt(least.compound)})`);
  if (most.compound > 0) evidence.push(`most positive "${clip(most.text)}" (${fmt(most.compound)})`);
  return {
    sentiment,
    explanation: `${basis}: ${weighted.length} scored unit(s); ${why}${evidence.length ? `; ${evidence.join('; ')}` : ''}.`,
    scored,
    lastThirdMean: round(lastMean),
  };
}

function weightedMean(units: readonly ScoredUtterance[]): number {
  const w = units.reduce((s, u) => s + u.weight, 0);
  return w === 0 ? 0 : units.reduce((s, u) => s + u.compound * u.weight, 0) / w;
}

/** Four decimals, so float noise never flips a threshold between runs or platforms. */
function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

function fmt(n: number): string {
  return (n >= 0 ? '+' : '') + n.toFixed(2);
}

export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The text with its feeling idioms ("works like a charm", "spot on", "legend", "daylight robbery")
 * replaced by a break: they say how the caller feels, so their words are never themes.
 */
export function withoutFeelingIdioms(text: string): string {
  return FEELING_IDIOMS.reduce((t, pattern) => t.replace(pattern, ' ; '), text);
}
