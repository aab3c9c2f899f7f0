// The recap's reading of the caller's mood: Dialpad's summary split into clauses about the caller, the
// moods it names, and how they adjust the transcript's sentiment.
import type { SentimentAssessment } from './sentiment';
import { RECAP_CALM, RECAP_COMPLAINT, RECAP_NEGATIVE, RECAP_POSITIVE, SENTIMENT_THRESHOLDS } from './sentiment-lexicon';
import { isNegatedAt, splitSentences } from './text';

/**
 * A recap summary narrates the whole call, often in one sentence ("was angry ... but was happy after
 * ..."). Clauses split at contrastive words become the units, and clauses whose subject is the agent are
 * dropped: "Agent apologised" says nothing about the caller.
 */
export function summaryUnits(summary: string): string[] {
  const units: string[] = [];
  for (const sentence of splitSentences(summary)) {
    // "Agent booked an engineer and the customer was relieved": the clause about the caller is kept even
    // when the sentence opens with the agent.
    for (const clause of sentence.split(
      /\s*(?:;|,? but |,? however,? |,? although |,? though |, then |,? and (?=(?:the )?(?:customer|caller|client|member|tenant|patient|owner|she|he|they)\b))\s*/i,
    )) {
      const c = clause.trim();
      if (c.length === 0 || /^(?:the )?(?:agent|rep|representative|advisor|we)\b/i.test(c)) continue;
      units.push(c);
    }
  }
  return units;
}

export interface RecapTone {
  negative: Array<{ at: number; cue: string }>;
  positive: Array<{ at: number; cue: string }>;
  /** Complaint events without a mood word; they only complete a "pleased, then upset" swing. */
  complaints: Array<{ at: number; cue: string }>;
}

export function recapTone(summary: string | null): RecapTone | null {
  if (summary === null) return null;
  const tone: RecapTone = { negative: [], positive: [], complaints: [] };
  for (const clause of summaryUnits(summary)) {
    const at = summary.indexOf(clause);
    const lower = clause.toLowerCase();
    const calm = RECAP_CALM.test(clause);
    for (const m of clause.matchAll(RECAP_NEGATIVE)) {
      if (!calm && !isNegatedAt(lower, m.index)) tone.negative.push({ at: at + m.index, cue: m[0] });
    }
    for (const m of clause.matchAll(RECAP_COMPLAINT)) tone.complaints.push({ at: at + m.index, cue: m[0] });
    for (const m of clause.matchAll(RECAP_POSITIVE)) {
      const negated = isNegatedAt(lower, m.index);
      (negated ? tone.negative : tone.positive).push({ at: at + m.index, cue: negated ? `not ${m[0]}` : m[0] });
    }
  }
  return tone.negative.length + tone.positive.length > 0 ? tone : null;
}

/**
 * The recap as a second opinion on the transcript's reading: a swing it describes (angry, then relieved)
 * makes the call mixed; a single feeling it names decides a call the transcript found matter-of-fact.
 * It never overrules a feeling the caller's own words show.
 */
export function withRecapTone(assessment: SentimentAssessment, tone: RecapTone | null): SentimentAssessment {
  if (tone === null) return assessment;
  const pos = tone.positive[0];
  // A complaint narrated after the pleased mood stands in for the missing "then upset".
  const laterComplaint = pos ? tone.complaints.find((c) => c.at > pos.at) : undefined;
  const neg = tone.negative[0] ?? laterComplaint;
  let sentiment = assessment.sentiment;
  let why: string | null = null;
  if (neg && pos && assessment.sentiment !== 'mixed') {
    sentiment = 'mixed';
    why = neg.at < pos.at ? `"${neg.cue}" then "${pos.cue}"` : `"${pos.cue}" then "${neg.cue}"`;
  } else if (
    (assessment.sentiment === 'positive' && neg && !pos) ||
    (assessment.sentiment === 'negative' && pos && !neg)
  ) {
    // The recap names a feeling the caller's words do not show at the end: the call went both ways.
    sentiment = 'mixed';
    why = `"${(neg ?? pos)?.cue}", against the caller's ${assessment.sentiment} words`;
  } else if (assessment.sentiment === 'neutral' && neg && !pos) {
    sentiment = 'negative';
    why = `"${neg.cue}"`;
  } else if (assessment.sentiment === 'neutral' && pos && !neg) {
    sentiment = 'positive';
    why = `"${pos.cue}"`;
  }
  if (why === null) return assessment;
  // The ending the recap describes stands for the transcript's when they disagree, so that churn can tell
  // a caller who was won over from one who was left upset.
  // Only a named mood sets the ending; a narrated complaint ("queried the bill") may have been settled.
  const namedNeg = tone.negative[0];
  const endedNegative =
    sentiment === 'negative' ||
    (sentiment === 'mixed' && namedNeg !== undefined && (pos === undefined || pos.at < namedNeg.at));
  const endedPositive =
    sentiment === 'positive' || (sentiment === 'mixed' && pos !== undefined && (neg === undefined || neg.at < pos.at));
  const lastThirdMean = endedNegative
    ? Math.min(assessment.lastThirdMean, -SENTIMENT_THRESHOLDS.ending)
    : endedPositive
      ? Math.max(assessment.lastThirdMean, SENTIMENT_THRESHOLDS.ending)
      : assessment.lastThirdMean;
  return {
    ...assessment,
    lastThirdMean,
    sentiment,
    explanation: `${assessment.explanation.replace(/\.$/, '')}; the recap describes the caller as ${why}, so ${sentiment}.`,
  };
}
