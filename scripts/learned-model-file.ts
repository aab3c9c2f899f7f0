// What the training scripts of the learned steps share (scripts/train-churn.ts, scripts/train-themes.ts):
// the model file's layout, the description of what it was trained on, and writing it or checking it.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { type LabelledCallSet, labelledCallSet } from '../src/ai/evaluation';

/** "a.json (12), b.json (30): 42 calls": the sets in the order first seen, each with its rows. */
export function trainedOnOf(rows: ReadonlyArray<{ set: string }>, unit: string): string {
  const sets = [...new Set(rows.map((r) => r.set))];
  return `${sets.map((s) => `${s} (${rows.filter((r) => r.set === s).length})`).join(', ')}: ${rows.length} ${unit}`;
}

/** The model as JSON with one word per line, so a retrain's diff shows which words moved. */
export function renderWordModel(m: { words: Readonly<Record<string, unknown>> }): string {
  const { words, ...head } = m;
  const top = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const lines = Object.entries(words).map(([w, x]) => `    ${JSON.stringify(w)}: ${JSON.stringify(x)}`);
  return ['{', ...top, '  "words": {', lines.join(',\n'), '  }', '}', ''].join('\n');
}

/** Writes the model, or with --check fails (exit code 1) when the committed file is not what training gives. */
export function writeOrCheck(argv: readonly string[], out: string, text: string, script: string): void {
  if (argv.includes('--check')) {
    if (readFileSync(out, 'utf8') !== text) {
      console.error(`src/ai/${basename(out)} is not what training on the tuning sets gives: run`);
      console.error(`npx tsx ${script} and commit the result.`);
      process.exitCode = 1;
    } else console.log('Model up to date.');
    return;
  }
  writeFileSync(out, text);
  console.log(`Wrote ${out}`);
}

/** A labelled set by its path from the repository's root, checked against the set's format. */
export function loadLabelledSet(file: string): LabelledCallSet {
  return labelledCallSet.parse(JSON.parse(readFileSync(resolve(__dirname, '..', file), 'utf8')));
}
