// Trains the learned order of theme phrases (src/ai/themes-learned.ts) on the tuning sets and writes its
// weights to src/ai/theme-model.json. Never reads the frozen report set, nor a set held out for the next
// round (tune61 at the time of writing).
//   npx tsx scripts/train-themes.ts            train on the tuning sets and write the model
//   npx tsx scripts/train-themes.ts --check    fail if the written model is not what training gives
//                                              (CI-safe, writes nothing)
//   npx tsx scripts/train-themes.ts --cv       themes recall@5 when each fifth of the tuning sets is scored by
//                                              a model trained on the other four fifths (writes nothing)
//
// The settings were chosen by that cross-validation over the thirty tuning sets (src/ai/README.md, "The
// learned order of themes"): the logistic regression of the rounds before, 91.66 %; this network, 92.76 %
// (eight hidden units, four epochs; sixteen units 92.62, four units 92.72, three or ten epochs within 0.3
// point; other seeds 92.59 to 92.89), with 28 of the 30 sets gaining; 92.85 % with the round's two filters
// ("Call" alone, "Imran-ji"); 92.97 % with a verb as a compound's modifier ("spin class"), as --cv prints it.
import { basename, resolve } from 'node:path';

import { DEFAULT_ENGINE, deriveCallInsightsWith } from '../src/ai/derive';
import type { LabelledCallSet } from '../src/ai/evaluation';
import { evaluateCallSet } from '../src/ai/evaluation';
import { learnedPhrases, type PhraseFeatures, phraseFeatures, trainThemeModel } from '../src/ai/themes-learned';
import type { PhraseExtractor } from '../src/ai/themes-phrases';
import { winkPhrases } from '../src/ai/themes-phrases';
import { loadLabelledSet, renderWordModel, trainedOnOf, writeOrCheck } from './learned-model-file';
import { TRAINING_SETS } from './train-sentiment';

const SETTINGS = { l2: 0.001, epochs: 4, minCount: 5, hidden: 8, rate: 0.005, batch: 256, seed: 42 };
export const THEME_TRAINING_SETS = TRAINING_SETS;
const OUT = resolve(__dirname, '../src/ai/theme-model.json');

type Row = PhraseFeatures & { y: 0 | 1 };

/**
 * Every candidate phrase of every labelled call with keywords, as the rules hand them to the theme step:
 * positive when the phrase holds one of the call's keywords (the evaluation's own test).
 */

export function themeRowsOf(file: string, set: LabelledCallSet = loadLabelledSet(file)): Array<Row & { set: string }> {
  const rows: Array<Row & { set: string }> = [];
  for (const call of set.calls) {
    const keywords = call.expected.themes.map((k) => k.toLowerCase());
    if (keywords.length === 0) continue;
    const recording: PhraseExtractor = (weighted, names) => {
      const candidates = winkPhrases(weighted, names);
      phraseFeatures(weighted, candidates).forEach((f, i) => {
        const phrase = (candidates[i]?.phrase ?? '').toLowerCase();
        rows.push({ ...f, y: keywords.some((k) => phrase.includes(k)) ? 1 : 0, set: basename(file) });
      });
      return candidates;
    };
    deriveCallInsightsWith(call.input, { ...DEFAULT_ENGINE, phrases: recording });
  }
  return rows;
}

/**
 * Themes recall@5 with each call's phrases ordered by a model that never saw its set: the sets are dealt
 * into five folds in turn, and each fold is scored through the whole derivation by a model trained on the
 * other four.
 */
function crossValidate(): void {
  const FOLDS = 5;
  const bySet = THEME_TRAINING_SETS.map((file) => {
    const set = loadLabelledSet(file);
    return { file, set, rows: themeRowsOf(file, set) };
  });
  let sum = 0;
  let calls = 0;
  for (let fold = 0; fold < FOLDS; fold++) {
    const held = THEME_TRAINING_SETS.filter((_, i) => i % FOLDS === fold);
    const rows = bySet.filter((s) => !held.includes(s.file)).flatMap((s) => s.rows);
    const model = trainThemeModel(rows, { ...SETTINGS, trainedOn: `fold ${fold + 1}` });
    const phrases = learnedPhrases(model, winkPhrases);
    for (const { set } of bySet.filter((s) => held.includes(s.file))) {
      const scored = evaluateCallSet(set, (input) => deriveCallInsightsWith(input, { ...DEFAULT_ENGINE, phrases }));
      for (const r of scored.results) {
        if (r.themeRecall === null) continue;
        sum += r.themeRecall;
        calls += 1;
      }
    }
  }
  console.log(`Themes recall@5, ${FOLDS}-fold by set: ${((100 * sum) / calls).toFixed(2)} % over ${calls} calls`);
}

function main(argv: readonly string[]): void {
  if (argv.includes('--cv')) return crossValidate();
  const rows = THEME_TRAINING_SETS.flatMap((file) => themeRowsOf(file));
  const trainedOn = `${trainedOnOf(rows, 'candidate phrases')}, ${rows.filter((r) => r.y === 1).length} holding a keyword`;
  const model = trainThemeModel(rows, { ...SETTINGS, trainedOn });
  console.log(`Learned theme order: ${trainedOn}; ${Object.keys(model.words).length} words`);
  writeOrCheck(argv, OUT, renderWordModel(model), 'scripts/train-themes.ts');
}

if (require.main === module) main(process.argv.slice(2));
