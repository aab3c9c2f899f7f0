// Accuracy of the derived call insights against the labelled calls in eval/ai-calls.json.
//   npx tsx scripts/eval-ai.ts            human-readable report, with every miss
//   npx tsx scripts/eval-ai.ts --json     machine-readable figures
//   npx tsx scripts/eval-ai.ts --file other.json
//   npx tsx scripts/eval-ai.ts --file eval/tune-calls.json --part tune|dev   one side of the tuning split
//     (tune2-calls.json: dev is every 4th call, the validation split)
//   npx tsx scripts/eval-ai.ts --file eval/report-calls.json --json --aggregate
//     figures and per-category aggregates only, no call ids, labels or misses (for the frozen report set)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { EvaluationFigures } from '../src/ai/evaluation';
import { evaluateCallSet, isDevCall, labelledCallSet } from '../src/ai/evaluation';

function main(argv: readonly string[]): void {
  const fileArg = argv.indexOf('--file');
  const file = resolve(
    fileArg >= 0 && argv[fileArg + 1] ? argv[fileArg + 1]! : resolve(__dirname, '../eval/ai-calls.json'),
  );
  const set = labelledCallSet.parse(JSON.parse(readFileSync(file, 'utf8')));
  const partArg = argv.indexOf('--part');
  const part = partArg >= 0 ? argv[partArg + 1] : undefined;
  if (part !== undefined && part !== 'tune' && part !== 'dev') throw new Error('--part is tune or dev');
  if (part) set.calls = set.calls.filter((c) => isDevCall(c.id) === (part === 'dev'));
  const figures = evaluateCallSet(set);

  if (argv.includes('--json') && argv.includes('--aggregate')) {
    const { results: _results, ...summary } = figures;
    console.log(JSON.stringify({ file, part: part ?? 'all', ...summary }, null, 2));
    return;
  }
  if (argv.includes('--json')) {
    const { results, ...summary } = figures;
    const misses = results
      .filter(
        (r) => !r.sentimentOk || !r.churnOk || !r.resolvedOk || r.missingThemes.length > 0 || r.badThemes.length > 0,
      )
      .map((r) => ({
        id: r.id,
        expected: r.expected,
        actual: r.actual,
        missingThemes: r.missingThemes,
        badThemes: r.badThemes,
      }));
    console.log(JSON.stringify({ file, part: part ?? 'all', ...summary, misses }, null, 2));
    return;
  }
  printReport(file, figures);
}

function printReport(file: string, f: EvaluationFigures): void {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  console.log(`Call insights evaluation: ${f.calls} labelled calls (${file})\n`);
  console.log(`  sentiment exact          ${pct(f.sentimentAccuracy)}`);
  console.log(`  churn risk exact         ${pct(f.churnAccuracy)}`);
  console.log(`  churn risk within one    ${pct(f.churnWithinOneAccuracy)}`);
  console.log(`  resolved exact           ${pct(f.resolvedAccuracy)}`);
  console.log(
    `  themes recall@5          ${pct(f.themesRecallAt5)}  (${f.themeCallsScored} calls with expected themes)`,
  );
  console.log(`  bad themes               ${f.badThemes}  (fillers, greetings, interjections or names)\n`);

  const labels = Object.keys(f.sentimentConfusion) as Array<keyof EvaluationFigures['sentimentConfusion']>;
  console.log('Sentiment confusion (rows expected, columns derived):');
  console.log(`  ${''.padEnd(10)}${labels.map((l) => l.padStart(10)).join('')}`);
  for (const e of labels) {
    console.log(`  ${e.padEnd(10)}${labels.map((p) => String(f.sentimentConfusion[e][p]).padStart(10)).join('')}`);
  }

  console.log('\nBy category (exact sentiment / churn / resolved):');
  for (const [category, c] of Object.entries(f.byCategory)) {
    console.log(
      `  ${category.padEnd(14)} n=${String(c.calls).padStart(2)}  ${pct(c.sentiment).padStart(6)}  ${pct(c.churn).padStart(6)}  ${pct(c.resolved).padStart(6)}`,
    );
  }

  console.log('\nMisses:');
  for (const r of f.results) {
    const diffs: string[] = [];
    if (!r.sentimentOk) diffs.push(`sentiment ${r.expected.sentiment} → ${r.actual.sentiment}`);
    if (!r.churnOk) diffs.push(`churn ${r.expected.churnRisk} → ${r.actual.churnRisk}`);
    if (!r.resolvedOk) diffs.push(`resolved ${r.expected.resolved} → ${r.actual.resolved}`);
    if (r.badThemes.length > 0) diffs.push(`bad themes [${r.badThemes.join(', ')}]`);
    if (r.missingThemes.length > 0)
      diffs.push(`themes missing [${r.missingThemes.join(', ')}] in [${(r.actual.themes ?? []).join(', ')}]`);
    if (diffs.length > 0) console.log(`  ${r.id.padEnd(14)} ${diffs.join('; ')}`);
  }
}

main(process.argv.slice(2));
