import pg from 'pg';
import { unionMs } from '../../../src/calls/fold';
import { ACTED_ON_STATES } from '../../../workflows/shared/call-event';
import type { EmitResult, ExpectedConversation } from '../../simulator';
import { sleep } from '../../lib/wait';
import { seedKnownCallers } from './e2e-seed';
import type { RowChange } from './final-row';
import { DELETED, finalSince } from './final-row';
import type { BenchStack } from './stack';
import { log } from './util';

/**
 * One phase of the e2e benchmark (see benchmarks/e2e.ts): seed Navigator records for a share of
 * the phase's callers, emit the conversations to an ingress, and time each conversation's `calls`
 * row from the NOTIFYs of a trigger on `calls`: when it became final, and, for answered calls from
 * a number Navigator holds, when it was linked to its record.
 */

export const CHANNEL = 'bench_calls';

export async function installNotifyTrigger(stack: BenchStack): Promise<void> {
  await stack.db.raw(`
    create or replace function bench_calls_notify() returns trigger language plpgsql as $$
    begin
      -- A row merged into another conversation's row is deleted: say so, or its last state would stand.
      if TG_OP = 'DELETE' then
        perform pg_notify('${CHANNEL}', json_build_object(
          'id', OLD.dialpad_call_id, 'r', OLD.id, 'l', false, 's', '${DELETED}', 'd', null, 'e', null)::text);
        return OLD;
      end if;
      perform pg_notify('${CHANNEL}', json_build_object(
        'id', NEW.dialpad_call_id, 'r', NEW.id, 'l', NEW.linked_entity_id is not null,
        's', NEW.status, 'd', NEW.duration_seconds,
        'e', (extract(epoch from NEW.ended_at) * 1000)::bigint)::text);
      return NEW;
    end $$;
    drop trigger if exists bench_calls_notify on calls;
    create trigger bench_calls_notify after insert or update or delete on calls
      for each row execute function bench_calls_notify();
  `);
}

export interface RunResult {
  latencies: number[];
  /**
   * Answered calls from a number Navigator holds: first delivery of the conversation's first
   * hangup webhook → its final row linked to a record.
   */
  linkLatencies: number[];
  /** Of those, made final but never linked while the phase was watched. */
  linkMissing: number;
  /** Conversations the link figure covers (answered, external, number held). */
  knownAnswered: number;
  holdCounted: number;
  noAnswerForMissed: number;
  lost: ExpectedConversation[];
  /** Of the lost: conversations one of whose events was never acknowledged (Dialpad gave up on it). */
  lostGivenUp: number;
  /** The slowest conversation made final: its kind, legs and latency (ms). */
  slowest: string;
  /** Conversations made final per second over the run. */
  completedPerS: number;
  /**
   * The lost ones as the database and the trigger saw them: a leg's row, the distinct rows its legs
   * are folded into, and every change the judge saw (row, status, duration), in arrival order.
   */
  mismatched: { expected: ExpectedConversation; row: unknown; rowsNow: number; changes: string }[];
  conversations: number;
  deliveries: number;
  /** Distinct events the ingress signals (not duplicates, not the states it drops). */
  actedOn: number;
  /** Delivery attempts Dialpad's 5 s timeout cut off. */
  timeouts: number;
  /** Delivery attempts answered 503 (the ingress shedding load, or neither store taking the event): retried. */
  answered503: number;
  /** Delivery attempts answered 4xx (the ingress refused the event; Dialpad does not retry those). */
  answered4xx: number;
  givenUp: number;
  emitSeconds: number;
}

export interface PhaseOptions {
  label: string;
  calls: number;
  rate: number;
  stallMs: number;
  maxDrainMs: number;
  /** Share of the phase's distinct external numbers given a Navigator record first. */
  knownShare: number;
  /** Where the webhooks go (default: the stack's ingress). */
  ingressUrl?: string;
  /**
   * The conversations' seed, for phases that must deliver the same conversations (under new call
   * ids each time); default: a seed of the phase's own.
   */
  contentSeed?: string;
  /** Called once the records are seeded, just before the first webhook. */
  onStart?: () => void | Promise<void>;
}

export async function runPhase(stack: BenchStack, listener: pg.Client, opts: PhaseOptions): Promise<RunResult> {
  const { label, calls, rate } = opts;
  const drain = opts;
  const seed = opts.contentSeed ?? `bench-e2e-${label}-${Date.now()}`;
  const idSeed = opts.contentSeed ? `${opts.contentSeed}-${label}-${Date.now()}` : undefined;
  const known = await seedKnownCallers(stack, { seed, calls, share: opts.knownShare });
  const changes = new Map<string, RowChange[]>();
  let seq = 0;
  const onNotify = (msg: pg.Notification) => {
    if (msg.channel !== CHANNEL || !msg.payload) return;
    const p = JSON.parse(msg.payload) as {
      id: string | null;
      r: string | number;
      l: boolean;
      s: string;
      d: number | null;
      e: number | null;
    };
    if (!p.id) return;
    let list = changes.get(p.id);
    if (!list) changes.set(p.id, (list = []));
    list.push({ t: Date.now(), seq: seq++, rowId: String(p.r), linked: p.l, status: p.s, duration: p.d, endedAt: p.e });
  };
  listener.on('notification', onNotify);
  try {
    await opts.onStart?.();
    const started = Date.now();
    const result: EmitResult = await stack.sim.emit({
      calls,
      rate,
      target: `${opts.ingressUrl ?? stack.ingress!.url}/webhooks/dialpad`,
      secret: stack.secret,
      duplicates: 0.1,
      shuffle: true,
      // Ai events "minutes later" arrive within a few seconds.
      timeScale: 0.01,
      seed,
      ...(idSeed ? { idSeed } : {}),
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
    // And when the first hangup of any of its legs was first delivered: the link's starting point.
    const firstHangup = new Map<number, number>();
    for (const d of result.deliveries) {
      const at = d.attempts[0]?.at;
      if (d.duplicate || d.state !== 'hangup' || at === undefined) continue;
      firstHangup.set(d.conversation, Math.min(firstHangup.get(d.conversation) ?? Infinity, at));
    }

    // Two readings differ between the emitter and the product, and either counts as final (the
    // report says how often): the product counts hold time in duration_seconds (connected to
    // ended) where the emitter expects Dialpad's talk_time; an unanswered internal call is
    // 'no_answer' (outbound) to the product and 'missed' to the emitter.
    const heldSeconds = new Map(result.conversations.map((c) => [c.expected.key, connectedSeconds(c.legs)]));
    const readings = { holdCounted: new Set<string>(), noAnswerForMissed: new Set<string>() };
    /** The calls.id of the row that holds the conversation once final (a merged leg's row is deleted). */
    const finalRow = new Map<string, string>();
    /** Every change seen to the rows of the conversation's legs, in arrival order. */
    const changesOf = (exp: ExpectedConversation) =>
      exp.legCallIds.flatMap((id) => changes.get(id) ?? []).sort((a, b) => a.seq - b.seq);
    const finalAt = (exp: ExpectedConversation): number | null => {
      const changed = changesOf(exp);
      const endedAt = Date.parse(exp.endedAt);
      const connected = heldSeconds.get(exp.key);
      const isFinal = (r: RowChange) => {
        const statusOk =
          r.status === exp.status ||
          (exp.status === 'missed' && exp.direction === 'outbound' && r.status === 'no_answer');
        const durationOk =
          r.duration !== null &&
          (Math.abs(r.duration - exp.talkSeconds) <= 1 ||
            (connected !== undefined && Math.abs(r.duration - connected) <= 1));
        return statusOk && durationOk && r.endedAt !== null && Math.abs(r.endedAt - endedAt) <= 1000;
      };
      const final = finalSince(changed, isFinal);
      if (final) {
        finalRow.set(exp.key, final.row.rowId);
        if (final.row.status !== exp.status) readings.noAnswerForMissed.add(exp.key);
        if (Math.abs(final.row.duration! - exp.talkSeconds) > 1) readings.holdCounted.add(exp.key);
      }
      return final?.since ?? null;
    };
    // Answered external calls from a number Navigator holds: when their final row was first linked.
    const linkWatched = (exp: ExpectedConversation) =>
      exp.status === 'answered' && !exp.isInternal && known.has(`${exp.officeId} ${exp.externalNumber}`);
    const linkAt = (exp: ExpectedConversation): number | null => {
      if (finalAt(exp) === null) return null;
      const row = finalRow.get(exp.key);
      const hit = exp.legCallIds
        .flatMap((id) => changes.get(id) ?? [])
        .filter((r) => r.rowId === row && r.linked)
        .sort((a, b) => a.t - b.t)[0];
      return hit?.t ?? null;
    };

    // Wait until every conversation is final, or none has become final for `stallMs`.
    const lastEmit = Math.max(...lastSend.values(), Date.now());
    let leastPending = Infinity;
    let progressAt = Date.now();
    for (;;) {
      const pending = result.expected.filter(
        (e) => finalAt(e) === null || (linkWatched(e) && linkAt(e) === null),
      ).length;
      if (pending < leastPending) [leastPending, progressAt] = [pending, Date.now()];
      if (pending === 0 || Date.now() - progressAt > drain.stallMs || Date.now() > lastEmit + drain.maxDrainMs) break;
      await sleep(250);
    }

    const latencies: number[] = [];
    const linkLatencies: number[] = [];
    let knownAnswered = 0;
    let linkMissing = 0;
    const lost: ExpectedConversation[] = [];
    let lastFinal = 0;
    let slowestMs = -Infinity;
    let slowest = '';
    result.expected.forEach((exp, i) => {
      const at = finalAt(exp);
      const sent = lastSend.get(result.conversations[i]!.index);
      if (at === null || sent === undefined) lost.push(exp);
      else {
        if (at - sent > slowestMs) {
          slowestMs = at - sent;
          slowest = `${exp.kind} (${exp.status}, ${exp.legCallIds.length} legs) ${Math.round(slowestMs)} ms`;
        }
        latencies.push(Math.max(0, at - sent));
        lastFinal = Math.max(lastFinal, at);
      }
      if (!linkWatched(exp)) return;
      knownAnswered++;
      const linked = linkAt(exp);
      const hangup = firstHangup.get(result.conversations[i]!.index);
      if (linked !== null && hangup !== undefined) linkLatencies.push(Math.max(0, linked - hangup));
      else if (at !== null) linkMissing++;
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
      const legs = await stack.db('dialpad_call_legs').whereIn('call_id', exp.legCallIds).distinct('call_row_id');
      const seen = changesOf(exp).map((c) => `${c.rowId.slice(0, 8)}:${c.status}/${c.duration ?? '-'}s`);
      mismatched.push({ expected: exp, row, rowsNow: legs.length, changes: seen.join(' > ') });
    }
    return {
      latencies,
      linkLatencies,
      linkMissing,
      knownAnswered,
      lost,
      lostGivenUp,
      completedPerS,
      slowest,
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
      answered4xx: Object.entries(failures)
        .filter(([k]) => /^4\d\d$/.test(k))
        .reduce((a, [, v]) => a + v, 0),
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
