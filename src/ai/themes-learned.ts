// The learned order of theme phrases: a small neural network (one layer of eight tanh units beside a linear
// part), trained by scripts/train-themes.ts on the tuning sets only (never the report set), over each
// candidate noun phrase that wink-nlp finds. It
// predicts whether a reader would file the call under that phrase (in training: whether the phrase holds
// one of the call's labelled theme keywords). The frequency score alone favours what is said most, often
// the product's own name ("Argan masks", "Ash toner"); readers file calls under the business's topics
// ("order", "delivery", "renewal"), whatever the product. The model weighs the frequency score with which
// side of the call said the phrase's head noun, whether the recap's first sentence or its last line (the
// outcome) names it, and how often that head noun, across the tuning sets, was what readers filed calls
// under, and the hidden units weigh them together (src/ai/README.md, "The learned order of themes").
// Deterministic: fixed weights, plain arithmetic, no randomness at use; training is seeded.
import type { Phrase, PhraseExtractor } from './themes-phrases';
import { stem, tokenize } from './text';

export interface ThemeModel {
  /** What the weights were trained on (file names and counts), for the docs. */
  trainedOn: string;
  l2: number;
  epochs: number;
  /** A word feature is in the vocabulary when at least this many training candidates have it. */
  minCount: number;
  /** Hidden units, Adam's step size, the minibatch size and the seed of the shuffles and the first weights. */
  hidden: number;
  rate: number;
  batch: number;
  seed: number;
  /** Names of the dense features, in order (see phraseFeatures). */
  features: readonly string[];
  /** Mean and standard deviation of each dense feature over the training candidates (bias: 0 and 1). */
  mean: readonly number[];
  sd: readonly number[];
  /** Each hidden unit's weights on the standardised dense features. */
  hiddenWeights: ReadonlyArray<readonly number[]>;
  /** The output's weight on each hidden unit. */
  output: readonly number[];
  /** The output's direct (linear) weight on each standardised dense feature. */
  linear: readonly number[];
  /**
   * "h:<stem>" a head noun, "m:<stem>" a modifier: its direct weight on the output, then what it adds to
   * each hidden unit.
   */
  words: Readonly<Record<string, readonly number[]>>;
}

export const THEME_FEATURES: readonly string[] = [
  'bias',
  'log frequency score',
  'score / best score',
  '1 / rank by score',
  'one word',
  'two words',
  'log head count in the recap',
  'log head count in the caller lines',
  'log head count in the agent lines',
  'head in the recap',
  'first mention / candidates',
  'head in the first recap sentence',
  'head in the last recap line',
];

export interface PhraseFeatures {
  dense: number[];
  words: string[];
}

type Weighted = ReadonlyArray<{ text: string; weight: number; source?: string }>;

/** The features of each candidate, in the extractor's order (by frequency score). */
export function phraseFeatures(weighted: Weighted, candidates: readonly Phrase[]): PhraseFeatures[] {
  const counts = new Map<string, Map<string, number>>();
  for (const { text, source = 'caller' } of weighted) {
    const bySource = counts.get(source) ?? new Map<string, number>();
    counts.set(source, bySource);
    for (const t of tokenize(text)) {
      const s = stem(t.lower);
      bySource.set(s, (bySource.get(s) ?? 0) + 1);
    }
  }
  const count = (source: string, s: string) => counts.get(source)?.get(s) ?? 0;
  const recapTexts = weighted.filter((w) => w.source === 'recap').map((w) => w.text);
  const stemsIn = (text: string | undefined) => new Set(text ? tokenize(text).map((t) => stem(t.lower)) : []);
  const firstRecap = stemsIn(recapTexts[0]);
  const lastRecap = stemsIn(recapTexts.length > 1 ? recapTexts[recapTexts.length - 1] : undefined);
  const best = Math.max(1, ...candidates.map((p) => p.score));
  return candidates.map((p, rank) => {
    const stems = p.phrase
      .toLowerCase()
      .split(' ')
      .map((w) => stem(w));
    const head = stems[stems.length - 1] ?? '';
    return {
      dense: [
        1,
        Math.log1p(p.score),
        p.score / best,
        1 / (rank + 1),
        stems.length === 1 ? 1 : 0,
        stems.length === 2 ? 1 : 0,
        Math.log1p(count('recap', head)),
        Math.log1p(count('caller', head)),
        Math.log1p(count('agent', head)),
        count('recap', head) > 0 ? 1 : 0,
        p.first / Math.max(1, candidates.length),
        firstRecap.has(head) ? 1 : 0,
        lastRecap.has(head) ? 1 : 0,
      ],
      words: [`h:${head}`, ...stems.slice(0, -1).map((s) => `m:${s}`)],
    };
  });
}

function standardised(model: Pick<ThemeModel, 'mean' | 'sd'>, dense: readonly number[]): number[] {
  return dense.map((x, j) => (j === 0 ? 1 : (x - (model.mean[j] ?? 0)) / (model.sd[j] || 1)));
}

/** The network's output (a logit) for one candidate: tanh hidden units plus a direct linear part. */
export function themeLogit(model: ThemeModel, f: PhraseFeatures): number {
  const x = standardised(model, f.dense);
  const words = [...new Set(f.words)].map((w) => model.words[w]).filter((w): w is readonly number[] => !!w);
  return forward(model.hiddenWeights, model.output, model.linear, words, x).z;
}

function forward(
  hiddenWeights: ReadonlyArray<readonly number[]>,
  output: readonly number[],
  linear: readonly number[],
  words: ReadonlyArray<readonly number[]>,
  x: readonly number[],
): { h: number[]; z: number } {
  const h = hiddenWeights.map((row, k) => {
    let a = 0;
    row.forEach((w, j) => (a += w * (x[j] ?? 0)));
    for (const w of words) a += w[k + 1] ?? 0;
    return Math.tanh(a);
  });
  let z = 0;
  h.forEach((v, k) => (z += (output[k] ?? 0) * v));
  linear.forEach((w, j) => (z += w * (x[j] ?? 0)));
  for (const w of words) z += w[0] ?? 0;
  return { h, z };
}

/**
 * The base extractor's candidates, ordered by the model's probability (ties: the earlier phrase); each
 * phrase's score becomes that probability, which the themes' explanation shows.
 */
export function learnedPhrases(model: ThemeModel, base: PhraseExtractor): PhraseExtractor {
  return (weighted, names) => {
    const candidates = base(weighted, names);
    const features = phraseFeatures(weighted, candidates);
    return candidates
      .map((p, i) => ({ p, z: themeLogit(model, features[i]!) }))
      .sort((a, b) => b.z - a.z || a.p.first - b.p.first)
      .map(({ p, z }) => ({ ...p, score: Math.round(100 / (1 + Math.exp(-z))) / 100 }));
  };
}

/** A fixed-seed generator (a linear congruential one): the same data gives the same weights everywhere. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** What training is given: the model's own settings and what it was trained on. */
export type ThemeTraining = Pick<
  ThemeModel,
  'l2' | 'epochs' | 'minCount' | 'hidden' | 'rate' | 'batch' | 'seed' | 'trainedOn'
>;

/**
 * Trains the model: a network with one layer of tanh units (and a direct linear part) over the standardised
 * dense features and the words, on the logistic loss with L2, by Adam over shuffled minibatches. A linear
 * model cannot say "a one-word phrase is a topic when the recap names it, a title when only the caller does";
 * the hidden units can (src/ai/README.md, "The learned order of themes"). Deterministic: a seeded generator
 * gives the first weights and the shuffles.
 */
export function trainThemeModel(rows: ReadonlyArray<PhraseFeatures & { y: 0 | 1 }>, opts: ThemeTraining): ThemeModel {
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  const d = THEME_FEATURES.length;
  const H = opts.hidden;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(1);
  for (let j = 1; j < d; j++) {
    const m = rows.reduce((s, r) => s + (r.dense[j] ?? 0), 0) / rows.length;
    const v = rows.reduce((s, r) => s + ((r.dense[j] ?? 0) - m) ** 2, 0) / rows.length;
    // Rounded as the model stores them, so training and use standardise alike.
    mean[j] = round(m);
    sd[j] = round(Math.sqrt(v)) || 1;
  }
  const df = new Map<string, number>();
  for (const r of rows) for (const w of new Set(r.words)) df.set(w, (df.get(w) ?? 0) + 1);
  const vocab = [...df]
    .filter(([, n]) => n >= opts.minCount)
    .map(([w]) => w)
    .sort();
  const index = new Map(vocab.map((w, i) => [w, i]));
  const xs = rows.map((r) => ({
    x: standardised({ mean, sd }, r.dense),
    words: [...new Set(r.words)].map((w) => index.get(w)).filter((i): i is number => i !== undefined),
    y: r.y,
  }));
  const random = seeded(opts.seed);
  const small = () => (random() * 2 - 1) * 0.1;
  // Every parameter lives in one of these arrays: H hidden rows, one row per word, the output, the linear part.
  const hiddenWeights = Array.from({ length: H }, () => Array.from({ length: d }, small));
  const wordRows = vocab.map(() => [0, ...Array.from({ length: H }, small)]);
  const output = Array.from({ length: H }, small);
  const linear = new Array<number>(d).fill(0);
  const params: number[][] = [...hiddenWeights, ...wordRows, output, linear];
  const OUTPUT = H + vocab.length;
  const LINEAR = OUTPUT + 1;
  const m1 = params.map((p) => new Array<number>(p.length).fill(0));
  const m2 = params.map((p) => new Array<number>(p.length).fill(0));
  const order = xs.map((_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let b = 0; b < order.length; b += opts.batch) {
      const batch = order.slice(b, b + opts.batch);
      const grads = params.map(() => new Map<number, number>());
      const add = (p: number, k: number, g: number) => grads[p]!.set(k, (grads[p]!.get(k) ?? 0) + g);
      for (const n of batch) {
        const x = xs[n]!;
        const { h, z } = forward(
          hiddenWeights,
          output,
          linear,
          x.words.map((i) => wordRows[i]!),
          x.x,
        );
        const gz = (1 / (1 + Math.exp(-z)) - x.y) / batch.length;
        for (let k = 0; k < H; k++) {
          add(OUTPUT, k, gz * h[k]!);
          const gh = gz * output[k]! * (1 - h[k]! * h[k]!);
          for (let j = 0; j < d; j++) add(k, j, gh * x.x[j]!);
          for (const i of x.words) add(H + i, k + 1, gh);
        }
        for (let j = 0; j < d; j++) add(LINEAR, j, gz * x.x[j]!);
        for (const i of x.words) add(H + i, 0, gz);
      }
      step += 1;
      grads.forEach((g, p) => {
        const w = params[p]!;
        for (const [k, raw] of g) {
          const gv = raw + opts.l2 * w[k]!;
          m1[p]![k] = 0.9 * m1[p]![k]! + 0.1 * gv;
          m2[p]![k] = 0.999 * m2[p]![k]! + 0.001 * gv * gv;
          const hat1 = m1[p]![k] / (1 - 0.9 ** step);
          const hat2 = m2[p]![k] / (1 - 0.999 ** step);
          w[k] = w[k]! - (opts.rate * hat1) / (Math.sqrt(hat2) + 1e-8);
        }
      });
    }
  }
  return {
    trainedOn: opts.trainedOn,
    l2: opts.l2,
    epochs: opts.epochs,
    minCount: opts.minCount,
    hidden: H,
    rate: opts.rate,
    batch: opts.batch,
    seed: opts.seed,
    features: THEME_FEATURES,
    mean,
    sd,
    hiddenWeights: hiddenWeights.map((row) => row.map(round)),
    output: output.map(round),
    linear: linear.map(round),
    words: Object.fromEntries(vocab.map((word, i) => [word, wordRows[i]!.map(round)])),
  };
}
