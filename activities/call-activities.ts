import type { Knex } from 'knex';
import { CallRepository } from '../src/calls/repository';
import { FINAL_STATES, type CallEventSignal } from '../src/domain/call-event';
import { DeliveryStore } from '../src/ingress/deliveries';
import { routeEvent } from '../src/ingress/routing';
import { matchCallToRecord } from '../src/matching';
import { conversationOfLeg } from './ai-activities';

export type RecordCallEventResult = ({ unrouted: false; accountId: string } & RecordedLegResult) | { unrouted: true };

interface RecordedLegResult {
  callRowId: string;
  status: string;
  legState: string;
  legConnected: boolean;
  legFinal: boolean;
  mergedCallRowIds: string[];
}

export function createCallActivities(deps: { db: Knex }) {
  const calls = new CallRepository(deps.db);
  const deliveries = new DeliveryStore(deps.db);
  return {
    /**
     * Links the leg's conversation to the customer, contact or supplier with its number (and keeps
     * the history timeline in step). Idempotent; a manual link is never overridden.
     */
    async matchConversation(input: { legCallId: string }): Promise<{ outcome: string; linkedType: string | null }> {
      const callRowId = await conversationOfLeg(deps.db, input.legCallId);
      const result = await matchCallToRecord(deps.db, callRowId);
      return { outcome: result.outcome, linkedType: result.link?.type ?? null };
    },

    /** Upserts the leg and folds it into its conversation's `calls` row. Idempotent. */
    async recordCallEvent(input: CallEventSignal): Promise<RecordCallEventResult> {
      let sig = input;
      if (!sig.accountId) {
        // The ingress could not reach Postgres and signalled directly: route and record it now.
        const route = await routeEvent(deps.db, sig.event);
        const stored = await deliveries.record({
          event: sig.event,
          officeId: route.officeId,
          accountId: route.accountId,
          verifiedWith: sig.verifiedWith ?? 'current',
        });
        if (!route.accountId) return { unrouted: true };
        if (!stored.duplicate) await deliveries.markSignalled([stored.id]);
        sig = { ...sig, accountId: route.accountId, officeId: route.officeId, deliveryId: stored.id };
      }
      const recorded = await calls.recordLegEvent(sig);
      const { state, connected } = recorded.leg;
      return {
        unrouted: false,
        accountId: sig.accountId!,
        callRowId: recorded.callRowId,
        status: recorded.status,
        legState: state,
        legConnected: connected,
        // A voicemail's `transcription` comes after the leg ended (and outranks its final state in
        // the merge): a run started by a late transcription must not wait 24 h for a final state.
        legFinal: FINAL_STATES.has(state) || state === 'transcription',
        mergedCallRowIds: recorded.mergedCallRowIds,
      };
    },
  };
}
