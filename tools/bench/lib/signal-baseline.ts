import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_OFFICE_ID } from './payloads';
import { BENCH_DIR, type BenchStack } from './stack';
import { CpuMeter, log, round } from './util';

export interface SignalLoopResult {
  ok: number;
  errors: number;
  elapsedMs: number;
  cpuSeconds: number;
  latencies: number[];
  /** Cores used per process group during the loop. */
  cores: Record<string, number>;
}

/**
 * Temporal's own signalWithStart rate: `concurrency` loops (tools/bench/procs/signal-loop.ts) in a
 * child process, each calling the product's signalCallWorkflow for a new call each time, for
 * `durationS`. `taskQueue` overrides the stack's (a queue no worker polls: Temporal only records).
 */
export async function runSignalLoop(
  stack: BenchStack,
  opts: { seed: number; durationS: number; concurrency: number; taskQueue?: string },
): Promise<SignalLoopResult> {
  const out = join(BENCH_DIR, `signal-loop-${opts.seed}.json`);
  rmSync(out, { force: true });
  const child = stack.spawnNode('signal-loop', 'tools/bench/procs/signal-loop.ts', {
    CONCURRENCY: String(opts.concurrency),
    DURATION_MS: String(opts.durationS * 1000),
    ACCOUNT_ID: stack.exampleAccountId,
    OFFICE_ID: EXAMPLE_OFFICE_ID,
    SEED: String(opts.seed),
    OUT: out,
    ...(opts.taskQueue ? { TEMPORAL_TASK_QUEUE: opts.taskQueue } : {}),
  });
  const cpu = new CpuMeter({ ...stack.cpuGroups(), 'signal-loop': () => [child.pid] }).start();
  const code = await child.exited;
  const cores = cpu.stop();
  if (code !== 0) throw new Error(`signal-loop exited with ${code}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as SignalLoopResult;
  result.cores = { ...cores, 'signal-loop': round(result.cpuSeconds / (result.elapsedMs / 1000), 2) };
  log(`  cpu (cores): ${JSON.stringify(result.cores)}`);
  return result;
}
