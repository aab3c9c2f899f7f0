import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { PROJECT_ROOT } from '../dev/paths';
import { benchE2e, type E2eOptions } from './benchmarks/e2e';
import { benchIngress, type IngressOptions } from './benchmarks/ingress';
import { benchMatch, type MatchOptions } from './benchmarks/match';
import { benchSync, type SyncOptions } from './benchmarks/sync';
import type { BenchmarkOutput } from './benchmarks/types';
import { evaluateTargets, missingKeys, writeReport, type BenchResults } from './lib/report';
import { textTable } from './lib/table';
import { BACKGROUND_NICENESS, BENCH_DIR, LOG_DIR, startBenchStack, type BenchStack } from './lib/stack';
import { log } from './lib/util';
import { summarise } from './profile-summary';

/**
 * `npm run bench [-- <name>…] [--quick] [--profile] [--compare <commit>] [--flat-priority]`
 *
 * Runs the benchmarks on the real stack (embedded Postgres in .data/bench, an in-memory Temporal
 * dev server, the product's ingress and worker as child processes, the Dialpad simulator), all on
 * loopback; prints a table and writes tools/bench/results/latest.{json,md,svg}. Every figure is set
 * against a baseline measured in the same run. Names: match, sync, e2e, ingress (default: all, in
 * that order). The ingress benchmark runs for 5 minutes, so that its memory figures show whether
 * memory stays flat; --quick is a smaller smoke run (about 5 minutes in all, memory not judged);
 * --profile records CPU profiles of the ingress and the worker during the ingress benchmark (in
 * .data/bench/profiles) and prints where their time goes; --compare <commit> also runs the e2e's
 * 10 calls/s phase on that commit's worker and ingress (a temporary git worktree) for its CPU per call.
 * The ingress goes first on the machine: the worker, Temporal and Postgres run at a lower CPU priority
 * (BACKGROUND_NICENESS in lib/stack.ts), as docs/webhooks.md advises wherever they share CPUs;
 * --flat-priority runs them all equal, the arrangement of the runs before 2026-12-08.
 */
const ORDER = ['match', 'sync', 'e2e', 'ingress'] as const;
type Name = (typeof ORDER)[number];
const RESULTS_DIR = join(PROJECT_ROOT, 'tools', 'bench', 'results');
const PROFILE_DIR = join(BENCH_DIR, 'profiles');

interface Options {
  names: Name[];
  quick: boolean;
  profile: boolean;
  /** The ingress first (false with --flat-priority). */
  ingressFirst: boolean;
  match: MatchOptions;
  sync: SyncOptions;
  e2e: E2eOptions;
  ingress: IngressOptions;
}

function parseArgs(argv: string[]): Options {
  const names: Name[] = [];
  let quick = false;
  let profile = false;
  let ingressFirst = true;
  let compare: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--compare' && argv[i + 1] && !argv[i + 1]!.startsWith('--')) compare = argv[++i];
    else if (a === '--profile') profile = true;
    else if (a === '--flat-priority') ingressFirst = false;
    else if ((ORDER as readonly string[]).includes(a)) names.push(a as Name);
    else {
      console.error(
        `unknown argument ${a}\nusage: npm run bench [-- ${ORDER.join('|')} …] [--quick] [--profile] [--compare <commit>] [--flat-priority]`,
      );
      process.exit(2);
    }
  }
  return {
    names: names.length ? ORDER.filter((n) => names.includes(n)) : [...ORDER],
    quick,
    profile,
    ingressFirst,
    match: quick ? { rows: 100_000, lookups: 500 } : { rows: 1_000_000, lookups: 3_000 },
    // The client's paging alone (no database work) is context, not a figure: left out to keep the run short.
    sync: { clientPaging: false },
    e2e: quick
      ? {
          calls: 300,
          rate: 100,
          baselineCalls: 15,
          baselineRate: 3,
          midCalls: 50,
          midRate: 10,
          stallMs: 30_000,
          maxDrainMs: 300_000,
          knownShare: 0.7,
          capacity: { rates: [3, 5, 8, 12, 16], stepSeconds: 8, minCalls: 30, p99LimitMs: 1_000, signalSeconds: 8 },
          ...(compare ? { compare } : {}),
        }
      : {
          calls: 500,
          rate: 100,
          baselineCalls: 30,
          baselineRate: 3,
          midCalls: 150,
          midRate: 10,
          stallMs: 30_000,
          maxDrainMs: 300_000,
          knownShare: 0.7,
          capacity: {
            rates: [3, 5, 8, 12, 16, 20, 25, 30, 40, 50],
            stepSeconds: 25,
            minCalls: 60,
            p99LimitMs: 1_000,
            signalSeconds: 15,
          },
          ...(compare ? { compare } : {}),
        },
    ingress: { connections: 16, durationS: quick ? 8 : 300 },
  };
}

/** As the repository formats Markdown (prettier, its config). */
async function formatMarkdown(markdown: string, file: string): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(markdown, { ...options, parser: 'markdown' });
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.profile) rmSync(PROFILE_DIR, { recursive: true, force: true });
  const started = Date.now();
  const loadStart = loadavg();
  log(
    `benchmarks: ${opts.names.join(', ')}${opts.quick ? ' (quick)' : ''}; load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const stack = await startBenchStack({ ingressFirst: opts.ingressFirst });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void stop().finally(() => process.exit(130));
    });
  }

  const outputs: Partial<Record<Name, BenchmarkOutput>> = {};
  const notes: string[] = [];
  let failed = false;
  try {
    for (const name of opts.names) {
      if (stopping) break;
      const t = Date.now();
      try {
        outputs[name] = await runOne(stack, name, opts);
      } catch (err) {
        failed = true;
        const msg = `${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        log(msg);
        notes.push(msg.split('\n')[0]!);
      }
      log(`${name}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
  } finally {
    await stop();
  }
  if (opts.profile) printProfiles();

  const keys: Record<string, number> = {};
  const extra: Record<string, number | string | boolean> = {};
  for (const o of Object.values(outputs)) {
    Object.assign(keys, o.keys);
    Object.assign(extra, o.extra);
    notes.push(...(o.notes ?? []));
  }
  // A ceiling for the stack end to end: Temporal's signalWithStart rate over the signals a
  // conversation needs (the measured capacity, stepping the offered rate, is e2e_capacity_calls_per_s).
  if (typeof extra.e2e_signals_per_call === 'number' && typeof keys.ingress_baseline_signal_rps === 'number') {
    extra.e2e_signal_bound_calls_per_s = Number(
      (keys.ingress_baseline_signal_rps / extra.e2e_signals_per_call).toFixed(1),
    );
  }
  // The measured capacity against the ingress benchmark's signalWithStart rate too (a worker polls
  // that one's task queue), when both ran.
  if (typeof keys.e2e_capacity_calls_per_s === 'number' && typeof keys.ingress_baseline_signal_rps === 'number') {
    extra.e2e_capacity_ratio_to_ingress_baseline = Number(
      (keys.e2e_capacity_calls_per_s / keys.ingress_baseline_signal_rps).toFixed(3),
    );
  }
  const results: BenchResults = {
    ...keys,
    meta: {
      started: new Date(started).toISOString(),
      wallSeconds: (Date.now() - started) / 1000,
      benchmarks: Object.keys(outputs),
      options: {
        quick: opts.quick,
        backgroundNiceness: opts.ingressFirst ? BACKGROUND_NICENESS : 0,
        match: opts.match,
        e2e: opts.e2e,
        ingress: opts.ingress,
      },
      machine: { cpus: cpus().length, node: process.version, loadavgStart: loadStart, loadavgEnd: loadavg() },
      gitCommit: gitCommit(),
    },
    extra,
    targets: {},
    notes,
  };
  results.targets = evaluateTargets({ ...keys, extra });
  const missing = missingKeys(results, Object.keys(outputs));
  if (missing.length) {
    failed = true;
    notes.push(`missing keys: ${missing.join(', ')}`);
  }

  await writeReport(
    RESULTS_DIR,
    results,
    [
      { title: 'Ingress: request latency', series: outputs.ingress?.distributions ?? {} },
      { title: 'End to end: last webhook → final calls row', series: outputs.e2e?.distributions ?? {} },
      {
        title: `Matching: one number among ${Number(keys.match_rows ?? 0).toLocaleString('en')}`,
        series: outputs.match?.distributions ?? {},
      },
    ],
    formatMarkdown,
  );
  if (outputs.ingress?.series) {
    writeFileSync(join(BENCH_DIR, 'ingress-series.json'), JSON.stringify(outputs.ingress.series));
  }

  console.log(`\n${textTable(results)}\n`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(
    `\nwall time ${(results.meta.wallSeconds / 60).toFixed(1)} min; wrote tools/bench/results/latest.json, latest.md, latest.svg (logs in ${LOG_DIR})`,
  );
  process.exit(failed ? 1 : 0);
}

async function runOne(stack: BenchStack, name: Name, opts: Options): Promise<BenchmarkOutput> {
  const profileArgs = (what: string) =>
    opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, what)}`] : [];
  if ((name === 'e2e' || name === 'ingress') && !stack.worker) {
    log('starting the worker and the ingress (src/worker.ts, src/server.ts)');
    await stack.startWorker({}, profileArgs('worker'));
    await stack.startIngress({}, profileArgs('ingress'));
  }
  switch (name) {
    case 'match':
      return benchMatch(stack, opts.match);
    case 'sync':
      return benchSync(stack, opts.sync);
    case 'e2e':
      return benchE2e(stack, opts.e2e);
    case 'ingress':
      return benchIngress(stack, { ...opts.ingress, trace: opts.profile });
  }
}

function printProfiles(): void {
  for (const what of ['ingress', 'worker']) {
    try {
      const dir = join(PROFILE_DIR, what);
      // The main thread's profile is the largest (others are tsx's loader thread).
      const files = execFileSync('ls', ['-S', dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
      if (files[0]) console.log(`\n${summarise(join(dir, files[0]), 20)}`);
    } catch {
      // no profile written
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
