import { FINAL_STATES, type CallEventWithPayload, type FoldedLeg } from '../../workflows/shared/call-event';
import type { DeliveryStore } from '../ingress/delivery-repository';
import type { CallRepository } from './repository';

/**
 * Folds one routed event into its leg and its conversation's `calls` row (one transaction,
 * idempotent) and says what that found. The ingress runs it as it accepts an event; the call run
 * runs it for the events the ingress could not fold (Postgres down, a relayed or replayed delivery).
 */
export async function foldLegEvent(
  { calls, deliveries }: { calls: CallRepository; deliveries: Pick<DeliveryStore, 'hasEventOf'> },
  sig: CallEventWithPayload & { accountId: string },
): Promise<FoldedLeg> {
  const recorded = await calls.recordLegEvent(sig);
  // Read after the fold has committed: a transcript event recorded later is folded after this one
  // (the fold locks the call's ids), so it sees this recap stored.
  const transcriptionAnnounced =
    sig.event.state === 'recap_summary'
      ? await deliveries.hasEventOf(sig.event.callId, 'call_transcription')
      : undefined;
  const { state, connected } = recorded.leg;
  return {
    accountId: sig.accountId,
    callRowId: recorded.callRowId,
    status: recorded.status,
    legState: state,
    legConnected: connected,
    // A voicemail's `transcription` comes after the leg ended (and outranks its final state in the
    // merge): a run started by a late transcription must not wait 24 h for a final state.
    legFinal: FINAL_STATES.has(state) || state === 'transcription',
    mergedCallRowIds: recorded.mergedCallRowIds,
    aiCheckedAtMs: recorded.aiCheckedAt ? recorded.aiCheckedAt.getTime() : null,
    legEndedBefore: recorded.legEndedBefore,
    recapSummary: recorded.leg.recapSummary,
    ...(transcriptionAnnounced !== undefined ? { transcriptionAnnounced } : {}),
  };
}
