import type { Client } from '@temporalio/client';
import type { CallEventSignal, CallLegEvent } from '../../workflows/shared/call-event';
import { signalCallWorkflow, TemporalBreaker, type SignalOptions } from './signal';

/**
 * The ingress's acceptance policy: how a verified event that is acted on reaches its call run
 * once the route has tried to record it, within Dialpad's 5 s.
 *
 * - Recorded: signalled directly, unless Temporal failed a moment ago (the breaker), too little of
 *   the request's budget is left, or too many requests already wait on Temporal (back-pressure);
 *   then the relay delivers it at Temporal's pace. Answered 200 either way: the event is durable.
 * - Not recorded (Postgres down): Temporal is the only place it can go; tried again after a quick
 *   failure within what is left of the budget, else 503 so Dialpad retries.
 *
 * The webhook route (src/routes/webhooks.ts) and the ingress experiment
 * (tools/bench/experiments/ingress-variant.ts) use it.
 */
export type Acceptance =
  | { outcome: 'accepted'; reason: 'signalled' | 'signalled_unrecorded' | 'relay_backpressure' }
  /** Recorded, Temporal did not take it: the relay will. `error` is why. */
  | { outcome: 'accepted'; reason: 'relay_pending'; error: unknown }
  /**
   * Neither Postgres nor Temporal took it: Temporal unreachable, or the leg's run closing (it refuses
   * signals until its last task ends, which a worker short of Postgres can hold up past the budget).
   */
  | { outcome: 'unavailable'; reason: 'postgres_and_temporal_down' | 'call_run_closing'; error: unknown };

/** Dialpad waits 5 s; an event Postgres could not take may wait this long for Temporal. */
export const UNRECORDED_BUDGET_MS = 3_500;
/**
 * A recorded event is answered within this long of the handler starting, signalled or not (the
 * relay delivers what was not signalled): time spent queueing for Postgres under load counts.
 */
export const RECORDED_BUDGET_MS = 2_500;
/**
 * At most this many requests wait on Temporal at once; past it a recorded event is answered at once
 * and left to the relay, so a burst larger than Temporal's rate queues in Postgres, not in requests.
 */
export const MAX_DIRECT_SIGNALS = 32;

export class AcceptancePolicy {
  /** Signals to Temporal this process is waiting on from inside a request. */
  private directSignals = 0;

  constructor(
    private readonly client: Client,
    /** With the bound on one signal (timeoutMs). */
    private readonly signalOpts: SignalOptions & { timeoutMs: number },
    /** Shared with the relay: a relay pass that reaches Temporal closes it again. */
    readonly breaker: TemporalBreaker = new TemporalBreaker(),
  ) {}

  /**
   * `sig` names the recorded delivery (`recorded`) or carries the whole event; `started` is when
   * the request's handler started (process.hrtime.bigint()).
   */
  async accept(sig: CallEventSignal, event: CallLegEvent, recorded: boolean, started: bigint): Promise<Acceptance> {
    try {
      if (recorded) {
        // With the event recorded and Temporal known to be down, leave it to the relay.
        if (this.breaker.open) throw new Error('Temporal recently unreachable');
        // The event is durable: the answer must not wait on Temporal past what is left of Dialpad's
        // 5 s (an overloaded machine may already have spent much of it before this point).
        const left = RECORDED_BUDGET_MS - elapsedMs(started);
        if (left < 250) throw new Error('no time left to signal before answering');
        if (this.directSignals >= MAX_DIRECT_SIGNALS) {
          // Temporal is accepting slower than events arrive: waiting in line for it would push the
          // answer past Dialpad's timeout. (Not a Temporal failure: the breaker is left as it is.)
          return { outcome: 'accepted', reason: 'relay_backpressure' };
        }
        this.directSignals++;
        try {
          await signalCallWorkflow(
            this.client,
            sig,
            { ...this.signalOpts, timeoutMs: Math.min(this.signalOpts.timeoutMs, left) },
            event,
          );
        } finally {
          this.directSignals--;
        }
      } else {
        // Use what is left of Dialpad's 5 s (less a margin for the answer) before answering 503.
        await this.signalUnrecorded(sig, started);
      }
      this.breaker.succeeded();
    } catch (error) {
      this.breaker.failed();
      if (!recorded) {
        const reason = workflowClosing(error) ? 'call_run_closing' : 'postgres_and_temporal_down';
        return { outcome: 'unavailable', reason, error };
      }
      return { outcome: 'accepted', reason: 'relay_pending', error };
    }
    return { outcome: 'accepted', reason: recorded ? 'signalled' : 'signalled_unrecorded' };
  }

  private async signalUnrecorded(sig: CallEventSignal, started: bigint): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const left = UNRECORDED_BUDGET_MS - elapsedMs(started);
      try {
        await signalCallWorkflow(this.client, sig, { ...this.signalOpts, timeoutMs: Math.max(500, left) });
        return;
      } catch (err) {
        // A run that is closing refuses signals (RESOURCE_EXHAUSTED, "workflow is closing") until its
        // last task ends, which can outlast three quick tries under load: that one is tried for as
        // long as the budget lasts. Anything else (Temporal unreachable) gets three quick tries, then
        // 503 at once so Dialpad's retries start early.
        const wait = Math.min(400, 100 * attempt);
        if (!workflowClosing(err) && attempt >= 3) throw err;
        if (UNRECORDED_BUDGET_MS - elapsedMs(started) - wait < 750) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

function workflowClosing(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}` : '';
  return text.includes('workflow is closing');
}

function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}
