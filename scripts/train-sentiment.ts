// Trains the sentiment combiner (src/ai/sentiment-combiner.ts) on the tuning sets and writes its weights
// to src/ai/sentiment-combiner-weights.ts. Never reads the frozen report set.
//   npx tsx scripts/train-sentiment.ts            leave-one-set-out figures, then train on all and write
//   npx tsx scripts/train-sentiment.ts --check    leave-one-set-out figures only; fail if the written
//                                                 weights are not what training gives (CI-safe, writes nothing)
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import type { Sentiment } from '../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsightsWith } from '../src/ai/derive';
import { labelledCallSet } from '../src/ai/evaluation';
import type { CombinerWeights } from '../src/ai/sentiment-combiner';
import { combinedSentiment, combinerFeatures, trainCombiner } from '../src/ai/sentiment-combiner';
import { SENTIMENT_COMBINER } from '../src/ai/sentiment-combiner-weights';

// Every tuning set (sixty-one; tune61 is held out): 10,766 calls. Left out, p >= 0 is right on 8,978
// (7 read with the opposite polarity), p >= 0.40 on 8,967 (10). With sixty sets (10,586 calls): 8,836 (7)
// and 8,826 (10). With fifty-nine sets (10,406 calls): 8,692 (7)
// and 8,677 (10). With fifty-eight sets (10,226 calls): 8,542 (7)
// and 8,529 (10). With fifty-seven sets (10,046 calls): 8,398 (7)
// and 8,381 (10). With fifty-six sets (9,866 calls): 8,237 (7)
// and 8,223 (10). With fifty-five sets (9,686 calls): 8,100 (6)
// and 8,089 (9). With fifty-four sets (9,506 calls): 7,965 (6)
// and 7,955 (9). With fifty-two sets (9,146 calls): 7,663 (5)
// and 7,648 (8). With fifty-one sets (8,966 calls): 7,512 (5) and
// 7,502 (8). With forty-nine sets (8,606 calls): 7,204 (6) and
// 7,195 (9). With forty-eight sets (8,426 calls): 7,071 (6) and
// 7,059 (8). With forty-seven sets (8,246 calls): 6,913 (5) and
// 6,901 (9). With forty-six sets (8,066 calls): 6,748 (5) and
// 6,740 (8). With forty-five sets (7,886 calls): 6,581 (4) and 6,573
// (7). With forty-four sets (7,706 calls): 6,425 (6) and 6,421
// (8). With forty-three sets (7,526 calls): 6,268 (7) and 6,260 (7).
// With forty-two sets (7,346 calls): 6,103 (6) and 6,102 (7). With forty-one sets (7,166 calls): 5,957 (8) and 5,956 (8). With forty sets (6,986 calls): 5,811 (6) and 5,806 (8). With thirty-eight sets (6,626 calls): 5,500 (6) and 5,496 (8). With thirty-seven sets (6,446 calls): 5,342 (7) and 5,339 (9). With thirty-six sets (6,266 calls): 5,184 (8) and 5,186 (9). With thirty-five sets (6,086 calls): 5,034 (8) and 5,038 (9). With thirty-four sets (5,906 calls): 4,886 (9) and 4,888 (9). With thirty-three sets (5,771 calls), with thirty-two sets (5,576 calls). Left out, p >= 0 (the combiner always
// decides) is right on 4,274 (6 read with the opposite polarity), p >= 0.40 on 4,271 (7); on twenty-nine sets p
// >= 0 was right on 4,130 of 5,006, on twenty-eight sets p
// >= 0 was right on 3,979 of 4,826, on twenty-seven on 3,840 of 4,646, on twenty-six on 3,679 of 4,466, on twenty-five on 3,528 of 4,286, on twenty-
// four on 3,378 of 4,106, on twenty-three on 3,232 of 3,926, on twenty-two on 3,079 of 3,746, and on twenty-one
// sets the round before p >= 0.40 was chosen (2,930 of 3,566). tune14, tune17 and tune18 joined on 2026-12-04,
// measured on tune19 (then unseen, aggregate only): sentiment 78.5 -> 79.5 %; tune19 and tune20 joined in the
// round after, tune21 in the fourth 2026-12-04 round, tune22 to tune29 in the 2026-12-05 rounds, tune30 to tune46 on 2026-12-06, tune47 to tune60 on 2026-12-07. Trained on the
// fifteen sets before tune16, the combiner reversed the rules' polarity (positive <-> negative) on 11 of 2,690
// tuning calls, rightly on 6 and wrongly on 1, so no guard against reversals is kept.
export const TRAINING_SETS = [
  'eval/ai-calls.json',
  'eval/tune-calls.json',
  'eval/tune2-calls.json',
  'eval/tune3-calls.json',
  'eval/tune4-calls.json',
  'eval/tune5-calls.json',
  'eval/tune6-calls.json',
  'eval/tune7-calls.json',
  'eval/tune8-calls.json',
  'eval/tune9-calls.json',
  'eval/tune10-calls.json',
  'eval/tune11-calls.json',
  'eval/tune12-calls.json',
  'eval/tune13-calls.json',
  'eval/tune14-calls.json',
  'eval/tune15-calls.json',
  'eval/tune16-calls.json',
  'eval/tune17-calls.json',
  'eval/tune18-calls.json',
  'eval/tune19-calls.json',
  'eval/tune20-calls.json',
  'eval/tune21-calls.json',
  'eval/tune22-calls.json',
  'eval/tune23-calls.json',
  'eval/tune24-calls.json',
  'eval/tune25-calls.json',
  'eval/tune26-calls.json',
  'eval/tune27-calls.json',
  'eval/tune28-calls.json',
  'eval/tune29-calls.json',
  'eval/tune30-calls.json',
  'eval/tune31-calls.json',
  'eval/tune32-calls.json',
  'eval/tune33-calls.json',
  'eval/tune34-calls.json',
  'eval/tune35-calls.json',
  'eval/tune36-calls.json',
  'eval/tune37-calls.json',
  'eval/tune38-calls.json',
  'eval/tune39-calls.json',
  'eval/tune40-calls.json',
  'eval/tune41-calls.json',
  'eval/tune42-calls.json',
  'eval/tune43-calls.json',
  'eval/tune44-calls.json',
  'eval/tune45-calls.json',
  'eval/tune46-calls.json',
  'eval/tune47-calls.json',
  'eval/tune48-calls.json',
  'eval/tune49-calls.json',
  'eval/tune50-calls.json',
  'eval/tune51-calls.json',
  'eval/tune52-calls.json',
  'eval/tune53-calls.json',
  'eval/tune54-calls.json',
  'eval/tune55-calls.json',
  'eval/tune56-calls.json',
  'eval/tune57-calls.json',
  'eval/tune58-calls.json',
  'eval/tune59-calls.json',
  'eval/tune60-calls.json',
];
const L2 = 0.003;
const THRESHOLDS = [0, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
const EPOCHS = 400;
const OUT = resolve(__dirname, '../src/ai/sentiment-combiner-weights.ts');

interface Row {
  set: string;
  x: number[];
  y: Sentiment;
  rules: Sentiment | null;
}

function rowsOf(file: string): Row[] {
  const set = labelledCallSet.parse(JSON.parse(readFileSync(resolve(__dirname, '..', file), 'utf8')));
  // The combiner reads the rules' churn, before the learned churn check (derive.ts applies that last).
  const rules = { ...DEFAULT_ENGINE, combiner: null, churnModel: null };
  const rows: Row[] = [];
  for (const call of set.calls) {
    const expected = call.expected.sentiment;
    const reading = deriveCallInsightsWith(call.input, rules);
    // Calls without text have no sentiment either way; the combiner only re-reads a derived one.
    if (expected === null || reading.sentiment === null || reading.sources.sentiment !== 'derived') continue;
    rows.push({ set: basename(file), x: combinerFeatures(call.input, reading), y: expected, rules: reading.sentiment });
  }
  return rows;
}

function describe(rows: readonly Row[]): string {
  const sets = [...new Set(rows.map((r) => r.set))];
  return `${sets.map((s) => `${s} (${rows.filter((r) => r.set === s).length})`).join(', ')}: ${rows.length} calls`;
}

function render(w: CombinerWeights): string {
  const nums = (xs: readonly number[]) => `[${xs.join(', ')}]`;
  return [
    '// Generated by scripts/train-sentiment.ts from the tuning sets (never the report set); do not edit by hand.',
    "import type { CombinerWeights } from './sentiment-combiner';",
    '',
    'export const SENTIMENT_COMBINER: CombinerWeights | null = {',
    `  trainedOn: ${JSON.stringify(w.trainedOn)},`,
    `  l2: ${w.l2},`,
    `  epochs: ${w.epochs},`,
    `  minProbability: ${w.minProbability},`,
    `  features: ${JSON.stringify(w.features)},`,
    `  classes: ${JSON.stringify(w.classes)},`,
    `  mean: ${nums(w.mean)},`,
    `  scale: ${nums(w.scale)},`,
    '  weights: [',
    ...w.weights.map((row) => `    ${nums(row)},`),
    '  ],',
    '};',
    '',
  ].join('\n');
}

function main(argv: readonly string[]): void {
  const all = TRAINING_SETS.flatMap(rowsOf);
  console.log(`Sentiment combiner: ${describe(all)}; l2 ${L2}, ${EPOCHS} epochs`);
  // Leave one set out: trained on the others, scored on the one left out, for each threshold of how sure
  // the combiner must be to overrule the rules; the threshold with the most right calls is kept.
  const heldOut = TRAINING_SETS.map((f) => basename(f)).map((held) => {
    const w = trainCombiner(
      all.filter((r) => r.set !== held),
      { l2: L2, epochs: EPOCHS, trainedOn: 'cross-validation' },
    );
    return { held, test: all.filter((r) => r.set === held), w };
  });
  const readAt = (threshold: number, test: readonly Row[], w: CombinerWeights) =>
    test.map((r) => ({ y: r.y, got: combinedSentiment({ ...w, minProbability: threshold }, r.x, r.rules!).sentiment }));
  const rightAt = (threshold: number, test: readonly Row[], w: CombinerWeights) =>
    readAt(threshold, test, w).filter((r) => r.got === r.y).length;
  const REVERSED: Record<string, string> = { positive: 'negative', negative: 'positive' };
  // The threshold with the most right calls when left out, less the calls read with the opposite
  // polarity (a negative caller called positive is a worse miss than one called mixed, and the tests hold
  // the tuning sets to none); on a tie, the higher one (the rules' reading stands unless the data says
  // otherwise). Until tune7 a tolerance of half a percent of the calls also counted as a tie: it picked
  // p >= 0.55 over 0.40 (846 against 849 of 1,047 left out), and tune7's writers, unseen, then scored
  // 80.5 % at 0.55 against 82.6 % at 0.45, so the plain maximum is kept.
  const scored = THRESHOLDS.map((threshold) => {
    const reads = heldOut.flatMap((h) => readAt(threshold, h.test, h.w));
    const right = reads.filter((r) => r.got === r.y).length;
    const reversed = reads.filter((r) => r.got !== null && REVERSED[r.y ?? ''] === r.got).length;
    console.log(
      `  overrule at p ≥ ${threshold.toFixed(2)}: ${right} of ${all.length} right when left out, ${reversed} reversed`,
    );
    return { threshold, right, score: right - reversed };
  });
  const best = Math.max(...scored.map((x) => x.score));
  const minProbability = Math.max(...scored.filter((x) => x.score === best).map((x) => x.threshold));
  console.log(`Leave one set out at p ≥ ${minProbability} (exact sentiment):`);
  for (const { held, test, w } of heldOut) {
    const rules = test.filter((r) => r.rules === r.y).length / test.length;
    const learned = rightAt(minProbability, test, w) / test.length;
    console.log(
      `  ${held.padEnd(18)} ${String(test.length).padStart(4)} calls   rules ${(rules * 100).toFixed(1)} %   combiner ${(learned * 100).toFixed(1)} %`,
    );
  }
  const weights = trainCombiner(all, { l2: L2, epochs: EPOCHS, trainedOn: describe(all), minProbability });
  const text = render(weights);
  if (argv.includes('--check')) {
    if (SENTIMENT_COMBINER === null || text !== render(SENTIMENT_COMBINER)) {
      console.error('src/ai/sentiment-combiner-weights.ts is not what training on the tuning sets gives: run');
      console.error('npx tsx scripts/train-sentiment.ts and commit the result.');
      process.exitCode = 1;
    } else console.log('Weights up to date.');
    return;
  }
  writeFileSync(OUT, text);
  console.log(`Wrote ${OUT}`);
}

if (require.main === module) main(process.argv.slice(2));
