// Caller sentiment: VADER per utterance, with the conversational rituals taken out and a few
// customer-service complaint words added, aggregated into positive / negative / neutral / mixed.
// The rules and thresholds are described in src/ai/README.md; keep the two in step.
import { SentimentIntensityAnalyzer } from 'vader-sentiment';

import { isNegatedAt, normaliseText, splitSentences, STOP_WORDS, tokenize } from './text';

export type Sentiment = 'positive' | 'negative' | 'neutral' | 'mixed';

export const SENTIMENT_THRESHOLDS = {
  /** Weighted mean compound at or above which the caller is positive. */
  positive: 0.3,
  /** Weighted mean compound at or below which the caller is negative. */
  negative: -0.15,
  /** An utterance at or beyond ±strong is "strongly" positive or negative. */
  strong: 0.6,
  /** A swing: one end-third mean at or below -swing while the other is at or above +swing. */
  swing: 0.3,
  /** Content words at which an utterance reaches full weight. */
  fullWeightWords: 8,
} as const;

/**
 * Polite formulae carry VADER valence ("thanks" +1.9, "sorry" -0.3, "no problem" -0.46) but say
 * nothing about how the caller feels: an angry caller still says "okay, thanks, bye". They are removed
 * before scoring.
 */
const COURTESY_FORMULAE =
  /\b(?:(?:call|ring|phone|let) (?:me|us) (?:back |know )?if (?:there's|there is|there are|you have|you've got) (?:a |any )?(?:problems?|issues?|questions?)|thank(?:s| you)(?: (?:so|very) much| a lot| again| for (?:that|calling|sorting (?:it|that)(?: out)?|your help))?|cheers|please|(?:i'm |so )?sorry(?: about that| again)?|apologies(?: for that)?|(?:good)?bye|hiya|hi|hello|no problem|no worries|you too|see you(?: then)?|have a (?:good|nice|great|lovely) (?:day|week|weekend|evening))\b/gi;

/**
 * Words that open an answer or a turn ("Okay, ...", "Great, ...", "Well, ...", "Perfect."). At the start
 * of a sentence they are not counted as content, so an utterance made only of these and pleasantries
 * gets no weight. They are still scored: "Oh perfect, that's brilliant" is pleased, and taking the
 * "yes, that's fine" out of a calm call leaves only its problem words.
 */
const ACKNOWLEDGEMENTS: ReadonlySet<string> = new Set([
  'okay',
  'ok',
  'alright',
  'right',
  'yes',
  'yeah',
  'yep',
  'sure',
  'fine',
  'great',
  'perfect',
  'lovely',
  'brilliant',
  'good',
  'cool',
  'excellent',
  'wonderful',
  'super',
  'well',
  'so',
  'look',
  'listen',
  'oh',
  'ah',
]);

/**
 * Complaint vocabulary of customer service that VADER's social-media lexicon misses ("late", "cracked",
 * "fed up", "overcharged" score 0; "joke" scores +1.2), as valence on VADER's -4..+4 word scale. A cue
 * preceded by a negator counts reversed and damped, as VADER does ("wasn't late").
 */
const DOMAIN_VALENCE: ReadonlyArray<readonly [RegExp, number, 'self-negating'?]> = [
  [/\bfed up\b/g, -2.0],
  [/\bnever (?:arrived|came|turned up|showed up|showed)\b/g, -1.8],
  [/\bstill (?:not|no|haven't|hasn't|waiting)\b/g, -1.2],
  [/\bcharged (?:twice|double)\b/g, -1.5],
  [/\blocked out\b/g, -1.2],
  [/\bnot good enough\b/g, -1.5],
  [/\bnot (?:on|acceptable|happy)\b/g, -1.5],
  [/\bwaste of (?:time|money)\b/g, -1.8],
  [/\b(?:late|overdue|delayed)\b/g, -1.2],
  [
    /\b(?:cracked|squashed|smashed|dented|scratched|torn|leaking|leaks|mouldy|moldy|rotten|stale|crashing|crashed|freezing)\b/g,
    -1.5,
  ],
  [/\b(?:overcharged|overbilled|misbilled|unreliable|shambles|joke|nightmare)\b/g, -1.8],
  [/\b(?:chasing|reluctantly|reluctant|unhappy|gutted)\b/g, -1.0],
  // Threats and walking away are hostile however politely worded.
  [/\b(?:solicitors?|lawyers?|attorneys?|legal action|trading standards|ombudsman|charge ?backs?|sue you)\b/g, -2.0],
  [
    /\b(?:(?:don't|do not) want anything (?:more |else )?to do with you|done with you|(?:won't|never) (?:be )?(?:ordering|using|buying|coming back))\b/g,
    -2.0,
    'self-negating',
  ],
  [
    /\b(?:(?:other|another|different) (?:suppliers?|providers?|compan(?:y|ies))|(?:look|looking|go|going|shop|shopping) elsewhere)\b/g,
    -1.5,
  ],
];

/**
 * Text VADER reads literally or as social-media slang: "you had better fix it" and "make sure they do"
 * are demands, not praise or agreement, and "PO" is a purchase order here, not an insult (-2.6 in
 * VADER's lexicon). The replacements are valence-free in VADER.
 */
const PARAPHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bhad better\b/gi, 'must'],
  [/\bPOs?\b/g, 'purchase order'],
  [/\bmake sure\b/gi, 'check'],
  // "Honestly" (+2.0 in VADER) is a discourse marker in speech ("Honestly, this is terrible service").
  [/\bhonestly\b,?/gi, ''],
];

const VADER_ALPHA = 15;
const VADER_NEGATION_SCALAR = -0.74;

export interface ScoredUtterance {
  text: string;
  /** VADER compound after the adjustments above, in [-1, 1]. */
  compound: number;
  /** 0 for a bare acknowledgement, rising to 1 at SENTIMENT_THRESHOLDS.fullWeightWords content words. */
  weight: number;
}

export function scoreUtterance(raw: string): ScoredUtterance {
  const text = normaliseText(raw);
  let stripped = text.replace(COURTESY_FORMULAE, ' ');
  for (const [pattern, replacement] of PARAPHRASES) stripped = stripped.replace(pattern, replacement);
  stripped = normaliseText(stripped);

  const lower = stripped.toLowerCase();
  let extra = 0;
  let cues = 0;
  for (const [pattern, valence, selfNegating] of DOMAIN_VALENCE) {
    for (const m of lower.matchAll(pattern)) {
      cues += 1;
      extra += !selfNegating && isNegatedAt(lower, m.index) ? valence * VADER_NEGATION_SCALAR : valence;
    }
  }
  // A domain cue counts as content even when made of stop words ("don't want anything to do with you").
  const contentWords =
    cues +
    tokenize(withoutLeadingAcknowledgements(stripped)).filter(
      (t) => !/^\d/.test(t.lower) && (!STOP_WORDS.has(t.lower) || wordCompound(t.lower) !== 0),
    ).length;
  const weight = Math.min(contentWords, SENTIMENT_THRESHOLDS.fullWeightWords) / SENTIMENT_THRESHOLDS.fullWeightWords;
  if (weight === 0) return { text, compound: 0, weight: 0 };

  const vader = SentimentIntensityAnalyzer.polarity_scores(stripped).compound;
  return { text, compound: round(extra === 0 ? vader : addToCompound(vader, extra)), weight };
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

/**
 * A recap summary narrates the whole call, often in one sentence ("was angry ... but was happy after
 * ..."). Clauses split at contrastive words become the units, and clauses whose subject is the agent are
 * dropped: "Agent apologised" says nothing about the caller.
 */
export function summaryUnits(summary: string): string[] {
  const units: string[] = [];
  for (const sentence of splitSentences(summary)) {
    for (const clause of sentence.split(/\s*(?:;|,? but |,? however,? |,? although |,? though |, then )\s*/i)) {
      const c = clause.trim();
      if (c.length === 0 || /^(?:the )?(?:agent|rep|representative|advisor|we)\b/i.test(c)) continue;
      units.push(c);
    }
  }
  return units;
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
export function assessSentiment(texts: readonly string[], basis: string): SentimentAssessment {
  const scored = texts.map(scoreUtterance);
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
  const firstMean = weightedMean(weighted.slice(0, third));
  const lastMean = weightedMean(weighted.slice(-third));
  const most = weighted.reduce((a, b) => (b.compound > a.compound ? b : a));
  const least = weighted.reduce((a, b) => (b.compound < a.compound ? b : a));
  const t = SENTIMENT_THRESHOLDS;

  const swing =
    weighted.length >= 2 &&
    ((firstMean <= -t.swing && lastMean >= t.swing) || (firstMean >= t.swing && lastMean <= -t.swing));
  const bothStrong = most.compound >= t.strong && least.compound <= -t.strong;

  let sentiment: Sentiment;
  let why: string;
  if (swing) {
    sentiment = 'mixed';
    why = `swing from ${fmt(firstMean)} in the first third to ${fmt(lastMean)} in the last third`;
  } else if (bothStrong) {
    sentiment = 'mixed';
    why = `both strongly positive (${fmt(most.compound)}) and strongly negative (${fmt(least.compound)}) utterances`;
  } else if (mean >= t.positive) {
    sentiment = 'positive';
    why = `weighted mean ${fmt(mean)} ≥ ${t.positive}`;
  } else if (mean <= t.negative) {
    sentiment = 'negative';
    why = `weighted mean ${fmt(mean)} ≤ ${t.negative}`;
  } else {
    sentiment = 'neutral';
    why = `weighted mean ${fmt(mean)} between ${t.negative} and ${t.positive}`;
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
