// The learned last step of sentiment: a multinomial logistic regression over what the rules already
// measure (their reading, the caller's per-utterance valence and its shape over the call, the recap's
// moods, churn and resolution), trained by scripts/train-sentiment.ts on the tuning sets only (never the
// report set). Hand-tuned thresholds fitted one writer's calls; weights fitted on four writers' calls
// generalise better to a fifth (src/ai/README.md, "Learned combiner"). Deterministic: fixed weights,
// plain arithmetic, no randomness.
import type { Sentiment, SentimentAssessment } from './sentiment';
import { assessSentiment, recapTone, scoreUtterance, vaderScore } from './sentiment';
import { normaliseText, peopleOnCall } from './text';

export const COMBINER_CLASSES: readonly Sentiment[] = ['positive', 'negative', 'neutral', 'mixed'];
const CHURN = ['low', 'medium', 'high', 'critical'] as const;
/** An utterance at or beyond ±this is a clear feeling (VADER compound after the lexicon's adjustments). */
const CLEAR_FEELING = 0.6;

export interface CombinerWeights {
  /** What the weights were trained on (file names and call counts), for the explanation and the docs. */
  trainedOn: string;
  l2: number;
  epochs: number;
  /**
   * The combiner overrules the rules only when it is at least this sure of its class (chosen by leave
   * one set out): on a call unlike any it was trained on it is unsure, and the rules' reading stands.
   */
  minProbability: number;
  features: readonly string[];
  classes: readonly Sentiment[];
  mean: readonly number[];
  scale: readonly number[];
  /** One row per class: a weight per feature, then the bias. */
  weights: ReadonlyArray<readonly number[]>;
}

/** What the rules concluded, which the combiner reads as features. */
export interface RulesReading {
  sentiment: Sentiment | null;
  churnRisk: string | null;
  churnReasons: readonly string[];
  resolved: boolean | null;
}

export interface CombinerInput {
  recapSummary?: string | null;
  recapOutcome?: string | null;
  transcriptLines?: ReadonlyArray<{ type: string; content: string; name?: string; speaker: string }> | null;
}

export const COMBINER_FEATURES: readonly string[] = [
  'rules:positive',
  'rules:negative',
  'rules:neutral',
  'rules:mixed',
  'churn:low',
  'churn:medium',
  'churn:high',
  'churn:critical',
  'resolved:true',
  'resolved:false',
  'has caller speech',
  'has recap',
  'caller mean',
  'caller last third',
  'caller first third',
  'caller most negative',
  'caller most positive',
  'most negative at',
  'most positive at',
  'last minus first third',
  'share of complaining utterances',
  'share of pleased utterances',
  'complaining utterances',
  'clearly pleased utterances',
  'utterances (to 12)',
  'recap negative moods',
  'recap positive moods',
  'recap complaints',
  'recap summary valence',
  'recap outcome valence',
  'churn: repeat problem',
  'churn: legal',
  'churn: refund',
  'churn: leaving or competitor',
  'ending after the recap',
];

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, v) => s + v, 0) / xs.length);

/** The features, in COMBINER_FEATURES order, of one call and the rules' reading of it. */
export function combinerFeatures(input: CombinerInput, rules: RulesReading): number[] {
  const speech = (input.transcriptLines ?? []).filter(
    (l) => l.type === 'transcript' && typeof l.content === 'string' && l.content.trim() !== '',
  );
  const people = peopleOnCall(speech);
  const callerTexts = speech.filter((l) => l.speaker === 'caller').map((l) => normaliseText(l.content));
  const caller: SentimentAssessment | null =
    callerTexts.length > 0 ? assessSentiment(callerTexts, 'caller speech', vaderScore, people) : null;
  const weighted = (caller?.scored ?? []).filter((u) => u.weight > 0);
  const comps = weighted.map((u) => u.compound);
  const n = comps.length;
  const totalWeight = weighted.reduce((s, u) => s + u.weight, 0);
  const weightedMean = totalWeight === 0 ? 0 : weighted.reduce((s, u) => s + u.compound * u.weight, 0) / totalWeight;
  const third = Math.max(1, Math.floor(n / 3));
  const last = mean(comps.slice(-third));
  const first = mean(comps.slice(0, third));
  const min = n ? Math.min(...comps) : 0;
  const max = n ? Math.max(...comps) : 0;
  const summary = input.recapSummary?.trim() ? input.recapSummary : null;
  const tone = recapTone(summary);
  const valence = (text: string | null | undefined) =>
    text?.trim() ? scoreUtterance(normaliseText(text), vaderScore, people).compound : 0;
  const reasons = rules.churnReasons.join(' ').toLowerCase();
  const oneHot = (value: string | null, of: readonly string[]) => of.map((k) => (value === k ? 1 : 0));
  return [
    ...oneHot(rules.sentiment, COMBINER_CLASSES),
    ...oneHot(rules.churnRisk, CHURN),
    rules.resolved === true ? 1 : 0,
    rules.resolved === false ? 1 : 0,
    n > 0 ? 1 : 0,
    summary ? 1 : 0,
    weightedMean,
    last,
    first,
    min,
    max,
    n ? comps.indexOf(min) / n : 0.5,
    n ? comps.indexOf(max) / n : 0.5,
    last - first,
    comps.filter((v) => v <= -0.3).length / Math.max(1, n),
    comps.filter((v) => v >= 0.3).length / Math.max(1, n),
    comps.filter((v) => v <= -0.3).length,
    comps.filter((v) => v >= 0.5).length,
    Math.min(n, 12) / 12,
    tone?.negative.length ?? 0,
    tone?.positive.length ?? 0,
    tone?.complaints.length ?? 0,
    valence(summary),
    valence(input.recapOutcome),
    /repeat|again|third|fourth/.test(reasons) ? 1 : 0,
    /legal|solicitor|lawyer|court|ombudsman|tribunal/.test(reasons) ? 1 : 0,
    /refund/.test(reasons) ? 1 : 0,
    /compet|switch|leav/.test(reasons) ? 1 : 0,
    caller?.lastThirdMean ?? 0,
  ];
}

/** The sentiment for a call: the combiner's class when it is sure enough, else the rules' reading. */
export function combinedSentiment(
  w: CombinerWeights,
  features: readonly number[],
  rules: Sentiment,
): { sentiment: Sentiment; probability: number; overruled: boolean } {
  const learned = applyCombiner(w, features);
  // The label guide's own definition of mixed, "a clear swing (angry then relieved, or pleased then
  // upset)", shown by the caller's words at both ends, is not the combiner's to overrule.
  const at = (name: string) => features[COMBINER_FEATURES.indexOf(name)] ?? 0;
  // So is a recap naming both moods ("initially angry ... but was delighted").
  const clearSwing =
    rules === 'mixed' &&
    ((at('caller most negative') <= -CLEAR_FEELING && at('caller most positive') >= CLEAR_FEELING) ||
      (at('recap negative moods') >= 1 && at('recap positive moods') >= 1));
  const overruled = !clearSwing && learned.sentiment !== rules && learned.probability >= w.minProbability;
  return { sentiment: overruled ? learned.sentiment : rules, probability: learned.probability, overruled };
}

/** The class the weights give the features, and its probability. */
export function applyCombiner(
  w: CombinerWeights,
  features: readonly number[],
): { sentiment: Sentiment; probability: number } {
  if (features.length !== w.features.length) {
    throw new Error(`sentiment combiner: ${features.length} features, weights for ${w.features.length}`);
  }
  const z = features.map((v, j) => (v - (w.mean[j] ?? 0)) / (w.scale[j] || 1));
  const p = probabilities(w.weights, z);
  const best = p.indexOf(Math.max(...p));
  return { sentiment: w.classes[best]!, probability: Math.round(p[best]! * 1000) / 1000 };
}

/**
 * Softmax over the classes of standardised features: one row of weights per class, the bias last. Shared
 * by training and by applying the weights, so the two cannot drift apart.
 */
function probabilities(weights: ReadonlyArray<readonly number[]>, z: readonly number[]): number[] {
  const scores = weights.map((row) => (row[z.length] ?? 0) + z.reduce((s, v, j) => s + v * (row[j] ?? 0), 0));
  const top = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - top));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / total);
}

/**
 * Trains the weights: full-batch gradient descent on the L2-regularised softmax loss, from zeros, a
 * fixed number of epochs (so the same data gives the same weights on every machine).
 */
export function trainCombiner(
  rows: ReadonlyArray<{ x: readonly number[]; y: Sentiment }>,
  opts: { l2: number; epochs: number; rate?: number; trainedOn: string; minProbability?: number },
): CombinerWeights {
  const d = COMBINER_FEATURES.length;
  const k = COMBINER_CLASSES.length;
  const rate = opts.rate ?? 0.3;
  const mu = Array.from({ length: d }, (_, j) => mean(rows.map((r) => r.x[j] ?? 0)));
  const sd = Array.from({ length: d }, (_, j) => {
    const s = Math.sqrt(mean(rows.map((r) => ((r.x[j] ?? 0) - mu[j]!) ** 2)));
    return s > 1e-9 ? s : 1;
  });
  const z = rows.map((r) => r.x.map((v, j) => (v - mu[j]!) / sd[j]!));
  const ys = rows.map((r) => COMBINER_CLASSES.indexOf(r.y));
  const w = Array.from({ length: k }, () => new Array<number>(d + 1).fill(0));
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const grad = Array.from({ length: k }, () => new Array<number>(d + 1).fill(0));
    z.forEach((x, i) => {
      probabilities(w, x).forEach((p, c) => {
        const g = p - (c === ys[i] ? 1 : 0);
        const row = grad[c]!;
        for (let j = 0; j < d; j++) row[j]! += g * x[j]!;
        row[d]! += g;
      });
    });
    w.forEach((row, c) => {
      for (let j = 0; j <= d; j++) {
        row[j]! -= rate * (grad[c]![j]! / rows.length + (j < d ? opts.l2 * row[j]! : 0));
      }
    });
  }
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    trainedOn: opts.trainedOn,
    l2: opts.l2,
    epochs: opts.epochs,
    minProbability: opts.minProbability ?? 0,
    features: COMBINER_FEATURES,
    classes: COMBINER_CLASSES,
    mean: mu.map(round),
    scale: sd.map(round),
    weights: w.map((row) => row.map(round)),
  };
}
