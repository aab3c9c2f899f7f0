import { FINAL_STATES, type FoldedLeg } from '../../workflows/shared/call-event';

/** The Ai parts a call run waits for: both here ends its wait, either refreshes the interim insights. */
const AI_PARTS_THE_RUN_WAITS_FOR = new Set(['recap_summary', 'call_transcription']);

/**
 * Whether the leg's call run must hear of an event the ingress has already folded into Postgres.
 * The run acts on a few transitions only; every other event is complete once folded, and sending
 * it would cost a signal and a workflow task for nothing.
 *
 * - A final state (hangup, missed, voicemail…): when it is the leg's first end. The run starts,
 *   links the conversation, and waits for the Ai data. A second final state of an ended leg (the
 *   `hangup` after `missed`, a re-sent `hangup`) changes nothing the run does.
 * - A voicemail's `transcription`, a recap summary or a call transcript: always (interim insights,
 *   the end of the Ai wait, or a late part that a new run derives the insights from again).
 * - The other recap parts (outcome, purposes, action items): stored with the conversation, where
 *   the run's derivation reads them. Sent only when the leg has not ended (its run must exist and
 *   wait for the end) or the run has already collected the Ai data (a new run derives again).
 */
export function callRunNeeds(state: string, folded: FoldedLeg): boolean {
  if (FINAL_STATES.has(state)) return !folded.legEndedBefore;
  if (state === 'transcription' || AI_PARTS_THE_RUN_WAITS_FOR.has(state)) return true;
  return !folded.legFinal || folded.aiCheckedAtMs !== null;
}
