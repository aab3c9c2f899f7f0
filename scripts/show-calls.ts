// Prints labelled calls with what the rules derive and why, for tuning:
//   npx tsx scripts/show-calls.ts --file eval/tune2-calls.json [--part tune] [--misses sentiment|churn|resolved|themes|any] [ids…]
// Refuses the frozen report set (eval/report-calls.json): it is scored only in aggregate.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { deriveCallInsights } from '../src/ai/derive';
import { evaluateCallSet, isDevCall, labelledCallSet } from '../src/ai/evaluation';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const file = resolve(opt('--file') ?? 'eval/tune2-calls.json');
if (basename(file).startsWith('report')) throw new Error('the report set is scored only in aggregate');
const set = labelledCallSet.parse(JSON.parse(readFileSync(file, 'utf8')));
const part = opt('--part');
if (part) set.calls = set.calls.filter((c) => isDevCall(c.id) === (part === 'dev'));
if (part === 'dev') throw new Error('the validation split is scored only in aggregate');
const misses = opt('--misses');
const ids = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const figures = evaluateCallSet(set);
for (const r of figures.results) {
  if (ids.length && !ids.includes(r.id)) continue;
  const miss =
    misses === 'sentiment'
      ? !r.sentimentOk
      : misses === 'churn'
        ? !r.churnOk
        : misses === 'resolved'
          ? !r.resolvedOk
          : misses === 'themes'
            ? r.missingThemes.length > 0 || r.badThemes.length > 0
            : misses === 'any'
              ? !r.sentimentOk || !r.churnOk || !r.resolvedOk || r.missingThemes.length > 0
              : true;
  if (!miss) continue;
  const call = set.calls.find((c) => c.id === r.id)!;
  const d = deriveCallInsights(call.input);
  console.log(`=== ${r.id} [${r.category}] ${call.direction}`);
  console.log(`summary: ${call.input.recapSummary}`);
  console.log(
    `outcome: ${call.input.recapOutcome} | disposition: ${call.input.disposition} | purposes: ${JSON.stringify(call.input.recapPurposes)}`,
  );
  for (const l of call.input.transcriptLines ?? [])
    console.log(
      `  ${l.speaker === 'caller' ? 'C' : l.speaker === 'agent' ? 'A' : l.type === 'transcript' ? '?' : 'M'}: ${l.content}`,
    );
  console.log(
    `expected: ${r.expected.sentiment} / ${r.expected.churnRisk} / ${r.expected.resolved} / [${r.expected.themes.join(', ')}]`,
  );
  console.log(`derived:  ${d.sentiment} / ${d.churnRisk} / ${d.resolved} / [${(d.themes ?? []).join(', ')}]`);
  console.log(`  why sentiment: ${d.explanation.sentiment}`);
  console.log(`  why churn: ${d.explanation.churnRisk} ${JSON.stringify(d.churnReasons)}`);
  console.log(`  why resolved: ${d.explanation.resolved}`);
}
