import type { ReliabilityEnv } from './env';
import { attemptsBetween, emit, type Emission, type EmitRequest } from './emit';
import { ascending, percentile } from '../../lib/percentile';
import type { ScenarioResult } from './result';
import { counterDelta, ingressCounters } from './counters';
import { clearLeftovers } from './leftovers';
import { settle, type Settled } from './settle';
import { eventFigures, expectationsOf, type ExpectedOutcome } from './verify';
import { callWorkflowId } from '../../../workflows/shared/ids';

/**
 * A call scenario's common part: a burst of simulated calls through the real ingress, worker,
 * Temporal and Postgres while something is broken on purpose, then every conversation compared with
 * the emitter's expected outcome; and the result's shape shared by the call scenarios.
 */

export interface Window {
  label: string;
  from: number;
  to: number;
}

export interface BurstOutcome extends Settled {
  emission: Emission;
  /** What the emitter says every conversation and event should have become. */
  expected: ExpectedOutcome[];
  /** The ingress's own counts of what it did with the deliveries (its /metrics). */
  counters: Record<string, number>;
  /** Deliveries of this scenario still pending when it timed out, parked for the next one. */
  parked: number;
  /** What earlier scenarios left behind, cleared before this one started. */
  cleared: { terminated: number; parked: number };
  windows: Window[];
  recordedOnce: { events: number; rows: number };
}

export interface BurstOptions {
  /** The expected outcomes (default: every conversation and event, on its office's account). */
  expectations?: (emission: Emission, windows: Window[]) => ExpectedOutcome[];
  /** Runs after the emission and the chaos, before settling (e.g. to undo what the chaos did). */
  beforeSettle?: (emission: Emission, windows: Window[]) => Promise<void>;
}

/** Emits a burst while `chaos` runs, waits for both, settles and compares. */
export async function burst(
  env: ReliabilityEnv,
  req: EmitRequest,
  chaos: (started: number) => Promise<Window[]>,
  opts: BurstOptions = {},
): Promise<BurstOutcome> {
  const cleared = await clearLeftovers(env.db, env.temporalClient, env.note);
  const countersBefore = await ingressCounters(env.ingressUrl);
  const started = Date.now();
  env.note(`  emitting ${req.calls} conversations at ${req.rate}/s (seed ${req.seed})`);
  const emitting = emit(env, req);
  const chaosDone = chaos(started);
  const [emission, windows] = await Promise.all([emitting, chaosDone]);
  const s = emission.result.summary;
  env.note(
    `  emitted in ${(s.durationMs / 1000).toFixed(1)} s: ${s.events} events, ${s.sent} deliveries, ${emission.copies.sent} extra copies (${emission.copies.shed} shed and sent again), ` +
      `${s.attempts} attempts, ${s.status5xx} × 5xx, ${s.retried} retried, ${s.givenUp} given up`,
  );
  const expected = opts.expectations
    ? opts.expectations(emission, windows)
    : expectationsOf(emission.result.conversations, env.accounts);
  if (opts.beforeSettle) await opts.beforeSettle(emission, windows);
  const settled = await settle(env.db, env.temporalClient, expected, {
    timeoutMs: env.options.settleTimeoutS * 1000,
    aiWaitSeconds: env.options.aiWaitSeconds,
    note: env.note,
  });
  const counters = counterDelta(countersBefore, await ingressCounters(env.ingressUrl));
  env.note(`  settled in ${(settled.settledMs / 1000).toFixed(1)} s${settled.timedOut ? ' (timed out)' : ''}`);

  // Each distinct event is recorded at most once in dialpad_webhook_deliveries (states not acted on
  // are kept too, as 'ignored').
  const acted = new Set<string>();
  for (const conv of emission.result.conversations) {
    for (const e of conv.events) acted.add(`${e.callId}:${e.state}:${e.eventTimestamp}`);
  }
  const legIds = expected.flatMap((e) => e.conversation.legCallIds);
  let rows = 0;
  for (let i = 0; i < legIds.length; i += 2000) {
    const [r] = await env
      .db('dialpad_webhook_deliveries')
      .whereIn('call_id', legIds.slice(i, i + 2000))
      .count<{ count: string }[]>('* as count');
    rows += Number(r?.count ?? 0);
  }
  // A scenario that did not settle leaves a relay backlog behind; parked (relay_after + 1 day), it
  // does not delay the next scenario's deliveries, which the relay would otherwise send after it.
  let parked = 0;
  if (settled.timedOut) {
    for (let i = 0; i < legIds.length; i += 2000) {
      parked += await env
        .db('dialpad_webhook_deliveries')
        .whereIn('call_id', legIds.slice(i, i + 2000))
        .where({ signal_status: 'pending' })
        .update({ relay_after: env.db.raw("now() + interval '1 day'") });
    }
    if (parked)
      env.note(`  parked ${parked} deliveries still waiting for the relay, so the next scenario runs on its own`);
  }
  return {
    emission,
    expected,
    cleared,
    parked,
    comparison: settled.comparison,
    settledMs: settled.settledMs,
    timedOut: settled.timedOut,
    openWorkflows: settled.openWorkflows,
    leftOpen: settled.leftOpen,
    stillFetching: settled.stillFetching,
    relayBacklog: settled.relayBacklog,
    counters,
    windows,
    recordedOnce: { events: acted.size, rows },
  };
}

/** The common part of a call scenario's result. */
export function callResult(
  name: string,
  title: string,
  o: BurstOutcome,
  failures: string[],
  details: Record<string, unknown> = {},
): Omit<ScenarioResult, 'seconds' | 'runAt' | 'passed'> {
  const s = o.emission.result.summary;
  const c = o.comparison;
  if (o.recordedOnce.rows > o.recordedOnce.events) {
    failures.push(`${o.recordedOnce.rows} delivery rows for ${o.recordedOnce.events} distinct events`);
  }
  if (o.timedOut) {
    const b = o.relayBacklog;
    failures.push(
      `did not settle within ${(o.settledMs / 1000).toFixed(0)} s (open workflows: ${o.openWorkflows ?? '?'}` +
        (b.atEnd
          ? `; ${b.atEnd} recorded deliveries still waiting for the relay, peak ${b.peak}, draining at ${b.drainPerSecond ?? '?'}/s`
          : '') +
        ')',
    );
  }
  if (o.leftOpen.length) {
    const states: Record<string, number> = {};
    for (const w of o.leftOpen) states[w.callState] = (states[w.callState] ?? 0) + 1;
    failures.push(
      `${o.leftOpen.length} call workflow(s) still open after everything landed, CallState ${JSON.stringify(states)} ` +
        `(they wait for max_open, 24 h): e.g. ${callWorkflowId(o.leftOpen[0]!.callId)}`,
    );
  }
  return {
    scenario: name,
    title,
    sent: o.emission.attempts.length,
    expected: c.expected,
    stored: c.stored,
    lost: c.lost,
    duplicated: c.duplicated,
    wrong: c.wrong,
    gaveUp: new Set(o.emission.result.deliveries.filter((d) => d.outcome !== 'delivered').map((d) => d.conversation))
      .size,
    events: eventFigures(c),
    failures,
    details: {
      events: s.events,
      deliveries: s.sent,
      emitterDuplicates: s.duplicates,
      copies: o.emission.copies,
      attempts: s.attempts,
      status2xx: s.status2xx,
      status4xx: s.status4xx,
      status5xx: s.status5xx,
      networkErrors: s.networkErrors,
      retried: s.retried,
      givenUp: s.givenUp,
      emitSeconds: +(s.durationMs / 1000).toFixed(1),
      settleSeconds: +(o.settledMs / 1000).toFixed(1),
      leftOpenWorkflows: o.leftOpen,
      // Open at the end with a Dialpad fetch pending (Ai recap 12/min): working, not stuck.
      openWhileFetchingFromDialpad: o.stillFetching.length,
      relayBacklog: o.relayBacklog,
      ingressCounters: o.counters,
      parkedRelayBacklog: o.parked,
      clearedBeforeStart: o.cleared,
      latencyMs: latencySummary(o.emission),
      deliveryRows: o.recordedOnce.rows,
      distinctEvents: o.recordedOnce.events,
      windows: o.windows.map((w) => ({
        label: w.label,
        seconds: +((w.to - w.from) / 1000).toFixed(1),
        answers: attemptsBetween(o.emission.attempts, w.from, w.to),
      })),
      ...details,
    },
  };
}

function latencySummary(e: Emission) {
  const ms = ascending(e.attempts.filter((a) => a.status !== null).map((a) => a.ms));
  return { p50: percentile(ms, 50) || 0, p99: percentile(ms, 99) || 0, max: ms.reduce((m, x) => Math.max(m, x), 0) };
}

export function noFailuresOnTheWire(o: BurstOutcome, failures: string[], allow5xx = false): void {
  const s = o.emission.result.summary;
  if (s.givenUp)
    failures.push(`Dialpad gave up on ${s.givenUp} deliveries (${s.rejected} 4xx, ${s.exhausted} exhausted)`);
  if (!allow5xx && s.status5xx) failures.push(`${s.status5xx} answers were 5xx`);
  if (o.emission.copies.failed) {
    failures.push(
      `${o.emission.copies.failed} duplicate copies were not answered 2xx: ${JSON.stringify(o.emission.copies.statuses)}`,
    );
  }
}
