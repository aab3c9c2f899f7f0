import pg from 'pg';
import { measureCapacity, type CapacityOptions } from '../lib/e2e-capacity';
import { startOldCode } from '../lib/e2e-compare';
import { cpuPerCall, idleCores, measuredPhase, settle, type MeasuredPhase } from '../lib/e2e-measure';
import { CHANNEL, installNotifyTrigger, runPhase, type PhaseOptions } from '../lib/e2e-run';
import { runSignalLoop } from '../lib/signal-baseline';
import type { BenchStack } from '../lib/stack';
import { actionsPerCall, countsExtra } from '../lib/temporal-counts';
import { distribution, log, round } from '../lib/util';
import type { BenchmarkOutput } from './types';

/**
 * End to end: simulated conversations of every kind (call centres, transfers, internal calls,
 * voicemail, missed; several legs each), delivered by the simulator's emitter to the ingress the
 * way Dialpad delivers them (signed, 10 % duplicated, shuffled within each conversation), at a
 * fixed rate. Per conversation: the time from its last webhook to the moment its `calls` row is
 * final, where final means the row shows the emitter's expected status, talk time (±1 s, legs are
 * folded by interval union) and end time (±1 s).
 *
 * "Its last webhook" is the first delivery of the last of its live events the ingress acts on
 * (hangup, missed, voicemail…; not ringing/connected, which the ingress acknowledges and drops, and
 * not the duplicates or the Ai events minutes later, which do not change the status or duration).
 * The moment a row changes comes from a trigger the benchmark adds to its own database, which
 * NOTIFYs each change of `calls`; a LISTEN connection timestamps it as it commits.
 *
 * The baseline is the same pipeline at a trickle (a few calls a second): its latency unloaded.
 *
 * Beside it, in the same run: for answered calls from numbers Navigator holds (records seeded for
 * a share of each phase's callers), the time from the first delivery of the conversation's first
 * hangup webhook to its row linked to the record; Temporal's own counts of signals, workflow starts,
 * workflow and activity tasks per conversation; CPU per conversation at the mid rate (optionally
 * against an older commit's worker and ingress, `--compare`); and the capacity, the highest offered
 * rate whose p99 stays under 1 s with nothing lost, against Temporal's own signalWithStart rate.
 */
export interface E2eOptions {
  calls: number;
  rate: number;
  baselineCalls: number;
  baselineRate: number;
  /** A run between the two, at a rate the stack can keep up with, for the latency when not saturated. */
  midCalls: number;
  midRate: number;
  /**
   * A conversation is lost when it is not final once the pipeline has stopped making progress:
   * no conversation became final for this long (or `maxDrainMs` after the last webhook). A
   * conversation made final late is late, not lost: the latency figures show it.
   */
  stallMs: number;
  maxDrainMs: number;
  /** Share of each phase's distinct external numbers that gets a Navigator record before it runs. */
  knownShare: number;
  /** The capacity steps; `signalSeconds` is the length of the signalWithStart baseline beside them. */
  capacity: Omit<CapacityOptions, 'knownShare' | 'stallMs' | 'maxDrainMs'> & { signalSeconds: number };
  /** An older commit whose worker and ingress run the mid phase too (CPU per call, old against new). */
  compare?: string;
}

const SIGNAL_CONCURRENCY = 16;

export async function benchE2e(stack: BenchStack, opts: E2eOptions): Promise<BenchmarkOutput> {
  if (!stack.worker) await stack.startWorker();
  if (!stack.ingress) await stack.startIngress();
  await installNotifyTrigger(stack);
  const listener = new pg.Client({ connectionString: stack.databaseUrl });
  await listener.connect();
  await listener.query(`listen ${CHANNEL}`);
  const phase = (label: string, calls: number, rate: number) => ({
    label,
    calls,
    rate,
    stallMs: opts.stallMs,
    maxDrainMs: opts.maxDrainMs,
    knownShare: opts.knownShare,
  });
  const notes: string[] = [];
  try {
    await settle(stack);
    const idle = await idleCores(stack.cpuGroups());
    log(`e2e: baseline, ${opts.baselineCalls} conversations at ${opts.baselineRate}/s`);
    const base = await measuredPhase(stack, listener, phase('baseline', opts.baselineCalls, opts.baselineRate), {
      groups: stack.cpuGroups(),
      idle,
    });

    log(`e2e: ${opts.midCalls} conversations at ${opts.midRate}/s`);
    const mid = await measuredPhase(stack, listener, phase('mid', opts.midCalls, opts.midRate), {
      groups: stack.cpuGroups(),
      idle,
    });

    // Temporal's own signalWithStart rate, to a task queue no worker polls: what Temporal accepts
    // with nothing behind it (the worker idle), the ceiling the capacity is set against.
    log(`e2e: signalWithStart baseline, ${SIGNAL_CONCURRENCY} concurrent, ${opts.capacity.signalSeconds} s`);
    let signalRps = NaN;
    let signalErrors = NaN;
    try {
      const signal = await runSignalLoop(stack, {
        seed: 6,
        durationS: opts.capacity.signalSeconds,
        concurrency: SIGNAL_CONCURRENCY,
        taskQueue: `${stack.taskQueue}-signal-baseline`,
      });
      signalRps = signal.ok / (signal.elapsedMs / 1000);
      signalErrors = signal.errors;
      log(`  signalWithStart: ${signalRps.toFixed(0)} /s`);
    } catch (err) {
      notes.push(`e2e signalWithStart baseline failed: ${(err as Error).message}`);
      log(notes[notes.length - 1]!);
    }
    await settle(stack);

    const cap = await measureCapacity(
      stack,
      listener,
      { ...opts.capacity, knownShare: opts.knownShare, stallMs: opts.stallMs, maxDrainMs: opts.maxDrainMs },
      () => settle(stack),
    );

    // --compare: the old code's mid phase, then the current code's again, back to back, each after
    // an unmeasured warm-up, all four with the same conversations (new call ids each time).
    let cmp: { old: MeasuredPhase; current: MeasuredPhase; commit: string } | undefined;
    if (opts.compare) {
      try {
        cmp = await compareMid(stack, listener, opts.compare, {
          mid: { ...phase('mid-compare', opts.midCalls, opts.midRate), contentSeed: `bench-e2e-compare-${Date.now()}` },
          idle,
        });
      } catch (err) {
        notes.push(`e2e --compare ${opts.compare} failed: ${(err as Error).message.split('\n')[0]}`);
        log(notes[notes.length - 1]!);
      }
    }

    log(`e2e: ${opts.calls} conversations at ${opts.rate}/s`);
    const load = await measuredPhase(stack, listener, phase('load', opts.calls, opts.rate), {
      groups: stack.cpuGroups(),
      idle,
    });
    const cores = load.runCores;
    log(`  cpu (cores): ${JSON.stringify(cores)}`);
    const run = load.run;

    const d = distribution(run.latencies);
    const b = distribution(base.run.latencies);
    const md = distribution(mid.run.latencies);
    const link = {
      base: distribution(base.run.linkLatencies),
      mid: distribution(mid.run.linkLatencies),
      load: distribution(run.linkLatencies),
    };
    for (const m of [...base.run.mismatched, ...mid.run.mismatched, ...run.mismatched].slice(0, 3)) {
      const e = m.expected;
      const row = m.row as
        { status: string; duration_seconds: number | null; ended_at: Date | null; dialpad_call_id: string } | undefined;
      notes.push(
        `e2e lost (${e.kind}, legs ${e.legCallIds.join(' ')}): expected ${e.status}, ${e.talkSeconds} s, ended ${e.endedAt}; ` +
          (row
            ? `row ${row.dialpad_call_id}: ${row.status}, ${row.duration_seconds ?? 'null'} s, ended ${row.ended_at?.toISOString() ?? 'null'}`
            : 'no row') +
          `; legs folded into ${m.rowsNow} row(s); changes seen: ${m.changes || 'none'}`,
      );
    }
    const old = cmp?.old;
    if (old && (old.run.lost.length > 0 || old.run.answered4xx > 0)) {
      notes.push(
        `e2e --compare ${cmp!.commit.slice(0, 10)}: its ingress answered ${old.run.answered4xx} deliveries 4xx and ` +
          `${old.run.lost.length} of ${old.run.conversations} conversations were lost: it did not process the same ` +
          'work, so its CPU per call (e2e_cpu_ms_per_call_baseline, e2e_cpu_ratio) is not comparable',
      );
    }
    const midCpu = cpuPerCall(mid);
    const oldCpu = old ? cpuPerCall(old) : undefined;
    const againCpu = cmp ? cpuPerCall(cmp.current) : undefined;
    const actions = actionsPerCall(mid.counts, mid.run.conversations);
    log(`  e2e: p50 ${d.p50.toFixed(0)} ms, p99 ${d.p99.toFixed(0)} ms, lost ${run.lost.length}`);
    log(
      `  at ${opts.midRate}/s: link p99 ${link.mid.p99.toFixed(0)} ms, ${actions.toFixed(2)} Temporal actions and ` +
        `${midCpu.pipeline} ms CPU per call${oldCpu ? ` (old: ${oldCpu.pipeline} ms)` : ''}; capacity ${cap.capacity}/s`,
    );
    const perCall = (prefix: string, c: ReturnType<typeof cpuPerCall>) =>
      Object.fromEntries(Object.entries(c.byGroup).map(([k, v]) => [`${prefix}${k}`, v]));
    const linkExtra = (prefix: string, r: MeasuredPhase['run'], dist: ReturnType<typeof distribution>) => ({
      [`${prefix}link_p50_ms`]: round(dist.p50, 1),
      [`${prefix}link_p99_ms`]: round(dist.p99, 1),
      [`${prefix}link_calls`]: r.knownAnswered,
      [`${prefix}link_missing`]: r.linkMissing,
    });
    return {
      keys: {
        e2e_calls: run.conversations,
        e2e_rate: opts.rate,
        e2e_lost: run.lost.length,
        e2e_p50_ms: round(d.p50, 1),
        e2e_p99_ms: round(d.p99, 1),
        e2e_link_p50_ms: round(link.mid.p50, 1),
        e2e_link_p99_ms: round(link.mid.p99, 1),
        e2e_temporal_actions_per_call: round(actions, 2),
        e2e_cpu_ms_per_call: midCpu.pipeline,
        ...(oldCpu && againCpu
          ? {
              e2e_cpu_ms_per_call_baseline: oldCpu.pipeline,
              // The current code measured right after the old one, on the same conversations.
              e2e_cpu_ratio: round(againCpu.pipeline / oldCpu.pipeline, 3),
            }
          : {}),
        e2e_capacity_calls_per_s: cap.capacity,
        e2e_capacity_ratio: round(cap.capacity / signalRps, 3),
      },
      extra: {
        e2e_max_ms: round(d.max, 1),
        e2e_webhooks: run.deliveries,
        e2e_webhooks_per_s: round(run.deliveries / run.emitSeconds, 1),
        e2e_webhooks_not_acknowledged: run.givenUp,
        e2e_lost_with_unacknowledged_event: run.lostGivenUp,
        e2e_completed_calls_per_s: round(run.completedPerS, 1),
        e2e_mid_completed_calls_per_s: round(mid.run.completedPerS, 1),
        e2e_lost_after_stall_ms: opts.stallMs,
        e2e_final_later_than_60s: run.latencies.filter((l) => l > 60_000).length,
        e2e_signals_per_call: round(run.actedOn / run.conversations, 2),
        e2e_delivery_timeouts: run.timeouts,
        e2e_delivery_503s: run.answered503,
        e2e_mid_calls: mid.run.conversations,
        e2e_mid_rate: opts.midRate,
        e2e_mid_lost: mid.run.lost.length,
        e2e_mid_p50_ms: round(md.p50, 1),
        e2e_mid_p99_ms: round(md.p99, 1),
        e2e_mid_delivery_timeouts: mid.run.timeouts,
        e2e_mid_delivery_503s: mid.run.answered503,
        e2e_baseline_calls: base.run.conversations,
        e2e_baseline_rate: opts.baselineRate,
        e2e_baseline_lost: base.run.lost.length,
        e2e_baseline_p50_ms: round(b.p50, 1),
        e2e_baseline_p99_ms: round(b.p99, 1),
        e2e_ratio_p99: round(d.p99 / b.p99, 2),
        e2e_rows_counting_hold_time: run.holdCounted,
        e2e_rows_no_answer_for_missed: run.noAnswerForMissed,
        ...Object.fromEntries(Object.entries(cores).map(([k, v]) => [`e2e_cpu_cores_${k}`, v])),
        // Linking (answered calls from numbers Navigator holds), per phase; the headline is the mid phase.
        e2e_known_share: opts.knownShare,
        ...linkExtra('e2e_mid_', mid.run, link.mid),
        ...linkExtra('e2e_baseline_', base.run, link.base),
        ...linkExtra('e2e_load_', run, link.load),
        // Temporal's counts per conversation, per phase (the headline is the mid phase's).
        ...countsExtra('e2e_mid_', mid.counts, mid.run.conversations),
        ...countsExtra('e2e_baseline_', base.counts, base.run.conversations),
        ...countsExtra('e2e_load_', load.counts, run.conversations),
        // CPU per conversation made final at the mid rate, net of each process's idle use.
        e2e_cpu_ms_per_call_runner: midCpu.byGroup.runner ?? NaN,
        e2e_mid_cpu_window_s: round(mid.wallSeconds, 1),
        ...perCall('e2e_mid_cpu_ms_per_call_', midCpu),
        ...(oldCpu && old && againCpu
          ? {
              e2e_compare_commit: cmp!.commit,
              // The current code's figure measured right after the old one's: the ratio's numerator.
              e2e_compare_current_cpu_ms_per_call: againCpu.pipeline,
              e2e_compare_current_p99_ms: round(distribution(cmp!.current.run.latencies).p99, 1),
              e2e_compare_lost: old.run.lost.length,
              e2e_compare_temporal_actions_per_call: round(actionsPerCall(old.counts, old.run.conversations), 2),
              e2e_compare_current_temporal_actions_per_call: round(
                actionsPerCall(cmp!.current.counts, cmp!.current.run.conversations),
                2,
              ),
              e2e_compare_deliveries_answered_4xx: old.run.answered4xx,
              e2e_compare_p99_ms: round(distribution(old.run.latencies).p99, 1),
              e2e_compare_cpu_window_s: round(old.wallSeconds, 1),
              ...perCall('e2e_compare_cpu_ms_per_call_', oldCpu),
              ...perCall('e2e_compare_current_cpu_ms_per_call_', againCpu),
              // The load generator does the same work in both runs (same conversations): the ratio
              // with each side's pipeline CPU divided by its runner's, a check on machine drift.
              e2e_cpu_ratio_per_runner_cpu: round(
                againCpu.pipeline /
                  (againCpu.byGroup.runner ?? NaN) /
                  (oldCpu.pipeline / (oldCpu.byGroup.runner ?? NaN)),
                3,
              ),
            }
          : {}),
        e2e_capacity_signal_rps: round(signalRps, 1),
        e2e_capacity_signal_errors: signalErrors,
        e2e_capacity_steps: cap.steps
          .map(
            (s) =>
              `${s.rate}/s: ${s.calls} calls, p50 ${s.p50} ms, p99 ${s.p99} ms, lost ${s.lost}, slowest ${s.slowest}`,
          )
          .join('; '),
        e2e_mid_slowest: mid.run.slowest,
      },
      distributions: {
        [`e2e at ${opts.rate}/s`]: run.latencies,
        [`e2e at ${opts.midRate}/s`]: mid.run.latencies,
        [`e2e at ${opts.baselineRate}/s (baseline)`]: base.run.latencies,
      },
      notes,
    };
  } finally {
    await listener.end();
  }
}

/**
 * The mid phase on an older commit's worker and ingress (lib/e2e-compare.ts), then on the current
 * code again. All four runs deliver the same conversations (`p.mid.contentSeed`) under new call
 * ids: the old code's warm-up (unmeasured; it also makes the first contact push-backs to Dialpad,
 * which neither measured run then pays), the old code measured, the restarted current ingress's
 * warm-up, the current code measured. The current ingress is stopped while the old code runs, so
 * that its relay cannot hand the old ingress's deliveries to the current worker.
 */
async function compareMid(
  stack: BenchStack,
  listener: pg.Client,
  ref: string,
  p: { mid: PhaseOptions; idle: Record<string, number> },
): Promise<{ old: MeasuredPhase; current: MeasuredPhase; commit: string }> {
  await stack.ingress?.stop();
  stack.ingress = undefined;
  let old: MeasuredPhase;
  let commit: string;
  let code: Awaited<ReturnType<typeof startOldCode>>;
  try {
    code = await startOldCode(stack, ref);
  } catch (err) {
    await stack.startIngress();
    throw err;
  }
  try {
    commit = code.commit;
    const groups = { ...stack.cpuGroups(), ingress: () => [code.ingress.pid], worker: () => [code.worker.pid] };
    await settle(stack, code.worker.pid);
    const idle = await idleCores(groups);
    log(`e2e: warm-up of ${commit.slice(0, 10)}, ${p.mid.calls} conversations at ${p.mid.rate}/s`);
    await runPhase(stack, listener, { ...p.mid, label: 'warm-up-old', ingressUrl: code.ingressUrl });
    await settle(stack, code.worker.pid);
    log(`e2e: the same ${p.mid.calls} conversations at ${p.mid.rate}/s, commit ${commit.slice(0, 10)}, measured`);
    old = await measuredPhase(
      stack,
      listener,
      { ...p.mid, label: 'mid-old', ingressUrl: code.ingressUrl },
      { groups, idle, workerPid: code.worker.pid },
    );
  } finally {
    await code.stop();
    await stack.startIngress();
  }
  log(`e2e: warm-up of the restarted ingress, the same ${p.mid.calls} conversations`);
  await runPhase(stack, listener, { ...p.mid, label: 'warm-up-current' });
  await settle(stack);
  log(`e2e: the same ${p.mid.calls} conversations at ${p.mid.rate}/s, current code, measured`);
  const current = await measuredPhase(
    stack,
    listener,
    { ...p.mid, label: 'mid-current' },
    {
      groups: stack.cpuGroups(),
      idle: p.idle,
    },
  );
  return { old, current, commit };
}
