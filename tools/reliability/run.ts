import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../dev/paths';
import { startEnv, type ReliabilityEnv } from './lib/env';
import { describeOptions, parseOptions } from './lib/options';
import type { Scenario, ScenarioResult } from './lib/result';
import { apiAuthScenario } from './scenarios/api-auth';
import {
  bothLongOutageScenario,
  bothOutageScenario,
  duplicatesScenario,
  postgresOutageScenario,
  temporalOutageScenario,
  workerKillScenario,
} from './scenarios/calls';
import { dbErrorsScenario } from './scenarios/db-errors';
import { hostileScenario } from './scenarios/hostile';
import { logsScenario } from './scenarios/logs';

/**
 * `npm run test:reliability [-- <scenario>[,<scenario>…] [--flag=value …]]`: breaks the real stack on
 * purpose (Postgres, Temporal dev server, worker and ingress as separate processes, the Dialpad
 * simulator) and counts what survives. Writes tools/reliability/results/latest.json and prints a table.
 */
const SCENARIOS: Scenario[] = [
  duplicatesScenario,
  workerKillScenario,
  postgresOutageScenario,
  temporalOutageScenario,
  bothOutageScenario,
  bothLongOutageScenario,
  dbErrorsScenario,
  hostileScenario,
  apiAuthScenario,
  logsScenario,
];

const RESULTS_DIR = join(PROJECT_ROOT, 'tools', 'reliability', 'results');
// Other work on the machine changes the figures: the load average is recorded with them.
const loadAverageAtStart = loadavg().map((x) => +x.toFixed(2));
const LATEST = join(RESULTS_DIR, 'latest.json');

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `usage: npm run test:reliability [-- <scenario>[,…]] [--flag=value …]\n\nscenarios (all by default, in this order):\n` +
        SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.title}`).join('\n') +
        `\n\nsizes and timings (flag, environment variable, default):\n${describeOptions()}\n` +
        `  REL_MAX_MINUTES (default 45): the whole run is aborted after this long\n`,
    );
    return 0;
  }
  const { options, scenarios: names } = parseOptions(argv);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; see --help`);
  const selected = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;

  const started = Date.now();
  const maxMinutes = Number(process.env.REL_MAX_MINUTES || 45);
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nreliability run aborted: still running after ${maxMinutes} minutes\n`);
    process.exit(2); // the 'exit' handlers kill the child processes and the Temporal server
  }, maxMinutes * 60_000);
  watchdog.unref();

  let env: ReliabilityEnv | undefined;
  const results: ScenarioResult[] = [];
  let stopping = false;
  const stopOnSignal = (signal: string) => {
    stopping = true;
    process.stderr.write(`\n${signal}: stopping\n`);
    void Promise.resolve(env?.stop()).finally(() => process.exit(130));
  };
  process.once('SIGINT', () => stopOnSignal('SIGINT'));
  process.once('SIGTERM', () => stopOnSignal('SIGTERM'));

  try {
    env = await startEnv(options);
    env.note(
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores`,
    );
    env.note(
      `stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s; ingress ${env.ingressUrl}, Temporal ${env.temporal.address}`,
    );
    for (const scenario of selected) {
      if (stopping) break;
      env.note(`── ${scenario.name}: ${scenario.title}`);
      const t0 = Date.now();
      // If the runner itself lags (it plays Dialpad and the Dialpad API), timeouts may be its own.
      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      let result: ScenarioResult;
      try {
        const r = await scenario.run(env);
        result = {
          ...r,
          passed: r.failures.length === 0,
          seconds: +((Date.now() - t0) / 1000).toFixed(1),
          runAt: new Date().toISOString(),
        };
      } catch (err) {
        result = {
          scenario: scenario.name,
          title: scenario.title,
          sent: 0,
          expected: 0,
          stored: 0,
          lost: 0,
          duplicated: 0,
          wrong: 0,
          passed: false,
          failures: [`the scenario itself failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`],
          seconds: +((Date.now() - t0) / 1000).toFixed(1),
          details: {},
          runAt: new Date().toISOString(),
        };
      }
      lag.disable();
      result.details.runnerEventLoopDelayMs = {
        p99: Math.round(lag.percentile(99) / 1e6),
        max: Math.round(lag.max / 1e6),
      };
      for (const svc of [env.worker, env.ingress]) {
        if (svc.crashes.length)
          result.details[`${svc === env.worker ? 'worker' : 'ingress'}Crashes`] = [...svc.crashes];
      }
      results.push(result);
      env.note(
        `   ${result.passed ? 'PASSED' : 'FAILED'} in ${result.seconds} s${result.failures.length ? `\n     ${result.failures.join('\n     ')}` : ''}`,
      );
    }
  } finally {
    await env?.stop();
  }

  const wallSeconds = +((Date.now() - started) / 1000).toFixed(1);
  writeResults(results, wallSeconds, selected.length === SCENARIOS.length, options);
  process.stdout.write(`\n${table(results)}\n\nwall time ${formatSeconds(wallSeconds)}; results in ${LATEST}\n`);
  return results.every((r) => r.passed) ? 0 : 1;
}

function writeResults(results: ScenarioResult[], wallSeconds: number, full: boolean, options: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  // Running a subset updates those scenarios and keeps the others' last figures.
  let previous: { scenarios?: Record<string, ScenarioResult> } = {};
  if (!full && existsSync(LATEST)) {
    try {
      previous = JSON.parse(readFileSync(LATEST, 'utf8')) as typeof previous;
    } catch {
      previous = {};
    }
  }
  const scenarios: Record<string, ScenarioResult> = { ...(previous.scenarios ?? {}) };
  for (const r of results) scenarios[r.scenario] = r;
  const doc = {
    finishedAt: new Date().toISOString(),
    wallSeconds,
    fullRun: full,
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((x) => +x.toFixed(2)),
    },
    options,
    passed: Object.values(scenarios).every((r) => r.passed),
    scenarios,
  };
  writeFileSync(LATEST, `${JSON.stringify(doc, null, 2)}\n`);
}

function table(results: ScenarioResult[]): string {
  // Conversations (sent … gave up) and, for the call scenarios, every event judged on its own.
  const head = [
    'scenario',
    'sent',
    'expected',
    'stored',
    'lost',
    'dup',
    'wrong',
    'gave up',
    'events',
    'applied',
    'ev lost',
    'ev dup',
    'ev wrong',
    'passed',
    'secs',
  ];
  const rows = results.map((r) => [
    r.scenario,
    String(r.sent),
    String(r.expected),
    String(r.stored),
    String(r.lost),
    String(r.duplicated),
    String(r.wrong),
    r.gaveUp === undefined ? '-' : String(r.gaveUp),
    r.events ? String(r.events.actedOn) : '-',
    r.events ? String(r.events.applied) : '-',
    r.events ? String(r.events.lost) : '-',
    r.events ? String(r.events.duplicated) : '-',
    r.events ? String(r.events.wrong) : '-',
    r.passed ? 'yes' : 'NO',
    String(r.seconds),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function formatSeconds(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s} s`;
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(
      `reliability run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
