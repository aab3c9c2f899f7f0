// Trains the learned topics (src/ai/topics-learned.ts) on the tuning sets and writes the weights to
// src/ai/topic-model.json. Never reads the frozen report set, nor a set held out for the next round (tune61
// at the time of writing).
//   npx tsx scripts/train-topics.ts                 train on the tuning sets and write the model
//   npx tsx scripts/train-topics.ts --check         fail if the written model is not what training gives
//                                                   (CI-safe, writes nothing)
//   npx tsx scripts/train-topics.ts --cv [p,p,...]  themes recall@5 when each fifth of the tuning sets is
//                                                   scored with topics from a model trained on the other four
//                                                   fifths, without topics and at each minimum probability
//                                                   (writes nothing)
import { basename, resolve } from 'node:path';

import { DEFAULT_ENGINE, deriveCallInsightsWith } from '../src/ai/derive';
import type { LabelledCallSet } from '../src/ai/evaluation';
import { evaluateCallSet } from '../src/ai/evaluation';
import { type TopicModel, topicFeatures, trainTopicModel } from '../src/ai/topics-learned';
import { loadLabelledSet, renderWordModel, trainedOnOf, writeOrCheck } from './learned-model-file';
import { TRAINING_SETS } from './train-sentiment';

const SETTINGS = {
  l1: 20,
  l2: 1,
  alpha: 0.1,
  beta: 1,
  epochs: 8,
  minCount: 5,
  minTopicCalls: 15,
  minProbability: 0.2,
  seed: 42,
};
const OUT = resolve(__dirname, '../src/ai/topic-model.json');

type Row = { set: string; features: string[]; topics: string[] };

/** Every labelled call with keywords: its word features and its keywords, lower-cased, as topics. */
function rowsOf(file: string, set: LabelledCallSet = loadLabelledSet(file)): Row[] {
  return set.calls
    .filter((c) => c.expected.themes.length > 0)
    .map((c) => ({
      set: basename(file),
      features: topicFeatures(c.input),
      topics: [...new Set(c.expected.themes.map((k) => k.toLowerCase().trim()))],
    }));
}

function train(rows: readonly Row[], trainedOn: string): TopicModel {
  return trainTopicModel(rows, { ...SETTINGS, trainedOn });
}

/**
 * Themes recall@5 over the tuning sets, each fifth of the sets (dealt in turn) read with topics from a model
 * trained on the other four: without topics, then at each minimum probability given.
 */
function crossValidate(thresholds: readonly number[]): void {
  const FOLDS = 5;
  const bySet = TRAINING_SETS.map((file) => {
    const set = loadLabelledSet(file);
    return { file, set, rows: rowsOf(file, set) };
  });
  const sums = new Map<string, { sum: number; calls: number }>();
  for (let fold = 0; fold < FOLDS; fold++) {
    const held = TRAINING_SETS.filter((_, i) => i % FOLDS === fold);
    const model = train(
      bySet.filter((s) => !held.includes(s.file)).flatMap((s) => s.rows),
      `fold ${fold + 1}`,
    );
    const variants: Array<[string, TopicModel | null]> = [
      ['without topics', null],
      ...thresholds.map((p): [string, TopicModel] => [`topics at p >= ${p}`, { ...model, minProbability: p }]),
    ];
    for (const [name, topics] of variants) {
      const total = sums.get(name) ?? { sum: 0, calls: 0 };
      sums.set(name, total);
      for (const { set } of bySet.filter((s) => held.includes(s.file))) {
        const scored = evaluateCallSet(set, (input) => deriveCallInsightsWith(input, { ...DEFAULT_ENGINE, topics }));
        for (const r of scored.results) {
          if (r.themeRecall === null) continue;
          total.sum += r.themeRecall;
          total.calls += 1;
        }
      }
    }
    console.error(`fold ${fold + 1} of ${FOLDS} done`);
  }
  for (const [name, { sum, calls }] of sums)
    console.log(
      `Themes recall@5, ${FOLDS}-fold by set, ${name}: ${((100 * sum) / calls).toFixed(2)} % over ${calls} calls`,
    );
}

function main(argv: readonly string[]): void {
  const cv = argv.indexOf('--cv');
  if (cv >= 0) {
    const list = argv[cv + 1] && !argv[cv + 1]!.startsWith('--') ? argv[cv + 1]! : String(SETTINGS.minProbability);
    return crossValidate(list.split(',').map(Number));
  }
  const rows = TRAINING_SETS.flatMap((file) => rowsOf(file));
  const model = train(rows, trainedOnOf(rows, 'calls with keywords'));
  const weights = Object.values(model.words).reduce((n, w) => n + w.length, 0);
  console.log(
    `Learned topics: ${model.topics.length} topics, ${Object.keys(model.words).length} words, ${weights} weights`,
  );
  writeOrCheck(argv, OUT, renderWordModel(model), 'scripts/train-topics.ts');
}

if (require.main === module) main(process.argv.slice(2));
