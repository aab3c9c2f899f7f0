import type pg from 'pg';
import { runPhase } from './e2e-run';
import type { BenchStack } from './stack';
import { distribution, log, round } from './util';

/**
 * The e2e capacity: the offered rate is stepped up (each step `stepSeconds` of conversations, at
 * least `minCalls`) and a step passes when its p99 (last webhook → final row) is under 1 s with
 * no conversation lost. Stepping stops at the first step that fails; the capacity is the highest
 * rate that passed (0 when the first step failed).
 */
export interface CapacityOptions {
  rates: number[];
  stepSeconds: number;
  minCalls: number;
  knownShare: number;
  stallMs: number;
  maxDrainMs: number;
  p99LimitMs: number;
}

export interface CapacityStep {
  rate: number;
  calls: number;
  p50: number;
  p99: number;
  lost: number;
  passed: boolean;
  slowest: string;
}

export async function measureCapacity(
  stack: BenchStack,
  listener: pg.Client,
  opts: CapacityOptions,
  settle: () => Promise<void>,
): Promise<{ capacity: number; steps: CapacityStep[] }> {
  const steps: CapacityStep[] = [];
  let capacity = 0;
  for (const rate of opts.rates) {
    const calls = Math.max(opts.minCalls, Math.round(rate * opts.stepSeconds));
    log(`e2e capacity: ${calls} conversations at ${rate}/s`);
    const run = await runPhase(stack, listener, {
      label: `capacity-${rate}`,
      calls,
      rate,
      stallMs: opts.stallMs,
      maxDrainMs: opts.maxDrainMs,
      knownShare: opts.knownShare,
    });
    await settle();
    const d = distribution(run.latencies);
    const passed = run.lost.length === 0 && run.latencies.length > 0 && d.p99 < opts.p99LimitMs;
    steps.push({
      rate,
      calls,
      p50: round(d.p50, 1),
      p99: round(d.p99, 1),
      lost: run.lost.length,
      passed,
      slowest: run.slowest,
    });
    log(
      `  ${rate}/s: p50 ${d.p50.toFixed(0)} ms, p99 ${d.p99.toFixed(0)} ms, lost ${run.lost.length}: ${passed ? 'passed' : 'failed'}; slowest ${run.slowest}`,
    );
    if (!passed) break;
    capacity = rate;
  }
  return { capacity, steps };
}
