import { FINAL_STATES, type FoldedLeg } from '../../workflows/shared/call-event';

/**
 * Whether the leg's call run must hear of an event the ingress has already folded into Postgres.
 * The run acts on a few transitions only; every other event is complete once folded, and sending
 * it would cost a signal and a workflow task for nothing.
 *
 * - A final state (hangup, missed, voicemail…): when it is the leg's first end. The run starts,
 *   links the conversation, and waits for the Ai data. A second final state of an ended leg (the
 *   `hangup` after `missed`, a re-sent `hangup`) changes nothing the run does.
 * - A call transcript, or a voicemail's `transcription`: always (the run fetches the transcript,
 *   ends its Ai wait, or a new run derives the insights again from a late one).
 * - A recap summary: unless the ingress derived the interim insights from it itself
 *   (`ingressDerivation`): the run hears of it with the transcript, which carries `recapSummary`.
 * - The other recap parts (outcome, purposes, action items): stored with the conversation, where
 *   the run's derivation reads them. Sent only when the leg has not ended (its run must exist and
 *   wait for the end) or the run has already collected the Ai data (a new run derives again).
 * - No Ai event after the run collected, when the ingress derived the final insights again itself
 *   (`ingressDerivation`).
 */
export function callRunNeeds(state: string, folded: FoldedLeg, opts: { insightsDerived?: boolean } = {}): boolean {
  if (FINAL_STATES.has(state)) return !folded.legEndedBefore;
  if (opts.insightsDerived) return false;
  if (state === 'transcription' || state === 'call_transcription' || state === 'recap_summary') return true;
  return !folded.legFinal || folded.aiCheckedAtMs !== null;
}

/**
 * Insights the ingress derives itself from an Ai event, instead of signalling the run to:
 *
 * - `interim`, from a recap summary: the leg has ended answered, its run is still waiting for Ai
 *   data (none collected yet), and the transcript's event has not come (when it has, the run waits
 *   for this recap to finish, so it is signalled).
 * - `final-if-stored`, from any recap part or transcript event after the run collected the Ai data
 *   (a part straggling in seconds later), when no language model is configured (the run asks it)
 *   and both the leg's transcript and the recap are stored (else a run fetches what is missing):
 *   the same final derivation a new run would make, without starting one.
 */
export function ingressDerivation(
  state: string,
  folded: FoldedLeg,
  opts: { modelConfigured: boolean },
): 'interim' | 'final-if-stored' | null {
  if (!AI_EVENT_STATES.has(state) || !folded.legFinal || !folded.legConnected) return null;
  if (folded.aiCheckedAtMs === null)
    return state === 'recap_summary' && folded.transcriptionAnnounced === false ? 'interim' : null;
  return opts.modelConfigured ? null : 'final-if-stored';
}

/** Dialpad's Ai events (recap parts, the call transcript); not a voicemail's `transcription`. */
const AI_EVENT_STATES = new Set([
  'recap_summary',
  'recap_outcome',
  'recap_purposes',
  'recap_action_items',
  'call_transcription',
]);
