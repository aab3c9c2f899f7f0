import { unionMs } from '../../../src/calls/fold';
import pg from 'pg';
import { ACTED_ON_STATES } from '../../../workflows/shared/call-event';
import type { EmitResult, ExpectedConversation } from '../../simulator';
import type { BenchStack } from '../lib/stack';
import { CpuMeter, distribution, log, round, waitForQuiet } from '../lib/util';
import { sleep } from '../../lib/wait';
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
}

interface RowChange {
  t: number;
  status: string;
  duration: number | null;
  endedAt: number | null;
}

const CHANNEL = 'bench_calls';

async function installNotifyTrigger(stack: BenchStack): Promise<void> {
  await stack.db.raw(`
    create or replace function bench_calls_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${CHANNEL}', json_build_object(
        'id', NEW.dialpad_call_id, 's', NEW.status, 'd', NEW.duration_seconds,
        'e', (extract(epoch from NEW.ended_at) * 1000)::bigint)::text);
      return NEW;
    end $$;
    drop trigger if exists bench_calls_notify on calls;
    create trigger bench_calls_notify after insert or update on calls
      for each row execute function bench_calls_notify();
  `);
}

interface RunResult {
  latencies: number[];
  holdCounted: number;
  noAnswerForMissed: number;
  lost: ExpectedConversation[];
  /** Of the lost: conversations one of whose events was never acknowledged (Dialpad gave up on it). */
  lostGivenUp: number;
  /** Conversations made final per second over the run. */
  completedPerS: number;
  mismatched: { expected: ExpectedConversation; row: unknown }[];
  conversations: number;
  deliveries: number;
  /** Distinct events the ingress signals (not duplicates, not the states it drops). */
  actedOn: number;
  /** Delivery attempts Dialpad's 5 s timeout cut off. */
  timeouts: number;
  /** Delivery attempts answered 503 (the ingress shedding load, or neither store taking the event): retried. */
  answered503: number;
  givenUp: number;
  emitSeconds: number;
}

async function runOnce(
  stack: BenchStack,
  listener: pg.Client,
  label: string,
  calls: number,
  rate: number,
  drain: { stallMs: number; maxDrainMs: number },
): Promise<RunResult> {
  const changes = new Map<string, RowChange[]>();
  const onNotify = (msg: pg.Notification) => {
    if (msg.channel !== CHANNEL || !msg.payload) return;
    const p = JSON.parse(msg.payload) as { id: string | null; s: string; d: number | null; e: number | null };
    if (!p.id) return;
    let list = changes.get(p.id);
    if (!list) changes.set(p.id, (list = []));
    list.push({ t: Date.now(), status: p.s, duration: p.d, endedAt: p.e });
  };
  listener.on('notification', onNotify);
  try {
    const started = Date.now();
    const result: EmitResult = await stack.sim.emit({
      calls,
      rate,
      target: `${stack.ingress!.url}/webhooks/dialpad`,
      secret: stack.secret,
      duplicates: 0.1,
      shuffle: true,
      // Ai events "minutes later" arrive within a few seconds.
      timeScale: 0.01,
      seed: `bench-e2e-${label}-${started}`,
      keepDeliveries: true,
    });
    const emitSeconds = (Date.now() - started) / 1000;
    const failures: Record<string, number> = {};
    for (const d of result.deliveries) {
      for (const a of d.attempts) {
        if (a.status === null || a.status >= 300) {
          const k = a.error ?? String(a.status);
          failures[k] = (failures[k] ?? 0) + 1;
        }
      }
    }
    if (Object.keys(failures).length) log(`  failed delivery attempts: ${JSON.stringify(failures)}`);

    // Per conversation: its legs, and when its last acted-on live event was first delivered.
    const phase = new Map<string, string>();
    for (const c of result.conversations) {
      for (const e of c.events) phase.set(`${e.callId}:${e.state}:${e.eventTimestamp}`, e.phase);
    }
    const lastSend = new Map<number, number>();
    for (const d of result.deliveries) {
      if (d.duplicate || !ACTED_ON_STATES.has(d.state)) continue;
      if (phase.get(`${d.callId}:${d.state}:${d.eventTimestamp}`) !== 'live') continue;
      const at = d.attempts[0]?.at;
      if (at !== undefined) lastSend.set(d.conversation, Math.max(lastSend.get(d.conversation) ?? 0, at));
    }

    // Two readings differ between the emitter and the product, and either counts as final (the
    // report says how often): the product counts hold time in duration_seconds (connected to
    // ended) where the emitter expects Dialpad's talk_time; an unanswered internal call is
    // 'no_answer' (outbound) to the product and 'missed' to the emitter.
    const heldSeconds = new Map(result.conversations.map((c) => [c.expected.key, connectedSeconds(c.legs)]));
    const readings = { holdCounted: new Set<string>(), noAnswerForMissed: new Set<string>() };
    const finalAt = (exp: ExpectedConversation): number | null => {
      const rows = exp.legCallIds.flatMap((id) => changes.get(id) ?? []).sort((a, b) => a.t - b.t);
      const endedAt = Date.parse(exp.endedAt);
      const connected = heldSeconds.get(exp.key);
      let since: number | null = null;
      for (const r of rows) {
        const statusOk =
          r.status === exp.status ||
          (exp.status === 'missed' && exp.direction === 'outbound' && r.status === 'no_answer');
        const durationOk =
          r.duration !== null &&
          (Math.abs(r.duration - exp.talkSeconds) <= 1 ||
            (connected !== undefined && Math.abs(r.duration - connected) <= 1));
        const ok = statusOk && durationOk && r.endedAt !== null && Math.abs(r.endedAt - endedAt) <= 1000;
        if (ok) {
          since ??= r.t;
          if (r.status !== exp.status) readings.noAnswerForMissed.add(exp.key);
          if (Math.abs(r.duration! - exp.talkSeconds) > 1) readings.holdCounted.add(exp.key);
        } else since = null;
      }
      return since;
    };

    // Wait until every conversation is final, or none has become final for `stallMs`.
    const lastEmit = Math.max(...lastSend.values(), Date.now());
    let leastPending = Infinity;
    let progressAt = Date.now();
    for (;;) {
      const pending = result.expected.filter((e) => finalAt(e) === null).length;
      if (pending < leastPending) [leastPending, progressAt] = [pending, Date.now()];
      if (pending === 0 || Date.now() - progressAt > drain.stallMs || Date.now() > lastEmit + drain.maxDrainMs) break;
      await sleep(250);
    }

    const latencies: number[] = [];
    const lost: ExpectedConversation[] = [];
    let lastFinal = 0;
    result.expected.forEach((exp, i) => {
      const at = finalAt(exp);
      const sent = lastSend.get(result.conversations[i]!.index);
      if (at === null || sent === undefined) lost.push(exp);
      else {
        latencies.push(Math.max(0, at - sent));
        lastFinal = Math.max(lastFinal, at);
      }
    });
    // What the pipeline sustained: conversations made final per second, from the first webhook
    // sent to the last row made final.
    const firstSend = Math.min(...result.deliveries.flatMap((d) => d.attempts.map((a) => a.at)));
    const completedPerS = latencies.length / Math.max(0.001, (lastFinal - firstSend) / 1000);

    // A conversation with an acted-on event the ingress never acknowledged (timeouts past Dialpad's
    // retries) cannot become final unless the ingress got it anyway: lost at the door, not late.
    const givenUpConversations = new Set(
      result.deliveries
        .filter((d) => d.outcome !== 'delivered' && ACTED_ON_STATES.has(d.state))
        .map((d) => d.conversation),
    );
    const lostGivenUp = lost.filter((exp) => {
      const i = result.expected.indexOf(exp);
      return givenUpConversations.has(result.conversations[i]!.index);
    }).length;

    // What the lost ones look like in the database, to tell "late" from "wrong".
    const mismatched: RunResult['mismatched'] = [];
    for (const exp of lost.slice(0, 5)) {
      const row = await stack.db('calls').whereIn('dialpad_call_id', exp.legCallIds).first();
      mismatched.push({ expected: exp, row });
    }
    return {
      latencies,
      lost,
      lostGivenUp,
      completedPerS,
      mismatched,
      holdCounted: readings.holdCounted.size,
      noAnswerForMissed: readings.noAnswerForMissed.size,
      conversations: result.expected.length,
      deliveries: result.summary.sent,
      actedOn: result.deliveries.filter((d) => !d.duplicate && ACTED_ON_STATES.has(d.state)).length,
      timeouts: Object.entries(failures)
        .filter(([k]) => k.startsWith('timeout'))
        .reduce((a, [, v]) => a + v, 0),
      answered503: failures['503'] ?? 0,
      givenUp: result.summary.givenUp,
      emitSeconds,
    };
  } finally {
    listener.removeListener('notification', onNotify);
  }
}

/** Seconds between connect and end over all connected legs (overlaps counted once), as the product folds them. */
function connectedSeconds(legs: readonly { date_connected: number | null; date_ended: number }[]): number {
  const intervals = legs
    .filter((l) => l.date_connected !== null && l.date_ended > l.date_connected)
    .map((l) => [l.date_connected!, l.date_ended] as const);
  return Math.round(unionMs(intervals) / 1000);
}

export async function benchE2e(stack: BenchStack, opts: E2eOptions): Promise<BenchmarkOutput> {
  const worker = stack.worker ?? (await stack.startWorker());
  if (!stack.ingress) await stack.startIngress();
  await installNotifyTrigger(stack);
  const listener = new pg.Client({ connectionString: stack.databaseUrl });
  await listener.connect();
  await listener.query(`listen ${CHANNEL}`);
  const settle = async () => {
    const r = await waitForQuiet([worker.pid, ...(stack.temporal.pid ? [stack.temporal.pid] : [])], {
      maxMs: 240_000,
    });
    log(`  backlog worked off in ${(r.waitedMs / 1000).toFixed(1)} s${r.quiet ? '' : ' (gave up waiting)'}`);
  };
  try {
    log(`e2e: baseline, ${opts.baselineCalls} conversations at ${opts.baselineRate}/s`);
    const base = await runOnce(stack, listener, 'baseline', opts.baselineCalls, opts.baselineRate, opts);
    await settle();

    log(`e2e: ${opts.midCalls} conversations at ${opts.midRate}/s`);
    const mid = await runOnce(stack, listener, 'mid', opts.midCalls, opts.midRate, opts);
    await settle();

    log(`e2e: ${opts.calls} conversations at ${opts.rate}/s`);
    const cpu = new CpuMeter(stack.cpuGroups()).start();
    const run = await runOnce(stack, listener, 'load', opts.calls, opts.rate, opts);
    const cores = cpu.stop();
    log(`  cpu (cores): ${JSON.stringify(cores)}`);
    await settle();

    const d = distribution(run.latencies);
    const b = distribution(base.latencies);
    const md = distribution(mid.latencies);
    const notes: string[] = [];
    for (const m of [...base.mismatched, ...mid.mismatched, ...run.mismatched].slice(0, 3)) {
      const e = m.expected;
      const row = m.row as
        { status: string; duration_seconds: number | null; ended_at: Date | null; dialpad_call_id: string } | undefined;
      notes.push(
        `e2e lost (${e.kind}, legs ${e.legCallIds.join(' ')}): expected ${e.status}, ${e.talkSeconds} s, ended ${e.endedAt}; ` +
          (row
            ? `row ${row.dialpad_call_id}: ${row.status}, ${row.duration_seconds ?? 'null'} s, ended ${row.ended_at?.toISOString() ?? 'null'}`
            : 'no row'),
      );
    }
    log(`  e2e: p50 ${d.p50.toFixed(0)} ms, p99 ${d.p99.toFixed(0)} ms, lost ${run.lost.length}`);
    return {
      keys: {
        e2e_calls: run.conversations,
        e2e_rate: opts.rate,
        e2e_lost: run.lost.length,
        e2e_p50_ms: round(d.p50, 1),
        e2e_p99_ms: round(d.p99, 1),
      },
      extra: {
        e2e_max_ms: round(d.max, 1),
        e2e_webhooks: run.deliveries,
        e2e_webhooks_per_s: round(run.deliveries / run.emitSeconds, 1),
        e2e_webhooks_not_acknowledged: run.givenUp,
        e2e_lost_with_unacknowledged_event: run.lostGivenUp,
        e2e_completed_calls_per_s: round(run.completedPerS, 1),
        e2e_mid_completed_calls_per_s: round(mid.completedPerS, 1),
        e2e_lost_after_stall_ms: opts.stallMs,
        e2e_final_later_than_60s: run.latencies.filter((l) => l > 60_000).length,
        e2e_signals_per_call: round(run.actedOn / run.conversations, 2),
        e2e_delivery_timeouts: run.timeouts,
        e2e_delivery_503s: run.answered503,
        e2e_mid_calls: mid.conversations,
        e2e_mid_rate: opts.midRate,
        e2e_mid_lost: mid.lost.length,
        e2e_mid_p50_ms: round(md.p50, 1),
        e2e_mid_p99_ms: round(md.p99, 1),
        e2e_mid_delivery_timeouts: mid.timeouts,
        e2e_mid_delivery_503s: mid.answered503,
        e2e_baseline_calls: base.conversations,
        e2e_baseline_rate: opts.baselineRate,
        e2e_baseline_lost: base.lost.length,
        e2e_baseline_p50_ms: round(b.p50, 1),
        e2e_baseline_p99_ms: round(b.p99, 1),
        e2e_ratio_p99: round(d.p99 / b.p99, 2),
        e2e_rows_counting_hold_time: run.holdCounted,
        e2e_rows_no_answer_for_missed: run.noAnswerForMissed,
        ...Object.fromEntries(Object.entries(cores).map(([k, v]) => [`e2e_cpu_cores_${k}`, v])),
      },
      distributions: {
        [`e2e at ${opts.rate}/s`]: run.latencies,
        [`e2e at ${opts.midRate}/s`]: mid.latencies,
        [`e2e at ${opts.baselineRate}/s (baseline)`]: base.latencies,
      },
      notes,
    };
  } finally {
    await listener.end();
  }
}
