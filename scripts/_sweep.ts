import { readFileSync } from 'node:fs';
import { SENTIMENT_THRESHOLDS } from '../src/ai/sentiment';
import { evaluateCallSet, isDevCall, labelledCallSet } from '../src/ai/evaluation';
const load = (f: string) => labelledCallSet.parse(JSON.parse(readFileSync(f, 'utf8')));
const ai = load('eval/ai-calls.json'), tune = load('eval/tune-calls.json'), t2 = load('eval/tune2-calls.json');
const t2t = { ...t2, calls: t2.calls.filter((c) => !isDevCall(c.id)) };
const t2d = { ...t2, calls: t2.calls.filter((c) => isDevCall(c.id)) };
const T = SENTIMENT_THRESHOLDS as Record<string, number>;
const base = { ...T };
const grid: Record<string, number[]> = JSON.parse(process.argv[2]!);
const keys = Object.keys(grid);
const combos: Record<string, number>[] = [{}];
for (const k of keys) { const next = []; for (const c of combos) for (const v of grid[k]!) next.push({ ...c, [k]: v }); combos.splice(0, combos.length, ...next); }
const rows = [];
for (const c of combos) {
  Object.assign(T, base, c);
  const s = (set: typeof ai) => evaluateCallSet(set).sentimentAccuracy;
  const a = s(ai), b = s(tune), t = s(t2t), d = s(t2d);
  rows.push({ c, a, b, t, d, tot: (a * 73 + b * 110 + t * 135) / 318 });
}
rows.sort((x, y) => y.tot - x.tot);
for (const r of rows.slice(0, 15)) console.log(JSON.stringify(r.c), r.a, r.b, r.t, 'dev', r.d, 'tot', r.tot.toFixed(3));
