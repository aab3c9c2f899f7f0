import type pg from 'pg';
import { runPhase, type PhaseOptions, type RunResult } from './e2e-run';
import type { BenchStack } from './stack';
import { diffCounts, readTemporalCounts, type TemporalCounts } from './temporal-counts';
import { CpuMeter, log, round, waitForQuiet } from './util';

/** The processes a phase's CPU is counted for (the pipeline), apart from the load generator. */
export const PIPELINE = ['ingress', 'worker', 'temporal', 'postgres'] as const;

export interface MeasuredPhase {
  run: RunResult;
  /** Temporal's counts from just before the first webhook to the backlog worked off. */
  counts: TemporalCounts;
  /** CPU seconds per group over the same window, less what the group uses idle. */
  cpuSeconds: Record<string, number>;
  wallSeconds: number;
  /** Cores per group from the first webhook to the phase's end (all final, or given up), before the settle. */
  runCores: Record<string, number>;
}

/** Waits until the worker and Temporal are (nearly) idle: the phase's backlog worked off. */
export async function settle(stack: BenchStack, workerPid = stack.worker?.pid): Promise<void> {
  const pids = [...(workerPid ? [workerPid] : []), ...(stack.temporal.pid ? [stack.temporal.pid] : [])];
  const r = await waitForQuiet(pids, { maxMs: 240_000 });
  log(`  backlog worked off in ${(r.waitedMs / 1000).toFixed(1)} s${r.quiet ? '' : ' (gave up waiting)'}`);
}

/** Cores each group uses with nothing to do (pollers, timers, the relay), over `ms`. */
export async function idleCores(groups: Record<string, () => number[]>, ms = 3_000): Promise<Record<string, number>> {
  const m = new CpuMeter(groups).start();
  await new Promise((r) => setTimeout(r, ms));
  const { cpuSeconds, wallSeconds } = m.stopSeconds();
  return Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, v / wallSeconds]));
}

/**
 * One e2e phase with its costs: CPU per process group and Temporal's counts, from just before the
 * first webhook (records already seeded) until the worker and Temporal are idle again.
 */
export async function measuredPhase(
  stack: BenchStack,
  listener: pg.Client,
  phase: PhaseOptions,
  opts: { groups: Record<string, () => number[]>; idle: Record<string, number>; workerPid?: number },
): Promise<MeasuredPhase> {
  let meter: CpuMeter | undefined;
  let before: TemporalCounts | undefined;
  const run = await runPhase(stack, listener, {
    ...phase,
    onStart: async () => {
      before = await readTemporalCounts(stack.temporal.metricsUrl, stack.workerSdkMetricsUrl);
      meter = new CpuMeter(opts.groups).start();
    },
  });
  const atEnd = meter!.stopSeconds();
  const runCores = Object.fromEntries(
    Object.entries(atEnd.cpuSeconds).map(([k, v]) => [k, round(v / atEnd.wallSeconds, 2)]),
  );
  await settle(stack, opts.workerPid);
  const { cpuSeconds, wallSeconds } = meter!.stopSeconds();
  const after = await readTemporalCounts(stack.temporal.metricsUrl, stack.workerSdkMetricsUrl);
  const net = Object.fromEntries(
    Object.entries(cpuSeconds).map(([k, v]) => [k, Math.max(0, v - (opts.idle[k] ?? 0) * wallSeconds)]),
  );
  return { run, counts: diffCounts(before!, after), cpuSeconds: net, wallSeconds, runCores };
}

/** CPU ms per conversation made final, per group, and the pipeline's sum. */
export function cpuPerCall(m: MeasuredPhase): { pipeline: number; byGroup: Record<string, number> } {
  const made = Math.max(1, m.run.latencies.length);
  const byGroup = Object.fromEntries(Object.entries(m.cpuSeconds).map(([k, v]) => [k, round((v * 1000) / made, 2)]));
  const pipeline = round(PIPELINE.reduce((a, k) => a + (m.cpuSeconds[k] ?? 0), 0) * (1000 / made), 2);
  return { pipeline, byGroup };
}
