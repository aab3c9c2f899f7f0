// The learned order of theme phrases: a logistic regression, trained by scripts/train-themes.ts on the
// tuning sets only (never the report set), over each candidate noun phrase that wink-nlp finds. It
// predicts whether a reader would file the call under that phrase (in training: whether the phrase holds
// one of the call's labelled theme keywords). The frequency score alone favours what is said most, often
// the product's own name ("Argan masks", "Ash toner"); readers file calls under the business's topics
// ("order", "delivery", "renewal"), whatever the product. The model weighs the frequency score with which
// side of the call said the phrase's head noun, whether the recap's first sentence or its last line (the
// outcome) names it, and how often that head noun, across the tuning sets, was what readers filed calls
// under (src/ai/README.md, "The learned order of themes").
// Deterministic: fixed weights, plain arithmetic, no randomness.
import type { Phrase, PhraseExtractor } from './themes-phrases';
import { stem, tokenize } from './text';

export interface ThemeModel {
  /** What the weights were trained on (file names and counts), for the docs. */
  trainedOn: string;
  l2: number;
  epochs: number;
  /** A word feature is in the vocabulary when at least this many training candidates have it. */
  minCount: number;
  /** Names of the dense features, in order (see phraseFeatures). */
  features: readonly string[];
  /** Mean and standard deviation of each dense feature over the training candidates (bias: 0 and 1). */
  mean: readonly number[];
  sd: readonly number[];
  weights: readonly number[];
  /** "h:<stem>" a head noun, "m:<stem>" a modifier: a weight each. */
  words: Readonly<Record<string, number>>;
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

export function themeLogit(model: ThemeModel, f: PhraseFeatures): number {
  let z = 0;
  f.dense.forEach((x, j) => {
    z += (model.weights[j] ?? 0) * (j === 0 ? 1 : (x - (model.mean[j] ?? 0)) / (model.sd[j] || 1));
  });
  for (const w of f.words) z += model.words[w] ?? 0;
  return z;
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

/**
 * Trains the model: full-batch gradient descent on the L2-regularised logistic loss, dense features
 * standardised, from zeros, a fixed number of epochs (the same data gives the same weights everywhere).
 */
export function trainThemeModel(
  rows: ReadonlyArray<PhraseFeatures & { y: 0 | 1 }>,
  opts: { l2: number; epochs: number; minCount: number; rate?: number; trainedOn: string },
): ThemeModel {
  const rate = opts.rate ?? 1;
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  const d = THEME_FEATURES.length;
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
    dense: r.dense.map((x, j) => (j === 0 ? 1 : (x - mean[j]!) / sd[j]!)),
    words: [...new Set(r.words)].map((w) => index.get(w)).filter((i): i is number => i !== undefined),
    y: r.y,
  }));
  const w = new Array<number>(d).fill(0);
  const v = new Array<number>(vocab.length).fill(0);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const gw = new Array<number>(d).fill(0);
    const gv = new Array<number>(vocab.length).fill(0);
    for (const x of xs) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j]! * x.dense[j]!;
      for (const i of x.words) z += v[i]!;
      const g = 1 / (1 + Math.exp(-z)) - x.y;
      for (let j = 0; j < d; j++) gw[j]! += g * x.dense[j]!;
      for (const i of x.words) gv[i]! += g;
    }
    for (let j = 0; j < d; j++) w[j]! -= rate * (gw[j]! / xs.length + (j === 0 ? 0 : opts.l2 * w[j]!));
    for (let i = 0; i < vocab.length; i++) v[i]! -= rate * (gv[i]! / xs.length + opts.l2 * v[i]!);
  }
  return {
    trainedOn: opts.trainedOn,
    l2: opts.l2,
    epochs: opts.epochs,
    minCount: opts.minCount,
    features: THEME_FEATURES,
    mean,
    sd,
    weights: w.map(round),
    words: Object.fromEntries(vocab.map((word, i) => [word, round(v[i]!)]).filter(([, x]) => x !== 0)),
  };
}
