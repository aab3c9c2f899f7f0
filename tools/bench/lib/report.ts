import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svgChart, type Panel } from './chart';
import { markdownSummary } from './table';
import { round } from './util';

/** What a run produced: the keys at the top level, context beside them. */
export interface BenchResults {
  [key: string]: unknown;
  meta: {
    started: string;
    wallSeconds: number;
    benchmarks: string[];
    options: Record<string, unknown>;
    machine: { cpus: number; node: string; loadavgStart: number[]; loadavgEnd: number[] };
    gitCommit: string | null;
  };
  extra: Record<string, number | string | boolean>;
  targets: Record<string, { target: string; met: boolean | null }>;
  notes: string[];
}
/** The keys the issue asks every full run to write (latest.json's top level). */
export const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  ingress: [
    'ingress_rps',
    'ingress_p50_ms',
    'ingress_p99_ms',
    'ingress_baseline_signal_rps',
    'ingress_ratio',
    'jwt_route_rps',
    'ingress_rss_mb',
    'worker_rss_mb',
  ],
  e2e: ['e2e_calls', 'e2e_rate', 'e2e_lost', 'e2e_p50_ms', 'e2e_p99_ms'],
  match: ['match_rows', 'match_p50_ms', 'match_p99_ms', 'match_baseline_p99_ms', 'match_ratio'],
  sync: ['sync_allowed_rps', 'sync_achieved_rps', 'sync_ratio'],
};

/** Required keys of the benchmarks that ran which are missing or not a finite number. */
export function missingKeys(r: Record<string, unknown>, benchmarks: readonly string[]): string[] {
  return benchmarks
    .flatMap((b) => REQUIRED_KEYS[b] ?? [])
    .filter((k) => typeof r[k] !== 'number' || !Number.isFinite(r[k]));
}

/** p99 over baseline p99 (or any measured / baseline): NaN when the baseline is not positive. */
export function ratio(measured: number, baseline: number, digits = 3): number {
  return baseline > 0 && Number.isFinite(measured) ? round(measured / baseline, digits) : Number.NaN;
}

/** How long the ingress run must last for its memory figures to count as "flat over 5 minutes". */
export const MEMORY_RUN_SECONDS = 300;
/** Growth over the run (median of its last fifth minus median of its second fifth) allowed as flat. */
export const FLAT_GROWTH_SHARE = 0.1;

/**
 * The targets, met or not. Reported, never asserted in `npm test`. The memory target is
 * judged only on an ingress run of at least five minutes (met: null, "not judged", otherwise).
 */
export function evaluateTargets(r: Record<string, unknown>): BenchResults['targets'] {
  const num = (k: string, from: Record<string, unknown> = r): number | undefined => {
    const v = from[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const out: BenchResults['targets'] = {};
  const t = (key: string, target: string, met: boolean | null | undefined) => {
    if (met !== undefined) out[key] = { target, met };
  };
  const ir = num('ingress_ratio');
  t('ingress_ratio', '≥ 0.9', ir === undefined ? undefined : ir >= 0.9);
  const ep = num('e2e_p99_ms');
  const rate = num('e2e_rate');
  t('e2e_p99_ms', '< 1000 ms at 100 calls/s', ep === undefined ? undefined : ep < 1000 && (rate ?? 0) >= 100);
  const lost = num('e2e_lost');
  t('e2e_lost', '= 0', lost === undefined ? undefined : lost === 0);
  // Dialpad counts a delivery it gave up waiting for as failed; an early 503 it retries.
  const timeouts = rate !== undefined && rate >= 100 ? num('e2e_delivery_timeouts', extraOf(r)) : undefined;
  t('e2e_delivery_timeouts', '= 0 at 100 calls/s', timeouts === undefined ? undefined : timeouts === 0);
  const link = num('e2e_link_p99_ms');
  const midRate = num('e2e_mid_rate', extraOf(r));
  t('e2e_link_p99_ms', '< 1000 ms at 10 calls/s', link === undefined ? undefined : link < 1000 && (midRate ?? 0) >= 10);
  const actions = num('e2e_temporal_actions_per_call');
  t('e2e_temporal_actions_per_call', '≤ 2.5', actions === undefined ? undefined : actions <= 2.5);
  const cpuRatio = num('e2e_cpu_ratio');
  t('e2e_cpu_ratio', '≤ 0.4', cpuRatio === undefined ? undefined : cpuRatio <= 0.4);
  const capRatio = num('e2e_capacity_ratio');
  t('e2e_capacity_ratio', '≥ 0.25', capRatio === undefined ? undefined : capRatio >= 0.25);
  const mr = num('match_ratio');
  t('match_ratio', '≤ 1.5', mr === undefined ? undefined : mr <= 1.5);
  const sr = num('sync_ratio');
  t('sync_ratio', '≥ 0.9', sr === undefined ? undefined : sr >= 0.9);
  const extra = extraOf(r);
  const seconds = num('ingress_duration_s', extra) ?? 0;
  for (const p of ['ingress', 'worker']) {
    const g = num(`${p}_rss_growth_mb`, extra);
    const peak = num(`${p}_rss_mb`);
    if (g === undefined || peak === undefined) continue;
    t(
      `${p}_rss_mb`,
      `flat over a 5-minute run (growth < ${FLAT_GROWTH_SHARE * 100} % of peak)`,
      seconds >= MEMORY_RUN_SECONDS ? g < FLAT_GROWTH_SHARE * peak : null,
    );
  }
  return out;
}
function extraOf(r: Record<string, unknown>): Record<string, unknown> {
  return (r.extra ?? {}) as Record<string, unknown>;
}

/**
 * Writes latest.json (the keys at the top level), latest.md (passed through `formatMarkdown`: the
 * runner formats it as the repository formats Markdown, so `npm run format:check` passes with it
 * present) and latest.svg into `dir`. Returns the files written.
 */
export async function writeReport(
  dir: string,
  results: BenchResults,
  panels: Panel[],
  formatMarkdown: (markdown: string, file: string) => Promise<string> = async (m) => m,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  const svg = join(dir, 'latest.svg');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, await formatMarkdown(markdownSummary(results), md));
  writeFileSync(svg, svgChart(panels));
  return [json, md, svg];
}
