import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdf, round } from './util';

/** What a run produced: the issue's keys at the top level, context beside them. */
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

interface Row {
  bench: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

const fmt = (v: unknown, digits = 1): string => {
  if (typeof v === 'number') return Number.isFinite(v) ? String(round(v, digits)) : '—';
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return '—';
};

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
 * The issue's targets, met or not. Reported, never asserted in `npm test`. The memory target is
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
  const mr = num('match_ratio');
  t('match_ratio', '≤ 1.5', mr === undefined ? undefined : mr <= 1.5);
  const sr = num('sync_ratio');
  t('sync_ratio', '≥ 0.9', sr === undefined ? undefined : sr >= 0.9);
  const extra = (r.extra ?? {}) as Record<string, unknown>;
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

function sumPrefixed(x: Record<string, unknown>, prefix: string): number {
  return Object.entries(x)
    .filter(([k, v]) => k.startsWith(prefix) && typeof v === 'number')
    .reduce((a, [, v]) => a + (v as number), 0);
}

function rows(r: BenchResults): Row[] {
  const x = r.extra;
  const k = (key: string) => r[key];
  const met = (key: string) => {
    const t = r.targets[key];
    return t ? (t.met === null ? 'not judged (run < 5 min)' : t.met ? 'yes' : 'NO') : '';
  };
  const target = (key: string) => r.targets[key]?.target ?? '';
  const out: Row[] = [];
  if (k('ingress_rps') !== undefined) {
    out.push(
      {
        bench: 'ingress',
        figure: `throughput, req/s (${fmt(x.ingress_connections, 0)} connections)`,
        value: fmt(k('ingress_rps')),
        baseline: `${fmt(k('ingress_baseline_signal_rps'))} signalWithStart/s`,
        ratio: fmt(k('ingress_ratio'), 2),
        target: target('ingress_ratio'),
        met: met('ingress_ratio'),
      },
      {
        bench: 'ingress',
        figure: 'latency p50 / p99, ms',
        value: `${fmt(k('ingress_p50_ms'))} / ${fmt(k('ingress_p99_ms'))}`,
        baseline: `${fmt(x.ingress_baseline_signal_p50_ms)} / ${fmt(x.ingress_baseline_signal_p99_ms)}`,
        ratio: fmt((k('ingress_p99_ms') as number) / (x.ingress_baseline_signal_p99_ms as number), 2),
        target: '',
        met: '',
      },
      {
        bench: 'ingress',
        figure: 'CPU per event, ms (all processes: ingress, PG, Temporal, worker)',
        value: fmt(sumPrefixed(x, 'ingress_cpu_ms_per_request_'), 2),
        baseline: `${fmt(sumPrefixed(x, 'ingress_baseline_cpu_ms_per_signal_'), 2)} per signalWithStart`,
        ratio: fmt(x.ingress_cpu_ratio, 2),
        target: '',
        met: '',
      },
      {
        bench: 'ingress',
        figure: 'JWT-only Fastify route, req/s',
        value: fmt(k('jwt_route_rps')),
        baseline: '(framework + crypto ceiling)',
        ratio: fmt(x.ingress_vs_jwt_route, 3),
        target: '',
        met: '',
      },
    );
  }
  if (k('ingress_rss_mb') !== undefined) {
    for (const p of ['ingress', 'worker']) {
      out.push({
        bench: 'memory',
        figure: `${p} RSS peak, MB (growth over the run)`,
        value: `${fmt(k(`${p}_rss_mb`))} (${fmt(x[`${p}_rss_growth_mb`])})`,
        baseline: '',
        ratio: '',
        target: r.targets[`${p}_rss_mb`]?.target ?? '',
        met: met(`${p}_rss_mb`),
      });
    }
  }
  if (k('e2e_p99_ms') !== undefined) {
    out.push(
      {
        bench: 'e2e',
        figure: `last webhook → final row p50 / p99, ms (${fmt(k('e2e_calls'), 0)} calls at ${fmt(k('e2e_rate'), 0)}/s)`,
        value: `${fmt(k('e2e_p50_ms'))} / ${fmt(k('e2e_p99_ms'))}`,
        baseline: `${fmt(x.e2e_baseline_p50_ms)} / ${fmt(x.e2e_baseline_p99_ms)} at ${fmt(x.e2e_baseline_rate, 0)}/s`,
        ratio: fmt(x.e2e_ratio_p99, 1),
        target: target('e2e_p99_ms'),
        met: met('e2e_p99_ms'),
      },
      {
        bench: 'e2e',
        figure: `the same at ${fmt(x.e2e_mid_rate, 0)} calls/s (${fmt(x.e2e_mid_calls, 0)} calls; lost ${fmt(x.e2e_mid_lost, 0)})`,
        value: `${fmt(x.e2e_mid_p50_ms)} / ${fmt(x.e2e_mid_p99_ms)}`,
        baseline: `${fmt(x.e2e_baseline_p50_ms)} / ${fmt(x.e2e_baseline_p99_ms)} at ${fmt(x.e2e_baseline_rate, 0)}/s`,
        ratio: fmt((x.e2e_mid_p99_ms as number) / (x.e2e_baseline_p99_ms as number), 1),
        target: '',
        met: '',
      },
      {
        bench: 'e2e',
        figure: 'conversations lost (no final row)',
        value: fmt(k('e2e_lost'), 0),
        baseline: `${fmt(x.e2e_baseline_lost, 0)} at ${fmt(x.e2e_baseline_rate, 0)}/s`,
        ratio: '',
        target: target('e2e_lost'),
        met: met('e2e_lost'),
      },
    );
  }
  if (x.e2e_capacity_calls_per_s !== undefined) {
    out.push({
      bench: 'e2e',
      figure: `capacity: signalWithStart/s ÷ ${fmt(x.e2e_signals_per_call, 2)} signals per call`,
      value: `${fmt(x.e2e_capacity_calls_per_s)} calls/s`,
      baseline: `${fmt(k('e2e_rate'), 0)} calls/s offered`,
      ratio: fmt((x.e2e_capacity_calls_per_s as number) / (k('e2e_rate') as number), 2),
      target: '',
      met: '',
    });
  }
  if (k('match_p99_ms') !== undefined) {
    out.push(
      {
        bench: 'match',
        figure: `lookup (findCandidates) p50 / p99, ms (${fmt(k('match_rows'), 0)} numbers)`,
        value: `${fmt(k('match_p50_ms'), 2)} / ${fmt(k('match_p99_ms'), 2)}`,
        baseline: `${fmt(x.match_baseline_p50_ms, 2)} / ${fmt(k('match_baseline_p99_ms'), 2)} bare SELECT (prepared)`,
        ratio: fmt(k('match_ratio'), 2),
        target: target('match_ratio'),
        met: met('match_ratio'),
      },
      {
        bench: 'match',
        figure: 'matchCallToRecord (lookup + link + timeline, one transaction) p50 / p99, ms',
        value: `${fmt(x.match_call_p50_ms, 2)} / ${fmt(x.match_call_p99_ms, 2)}`,
        baseline: 'bare SELECT',
        ratio: fmt(x.match_call_ratio, 2),
        target: '',
        met: '',
      },
      ...(x.match_baseline_knex_p99_ms === undefined
        ? []
        : [
            {
              bench: 'match',
              figure: 'the bare SELECT sent through knex.raw (planned every time) p50 / p99, ms',
              value: `${fmt(x.match_baseline_knex_p50_ms, 2)} / ${fmt(x.match_baseline_knex_p99_ms, 2)}`,
              baseline: 'bare SELECT (prepared)',
              ratio: fmt((x.match_baseline_knex_p99_ms as number) / (k('match_baseline_p99_ms') as number), 2),
              target: '',
              met: '',
            },
          ]),
    );
  }
  if (k('sync_achieved_rps') !== undefined) {
    out.push({
      bench: 'sync',
      figure: `requests/s (${fmt(x.sync_requests, 0)} requests)`,
      value: fmt(k('sync_achieved_rps'), 2),
      baseline: `${fmt(k('sync_allowed_rps'), 0)} allowed`,
      ratio: fmt(k('sync_ratio'), 2),
      target: target('sync_ratio'),
      met: met('sync_ratio'),
    });
    if (x.sync_client_paging_rps !== undefined) {
      out.push({
        bench: 'sync',
        figure: 'client paging alone, requests/s',
        value: fmt(x.sync_client_paging_rps, 2),
        baseline: `${fmt(k('sync_allowed_rps'), 0)} allowed`,
        ratio: fmt(x.sync_client_paging_ratio, 2),
        target: '',
        met: '',
      });
    }
  }
  return out;
}

const HEADERS: Row = {
  bench: 'bench',
  figure: 'figure',
  value: 'value',
  baseline: 'baseline (same run)',
  ratio: 'ratio',
  target: 'target',
  met: 'met',
};
const COLS = Object.keys(HEADERS) as (keyof Row)[];

export function textTable(r: BenchResults): string {
  const all = [HEADERS, ...rows(r)];
  const width = Object.fromEntries(COLS.map((c) => [c, Math.max(...all.map((row) => row[c].length))])) as Record<
    keyof Row,
    number
  >;
  const line = (row: Row) => COLS.map((c) => row[c].padEnd(width[c])).join('  ');
  return [line(HEADERS), COLS.map((c) => '─'.repeat(width[c])).join('  '), ...rows(r).map(line)].join('\n');
}

export function markdownTable(r: BenchResults): string {
  const line = (row: Row) => `| ${COLS.map((c) => row[c].replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEADERS), `|${COLS.map(() => '---').join('|')}|`, ...rows(r).map(line)].join('\n');
}

export function markdownSummary(r: BenchResults): string {
  const m = r.meta;
  return [
    `# Benchmark results`,
    '',
    `Run ${m.started}, ${m.wallSeconds.toFixed(0)} s wall time, benchmarks: ${m.benchmarks.join(', ')}. ` +
      `Node ${m.machine.node}, ${m.machine.cpus} CPUs, load average ${m.machine.loadavgStart.map((l) => l.toFixed(1)).join(' ')} at start` +
      `${m.gitCommit ? `, commit ${m.gitCommit.slice(0, 10)}` : ''}.`,
    '',
    markdownTable(r),
    '',
    ...(r.notes.length ? ['Notes:', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    'Every figure and its baseline come from the same run (see tools/bench/README.md); the raw numbers are in latest.json, the distributions in latest.svg.',
    '',
  ].join('\n');
}

/**
 * Hand-written SVG: one panel per benchmark with latency distributions, each series drawn as a
 * cumulative distribution (percentile against latency on a log scale), so a baseline and the
 * measured path read side by side at every percentile.
 */
export function svgChart(panels: Panel[]): string {
  const W = 460;
  const H = 300;
  const M = { left: 52, right: 14, top: 34, bottom: 92 };
  const colours = ['#d1495b', '#00798c', '#edae49', '#66a182', '#2e4057'];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [];
  const shown = panels.filter((p) => Object.values(p.series).some((s) => s.length > 0));
  const total = Math.max(1, shown.length) * W;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${H}" viewBox="0 0 ${total} ${H}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${total}" height="${H}" fill="#fff"/>`,
  );
  shown.forEach((panel, i) => {
    const x0 = i * W;
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const curves = Object.entries(panel.series)
      .filter(([, s]) => s.length > 0)
      .map(([name, s]) => ({ name, points: cdf(s.map((v) => Math.max(v, 0.01))) }));
    const all = curves.flatMap((c) => c.points.map((p) => p[1]));
    const lo = Math.floor(Math.log10(Math.min(...all)));
    const hi = Math.ceil(Math.log10(Math.max(...all)));
    const span = Math.max(1, hi - lo);
    const px = (ms: number) => x0 + M.left + ((Math.log10(ms) - lo) / span) * pw;
    const py = (q: number) => M.top + ph - (q / 100) * ph;
    out.push(`<text x="${x0 + M.left}" y="18" font-size="13" font-weight="600">${esc(panel.title)}</text>`);
    out.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#bbb"/>`);
    for (let e = lo; e <= hi; e++) {
      const x = px(10 ** e);
      out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="#eee"/>`);
      const label = e < 0 ? String(10 ** e) : e < 3 ? String(10 ** e) : `${10 ** (e - 3)} s`;
      out.push(`<text x="${x}" y="${M.top + ph + 14}" text-anchor="middle" fill="#555">${label}</text>`);
    }
    for (const q of [0, 50, 90, 99, 100]) {
      const y = py(q);
      out.push(`<line x1="${x0 + M.left}" y1="${y}" x2="${x0 + M.left + pw}" y2="${y}" stroke="#eee"/>`);
      out.push(`<text x="${x0 + M.left - 6}" y="${y + 4}" text-anchor="end" fill="#555">p${q}</text>`);
    }
    out.push(
      `<text x="${x0 + M.left + pw / 2}" y="${M.top + ph + 30}" text-anchor="middle" fill="#333">latency, ms (log scale)</text>`,
    );
    curves.forEach((c, j) => {
      const colour = colours[j % colours.length]!;
      const pts = c.points.map(([q, ms]) => `${px(ms).toFixed(1)},${py(q).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      const p50 = c.points.find(([q]) => q === 50)?.[1];
      const p99 = c.points.find(([q]) => q === 99)?.[1];
      const ly = M.top + ph + 48 + j * 14;
      out.push(`<rect x="${x0 + M.left}" y="${ly - 8}" width="12" height="3" fill="${colour}"/>`);
      out.push(
        `<text x="${x0 + M.left + 18}" y="${ly - 3}">${esc(c.name)}: p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms (n=${c.points.length ? panel.series[c.name]!.length : 0})</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A chart panel: latency samples (ms) by series name. */
export interface Panel {
  title: string;
  series: Record<string, number[]>;
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
