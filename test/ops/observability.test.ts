import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import type { Registry } from 'prom-client';
import { parse, stringify } from 'yaml';
import { INSTALL_HINT, locateOrInstallPromtool } from '../../tools/dev/promtool';
import { attachStateMetrics, createMetrics, createWorkerMetrics } from '../../src/telemetry/metrics';
import { TEMPORAL_SDK_METRICS } from '../../src/temporal/sdk-metrics';

/**
 * The dashboard and the alerts operators load (deploy/): promtool checks the Prometheus config and
 * the rules and runs the rules' unit tests; every PromQL expression of the dashboard and the rules
 * names only metrics the ingress, the worker or the Temporal SDK serves (so renaming a metric
 * fails here); every alert has a runbook section in docs/observability.md.
 */
const ROOT = join(__dirname, '..', '..');
const PROMETHEUS_DIR = join(ROOT, 'deploy', 'prometheus');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'dashboards', 'navigator-dialpad.json');
/** The rules' unit tests; those comparing with last week are evaluated every 15 minutes, apart. */
const RULE_TESTS = ['alerts.test.yml', 'alerts.weekly.test.yml'];
const DOC = readFileSync(join(ROOT, 'docs', 'observability.md'), 'utf8');

let promtoolPath: string | undefined;
function promtool(args: string[], cwd = PROMETHEUS_DIR): { status: number | null; output: string } {
  // As the Temporal CLI: found, or installed into the cache on first use, so `npm test` alone
  // suffices on a fresh machine. Never skipped: a machine where neither works fails here.
  promtoolPath ??= locateOrInstallPromtool();
  const path = promtoolPath;
  if (!path) throw new Error(`promtool not found. ${INSTALL_HINT}`);
  const r = spawnSync(path, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = (
  parse(readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => Boolean(r.alert));

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashboardExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, ...t })));

/** The sample names a registry serves: a histogram's _bucket, _sum and _count. */
function servedNames(registry: Registry): string[] {
  return registry.getMetricsAsArray().flatMap((m) => {
    const { name, type } = m as unknown as { name: string; type: string };
    return type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
  });
}

/** Every name the app's registries and the SDK serve (the state gauges never query here). */
function knownMetricNames(): Set<string> {
  const ingress = createMetrics();
  const db = knex({ client: 'pg' });
  attachStateMetrics(ingress, db);
  const worker = createWorkerMetrics();
  return new Set([
    ...servedNames(ingress.registry),
    ...servedNames(worker.registry),
    ...TEMPORAL_SDK_METRICS,
    // Prometheus's own, for each target.
    'up',
  ]);
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS_TOO = new Set(['bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects (functions, keywords, labels and strings left out). */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\$\{?\w+\}?/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const next = bare.slice(m.index + word.length);
    if (/^\s*\(/.test(next)) continue; // a function or an aggregation
    if (KEYWORDS.has(word.toLowerCase()) || KEYWORDS_TOO.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return [...new Set(names)];
}

describe('observability: dashboard and alert rules', () => {
  it('promtool accepts the Prometheus configuration (scrape config and rule files)', () => {
    const r = promtool(['check', 'config', 'prometheus.yml']);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('promtool accepts the alert rules', () => {
    const r = promtool(['check', 'rules', 'alerts.yml']);
    expect(r.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.status).toBe(0);
  });

  it("the alert rules' unit tests pass (promtool test rules)", () => {
    const r = promtool(['test', 'rules', ...RULE_TESTS]);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(RULE_TESTS.length);
    expect(r.status).toBe(0);
  });

  it('every alert has a case in the rules tests where it fires', () => {
    const firing = new Set(
      RULE_TESTS.flatMap((file) =>
        (
          parse(readFileSync(join(PROMETHEUS_DIR, file), 'utf8')) as {
            tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
          }
        ).tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts?.length).map((a) => a.alertname)),
      ),
    );
    expect(alerts.map((a) => a.alert).filter((name) => !firing.has(name))).toEqual([]);
  });

  it('every alert has a severity, a summary, a description and a runbook section in docs/observability.md', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(20);
    const headings = new Set([...DOC.matchAll(/^#{2,4} (\S+)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const a of alerts) {
      expect({ alert: a.alert, severity: a.labels?.severity }).toEqual({
        alert: a.alert,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
      expect({ alert: a.alert, runbook: a.annotations?.runbook_url }).toEqual({
        alert: a.alert,
        runbook: `docs/observability.md#${a.alert.toLowerCase()}`,
      });
      expect({ alert: a.alert, documented: headings.has(a.alert.toLowerCase()) }).toEqual({
        alert: a.alert,
        documented: true,
      });
    }
  });

  it('the dashboard and the rules name only metrics the ingress, the worker or the Temporal SDK serves', () => {
    const known = knownMetricNames();
    const unknown: string[] = [];
    for (const { panel, expr } of dashboardExprs) {
      for (const name of metricNamesIn(expr)) if (!known.has(name)) unknown.push(`panel "${panel.title}": ${name}`);
    }
    for (const r of rules) {
      for (const name of metricNamesIn(r.expr)) if (!known.has(name)) unknown.push(`alert ${r.alert}: ${name}`);
    }
    expect(unknown).toEqual([]);
    // The check itself: a renamed metric is caught, functions and labels are not names.
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, task_queue) (rate(temporal_activity_schedule_to_start_latency_bucket{state=~"a|b"}[$__rate_interval]))) / on() group_left sum(dialpad_relay_backlogs offset 1w) or vector(0)',
      ),
    ).toEqual(['temporal_activity_schedule_to_start_latency_bucket', 'dialpad_relay_backlogs']);
    expect(known.has('dialpad_relay_backlogs')).toBe(false);
  });

  it('the dashboard shows each figure operators asked for', () => {
    const used = new Set(dashboardExprs.flatMap(({ expr }) => metricNamesIn(expr)));
    const required = [
      // deliveries by outcome, rejections by reason, e2e latency
      'dialpad_webhook_deliveries_total',
      'dialpad_webhook_rejections_total',
      'dialpad_call_event_e2e_seconds_bucket',
      // relay backlog, dead letters
      'dialpad_relay_backlog',
      'dialpad_relay_backlog_oldest_seconds',
      'dialpad_dead_letters',
      // sync health
      'dialpad_sync_oldest_age_seconds',
      'dialpad_sync_never_accounts',
      'temporal_workflow_failed',
      // Dialpad API
      'dialpad_api_requests_total',
      // the SDK: sticky cache, schedule-to-start, slots
      'temporal_sticky_cache_hit',
      'temporal_sticky_cache_miss',
      'temporal_sticky_cache_size',
      'temporal_workflow_task_schedule_to_start_latency_bucket',
      'temporal_activity_schedule_to_start_latency_bucket',
      'temporal_worker_task_slots_available',
      'temporal_worker_task_slots_used',
    ];
    expect(required.filter((name) => !used.has(name))).toEqual([]);
  });

  it('the dashboard is well-formed: unique panel ids, one datasource variable, PromQL promtool parses', () => {
    expect(dashboard.uid).toBe('navigator-dialpad');
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels.filter((p) => p.type !== 'row')) {
      expect({ panel: p.title, datasource: p.datasource?.uid }).toEqual({
        panel: p.title,
        datasource: '${datasource}',
      });
      expect(p.targets?.length).toBeGreaterThan(0);
    }
    // Each expression as a recording rule, with Grafana's interval put in: promtool parses them all.
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
    try {
      const recording = {
        groups: [
          {
            name: 'dashboard',
            rules: dashboardExprs.map(({ panel, refId, expr }) => ({
              record: `dashboard:panel_${panel.id}:${refId.toLowerCase()}`,
              expr: expr.replace(/\$__rate_interval/g, '5m'),
            })),
          },
        ],
      };
      writeFileSync(join(dir, 'dashboard.yml'), stringify(recording));
      const r = promtool(['check', 'rules', 'dashboard.yml'], dir);
      expect(r.output).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
