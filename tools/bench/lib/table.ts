import type { BenchResults } from './report';
import { round } from './util';

interface Row {
  bench: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}
export const fmt = (v: unknown, digits = 1): string => {
  if (typeof v === 'number') return Number.isFinite(v) ? String(round(v, digits)) : '—';
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return '—';
};

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
      {
        bench: 'e2e',
        figure: "delivery attempts past Dialpad's 5 s / answered 503 (retried)",
        value: `${fmt(x.e2e_delivery_timeouts, 0)} / ${fmt(x.e2e_delivery_503s, 0)}`,
        baseline: `${fmt(x.e2e_mid_delivery_timeouts, 0)} / ${fmt(x.e2e_mid_delivery_503s, 0)} at ${fmt(x.e2e_mid_rate, 0)}/s`,
        ratio: '',
        target: target('e2e_delivery_timeouts'),
        met: met('e2e_delivery_timeouts'),
      },
    );
  }
  if (k('e2e_link_p99_ms') !== undefined) out.push(...e2eCostRows(r, target, met));
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

/** The e2e's linking, Temporal actions, CPU per call and capacity. */
function e2eCostRows(r: BenchResults, target: (key: string) => string, met: (key: string) => string): Row[] {
  const x = r.extra;
  const k = (key: string) => r[key];
  const midRate = fmt(x.e2e_mid_rate, 0);
  const rows: Row[] = [
    {
      bench: 'e2e',
      figure: `first hangup webhook → row linked to its record p50 / p99, ms (${fmt(x.e2e_mid_link_calls, 0)} known callers at ${midRate}/s; never linked ${fmt(x.e2e_mid_link_missing, 0)})`,
      value: `${fmt(k('e2e_link_p50_ms'))} / ${fmt(k('e2e_link_p99_ms'))}`,
      baseline: `${fmt(x.e2e_baseline_link_p50_ms)} / ${fmt(x.e2e_baseline_link_p99_ms)} at ${fmt(x.e2e_baseline_rate, 0)}/s`,
      ratio: fmt((k('e2e_link_p99_ms') as number) / (x.e2e_baseline_link_p99_ms as number), 1),
      target: target('e2e_link_p99_ms'),
      met: met('e2e_link_p99_ms'),
    },
    {
      bench: 'e2e',
      figure: `Temporal actions per call at ${midRate}/s (signals + workflow starts + workflow tasks + activity tasks)`,
      value: fmt(k('e2e_temporal_actions_per_call'), 2),
      baseline:
        `${fmt(x.e2e_mid_temporal_signal_with_start_per_call, 2)} + ${fmt(x.e2e_mid_temporal_workflow_starts_per_call, 2)} + ` +
        `${fmt(x.e2e_mid_temporal_workflow_tasks_per_call, 2)} + ${fmt(x.e2e_mid_temporal_activity_tasks_per_call, 2)} ` +
        `(local activities ${fmt(x.e2e_mid_temporal_local_activities_per_call, 2)})`,
      ratio: '',
      target: target('e2e_temporal_actions_per_call'),
      met: met('e2e_temporal_actions_per_call'),
    },
    {
      bench: 'e2e',
      figure: `CPU per call made final at ${midRate}/s, ms (ingress, worker, Temporal, Postgres; load generator apart)`,
      value: `${fmt(k('e2e_cpu_ms_per_call'), 2)} (+${fmt(x.e2e_cpu_ms_per_call_runner, 2)})`,
      baseline:
        k('e2e_cpu_ms_per_call_baseline') === undefined
          ? '(no --compare)'
          : `${fmt(k('e2e_cpu_ms_per_call_baseline'), 2)} at ${String(x.e2e_compare_commit ?? '').slice(0, 10)} ` +
            `(current, right after: ${fmt(x.e2e_compare_current_cpu_ms_per_call, 2)})`,
      ratio: fmt(k('e2e_cpu_ratio'), 2),
      target: target('e2e_cpu_ratio'),
      met: met('e2e_cpu_ratio'),
    },
  ];
  if (k('e2e_capacity_calls_per_s') !== undefined) {
    rows.push({
      bench: 'e2e',
      figure: 'capacity: highest offered rate with p99 < 1 s and none lost, calls/s',
      value: fmt(k('e2e_capacity_calls_per_s')),
      baseline: `${fmt(x.e2e_capacity_signal_rps)} signalWithStart/s`,
      ratio: fmt(k('e2e_capacity_ratio'), 3),
      target: target('e2e_capacity_ratio'),
      met: met('e2e_capacity_ratio'),
    });
  }
  return rows;
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

/** How the run shared the CPU (`backgroundNiceness` in its options; runs before 2026-12-08 had none). */
function priorityOf(options: Record<string, unknown>): string {
  const n = options.backgroundNiceness;
  if (typeof n !== 'number') return '';
  return n > 0 ? `; the ingress first (worker, Temporal, Postgres at nice ${n})` : '; flat priority (--flat-priority)';
}

export function markdownSummary(r: BenchResults): string {
  const m = r.meta;
  return [
    `# Benchmark results`,
    '',
    `Run ${m.started}, ${m.wallSeconds.toFixed(0)} s wall time, benchmarks: ${m.benchmarks.join(', ')}. ` +
      `Node ${m.machine.node}, ${m.machine.cpus} CPUs, load average ${m.machine.loadavgStart.map((l) => l.toFixed(1)).join(' ')} at start` +
      `${m.gitCommit ? `, commit ${m.gitCommit.slice(0, 10)}` : ''}${priorityOf(m.options)}.`,
    '',
    markdownTable(r),
    '',
    ...(r.notes.length ? ['Notes:', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    'Every figure and its baseline come from the same run (see tools/bench/README.md); the raw numbers are in latest.json, the distributions in latest.svg.',
    '',
  ].join('\n');
}
