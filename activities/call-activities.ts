import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { CallRepository } from '../src/calls/repository';
import { sweepFailedCallRuns, type CallRunSweepResult } from '../src/calls/run-sweep';
import {
  ACTED_ON_STATES,
  type CallEventSignal,
  type FoldedLeg,
  type CallEventWithPayload,
  type CallLegEvent,
} from '../workflows/shared/call-event';
import { DeliveryStore, type DeliveryInput } from '../src/ingress/delivery-repository';
import { routeEvent } from '../src/ingress/routing';
import { matchCallToRecord } from '../src/matching';
import { conversationOfLeg } from './conversation';
import { foldLegEvent } from '../src/calls/leg-event';
import { dbStep } from './db-step';
import type { WorkerMetrics } from '../src/telemetry/metrics';

export type RecordCallEventResult = ({ unrouted: false } & FoldedLeg) | { unrouted: true };

export function createCallActivities(deps: {
  db: Knex;
  metrics?: Pick<WorkerMetrics, 'callEventE2e' | 'conversationMatches'> | undefined;
}) {
  const calls = new CallRepository(deps.db);
  const deliveries = new DeliveryStore(deps.db);
  return {
    /**
     * Links the leg's conversation to the customer, contact or supplier with its number (and keeps
     * the history timeline in step). Idempotent; a manual link is never overridden. Every leg's run
     * calls it, the records are looked up once: a conversation that reads as when another leg's
     * run matched it gets that outcome back (`dialpad_conversation_matches_total` by result).
     */
    async matchConversation(input: { legCallId: string }): Promise<{ outcome: string; linkedType: string | null }> {
      const result = await dbStep(async () => {
        const callRowId = await conversationOfLeg(deps.db, input.legCallId);
        return matchCallToRecord(deps.db, callRowId);
      });
      deps.metrics?.conversationMatches.inc({ result: result.reused ? 'unchanged' : 'matched' });
      return { outcome: result.outcome, linkedType: result.link?.type ?? null };
    },

    /**
     * Upserts the leg and folds it into its conversation's `calls` row. Idempotent. The event is
     * read from its delivery row (signals carry only its id), or taken from the signal when no row
     * holds it yet (the ingress could not record it: routed and recorded here).
     */
    async recordCallEvent(input: CallEventSignal): Promise<RecordCallEventResult> {
      return dbStep(async () => {
        let sig: CallEventWithPayload;
        // When the ingress received the event, if it recorded it (the end-to-end latency's start).
        let receivedAt: Date | undefined;
        if (input.event && !input.accountId) {
          const event = input.event;
          const route = await routeEvent(deps.db, event);
          const stored = await deliveries.record(unrecordedDelivery(input, event, route));
          if (!route.accountId) return { unrouted: true };
          if (!stored.duplicate) await deliveries.markSignalled([stored.id]);
          sig = { ...input, event, accountId: route.accountId, officeId: route.officeId, deliveryId: stored.id };
        } else if (input.event) {
          sig = { ...input, event: input.event };
        } else {
          const delivery = await deliveries.receivedEventOf(input.deliveryId!);
          sig = { ...input, event: delivery.event };
          receivedAt = delivery.receivedAt;
        }
        const folded = await foldLegEvent({ calls, deliveries }, { ...sig, accountId: sig.accountId! });
        // A replay's latency is the replay's, not the pipeline's: left out.
        if (receivedAt && !input.replay && deps.metrics) {
          const state = ACTED_ON_STATES.has(sig.event.state) ? sig.event.state : 'other';
          deps.metrics.callEventE2e.observe({ state }, Math.max(0, Date.now() - receivedAt.getTime()) / 1000);
        }
        return { unrouted: false, ...folded };
      });
    },

    /** Requeues the deliveries of call runs that ended Failed, Terminated or TimedOut (once each). */
    async sweepFailedCallRuns(input: { sinceMinutes: number }): Promise<CallRunSweepResult> {
      return sweepFailedCallRuns(deps.db, Context.current().client, input);
    },

    /**
     * Sets aside an event its call run could not apply (`dialpad_webhook_deliveries.signal_status`
     * 'dead_letter', with the error and attempts): the doctor lists it, `replay` sends it again.
     */
    async deadLetterCallEvent(input: {
      sig: CallEventSignal;
      error: string;
      attempts: number;
    }): Promise<{ deliveryId: string }> {
      return dbStep(async () => {
        const { sig } = input;
        if (sig.deliveryId) {
          await deliveries.deadLetter({ deliveryId: sig.deliveryId, error: input.error, attempts: input.attempts });
          return { deliveryId: sig.deliveryId };
        }
        // No row holds it: the signal carried the whole event.
        const event = sig.event!;
        let route = { accountId: sig.accountId, officeId: sig.officeId };
        if (!sig.accountId) route = await routeEvent(deps.db, event).catch(() => route);
        const deliveryId = await deliveries.deadLetterUnrecorded(unrecordedDelivery(sig, event, route), {
          error: input.error,
          attempts: input.attempts,
        });
        return { deliveryId };
      });
    },
  };
}

/** The delivery row for an event that travelled whole because the ingress could not record it. */
function unrecordedDelivery(
  sig: CallEventSignal,
  event: CallLegEvent,
  route: { accountId: string | null; officeId: string | null },
): DeliveryInput {
  return {
    event,
    officeId: route.officeId,
    accountId: route.accountId,
    verifiedWith: sig.verifiedWith ?? 'current',
    claimsText: sig.unrecorded?.claimsText ?? null,
    leftOut: sig.unrecorded?.leftOut ?? [],
  };
}
