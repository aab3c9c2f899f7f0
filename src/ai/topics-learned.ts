// The call's topics read from all its words: which of the filing words readers use most ("delivery",
// "price", "competitor", "fees") a call is about, though it may never say the word as a phrase of its own
// (a late van and a cold dinner are a "delivery" call). One logistic regression per topic over the words of
// the recap (summary, outcome, purposes, action items), the caller's lines and the agent's, trained by
// scripts/train-topics.ts on the tuning sets only (never the report set), with an L1 penalty so that each
// topic keeps only the words that tell (src/ai/README.md, "The learned topics"). Themes give the likeliest
// topic that no theme covers the last slot, when its probability is high enough.
// Deterministic: fixed weights, plain arithmetic, no randomness at use; training is seeded.
import { stem, tokenize } from './text';
import { seeded } from './themes-learned';

export interface TopicModel {
  /** What the weights were trained on (file names and call counts), for the docs. */
  trainedOn: string;
  l1: number;
  l2: number;
  epochs: number;
  /** A word feature is in the vocabulary when at least this many training calls have it. */
  minCount: number;
  /** A topic is learned when at least this many training calls are filed under it. */
  minTopicCalls: number;
  /** Themes take a topic only at this probability or above. */
  minProbability: number;
  seed: number;
  topics: readonly string[];
  bias: readonly number[];
  /** For each word feature, its non-zero weights as [topic index, weight]. */
  words: Readonly<Record<string, ReadonlyArray<readonly number[]>>>;
}

export interface TopicInput {
  recapSummary?: string | null;
  recapOutcome?: string | null;
  recapPurposes?: ReadonlyArray<string | null | undefined> | null;
  recapActionItems?: ReadonlyArray<string | null | undefined> | null;
  transcriptLines?: ReadonlyArray<{ content?: string | null; speaker?: string | null } | null> | null;
}

export interface TopicReading {
  topic: string;
  probability: number;
  /** The words that raised it most, as features ("r:" recap, "c:" caller, "a:" agent). */
  evidence: string[];
}

/** A word folded for counting: plurals as everywhere ("deliveries"), and "-ed"/"-ing" ("delivered"). */
function featureWord(word: string): string {
  const w = stem(word);
  const m = /^(.{3,}?)(?:ing|ed)$/.exec(w);
  return m ? m[1]! : w;
}

/** The call's word features: each folded word once per side ("r:", "c:", "a:") and once bare. */
export function topicFeatures(input: TopicInput): string[] {
  const out = new Set<string>();
  const add = (side: string, text: string | null | undefined) => {
    if (typeof text !== 'string') return;
    for (const t of tokenize(text)) {
      if (!/\p{L}/u.test(t.lower)) continue;
      const w = featureWord(t.lower);
      out.add(`${side}:${w}`);
      out.add(w);
    }
  };
  add('r', input.recapSummary);
  add('r', input.recapOutcome);
  for (const p of input.recapPurposes ?? []) add('r', p);
  for (const a of input.recapActionItems ?? []) add('r', a);
  for (const l of input.transcriptLines ?? []) add(l?.speaker === 'agent' ? 'a' : 'c', l?.content);
  return [...out];
}

/** Every topic's probability for the call, likeliest first. */
export function callTopics(model: TopicModel, input: TopicInput): TopicReading[] {
  const z = [...model.bias];
  const lift: Array<Array<[string, number]>> = model.topics.map(() => []);
  for (const f of topicFeatures(input)) {
    for (const [t = 0, w = 0] of model.words[f] ?? []) {
      z[t] = (z[t] ?? 0) + w;
      if (w > 0) lift[t]?.push([f, w]);
    }
  }
  return model.topics
    .map((topic, t) => ({
      topic,
      probability: Math.round(1000 / (1 + Math.exp(-(z[t] ?? 0)))) / 1000,
      evidence: lift[t]!.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([f]) => f),
    }))
    .sort((a, b) => b.probability - a.probability || a.topic.localeCompare(b.topic));
}

/** The topics themes may take: those at the model's minimum probability or above, likeliest first. */
export function likelyTopics(model: TopicModel, input: TopicInput): TopicReading[] {
  return callTopics(model, input).filter((t) => t.probability >= model.minProbability);
}

export type TopicTraining = Pick<
  TopicModel,
  'l1' | 'l2' | 'epochs' | 'minCount' | 'minTopicCalls' | 'minProbability' | 'seed' | 'trainedOn'
> & { alpha: number; beta: number };

/**
 * Trains one logistic regression per topic by FTRL-proximal (per-coordinate step sizes; the L1 penalty
 * leaves most weights at exactly zero, so the model file keeps only the words that tell), over the calls in
 * a seeded shuffled order. Deterministic.
 */
export function trainTopicModel(
  calls: ReadonlyArray<{ features: readonly string[]; topics: readonly string[] }>,
  s: TopicTraining,
): TopicModel {
  const topicCalls = new Map<string, number>();
  for (const c of calls) for (const t of new Set(c.topics)) topicCalls.set(t, (topicCalls.get(t) ?? 0) + 1);
  const topics = [...topicCalls.entries()]
    .filter(([, n]) => n >= s.minTopicCalls)
    .map(([t]) => t)
    .sort();
  const featureCalls = new Map<string, number>();
  for (const c of calls) for (const f of c.features) featureCalls.set(f, (featureCalls.get(f) ?? 0) + 1);
  const vocab = [...featureCalls.entries()]
    .filter(([, n]) => n >= s.minCount)
    .map(([f]) => f)
    .sort();
  const index = new Map(vocab.map((f, i) => [f, i + 1] as const)); // 0 is the bias
  const T = topics.length;
  const D = vocab.length + 1;
  const zs = new Float64Array(D * T);
  const ns = new Float64Array(D * T);
  const weight = (k: number, l1: number) => {
    const z = zs[k]!;
    if (Math.abs(z) <= l1) return 0;
    return -(z - Math.sign(z) * l1) / ((s.beta + Math.sqrt(ns[k]!)) / s.alpha + s.l2);
  };
  const rows = calls.map((c) => ({
    x: [0, ...new Set(c.features.map((f) => index.get(f)).filter((i): i is number => i !== undefined))],
    y: new Set(c.topics.map((t) => topics.indexOf(t)).filter((i) => i >= 0)),
  }));
  const random = seeded(s.seed);
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const r of order) {
      const { x, y } = rows[r]!;
      for (let t = 0; t < T; t++) {
        let z = 0;
        for (const f of x) z += weight(f * T + t, f === 0 ? 0 : s.l1);
        const g = 1 / (1 + Math.exp(-z)) - (y.has(t) ? 1 : 0);
        for (const f of x) {
          const k = f * T + t;
          const w = weight(k, f === 0 ? 0 : s.l1);
          const sigma = (Math.sqrt(ns[k]! + g * g) - Math.sqrt(ns[k]!)) / s.alpha;
          zs[k] = zs[k]! + g - sigma * w;
          ns[k] = ns[k]! + g * g;
        }
      }
    }
  }
  const round = (v: number) => Math.round(v * 10000) / 10000;
  const words: Record<string, Array<[number, number]>> = {};
  vocab.forEach((f, i) => {
    const pairs: Array<[number, number]> = [];
    for (let t = 0; t < T; t++) {
      const w = round(weight((i + 1) * T + t, s.l1));
      if (w !== 0) pairs.push([t, w]);
    }
    if (pairs.length > 0) words[f] = pairs;
  });
  const { alpha: _alpha, beta: _beta, ...settings } = s;
  return { ...settings, topics, bias: topics.map((_, t) => round(weight(t, 0))), words };
}
