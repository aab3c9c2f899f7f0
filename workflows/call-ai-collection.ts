import { CancellationScope, condition, log, patched } from '@temporalio/workflow';
import { type CallDatabaseActivities, dialpadFetchActivities } from './call-activities';
import { type Durably, failureMessage } from './call-durable';
import type { CallWorkflowInput, CallWorkflowState } from './shared/types';

/**
 * Answered calls: ask Dialpad's API for what is not stored yet (transcript, recap) unless the API
 * has shown the office to have no Ai, then derive the insights. A part that cannot be fetched
 * leaves the call complete without it, and the row says which part is missing and why.
 */
export async function collectAiData(
  input: CallWorkflowInput,
  state: CallWorkflowState,
  {
    checkAiOffice,
    deriveCallInsights,
    aiPartsStored,
  }: Pick<CallDatabaseActivities, 'checkAiOffice' | 'deriveCallInsights' | 'aiPartsStored'>,
  durably: Durably | null,
  eventsWaiting: (() => boolean) | null,
  dialpadQueue: string | undefined,
): Promise<void> {
  const durable = durably !== null;
  /** A Dialpad fetch, given up (`interrupted`) as soon as an event waits to be applied. */
  const unlessEventsArrive = async <T>(fetch: () => Promise<T>): Promise<T | 'interrupted'> => {
    if (!eventsWaiting) return fetch();
    if (eventsWaiting()) return 'interrupted';
    return CancellationScope.cancellable(async () => {
      const fetching = fetch();
      const arriving = condition(eventsWaiting).then(() => 'interrupted' as const);
      fetching.catch(() => undefined);
      arriving.catch(() => undefined);
      const first = await Promise.race([fetching, arriving]);
      CancellationScope.current().cancel(); // the other one
      return first;
    });
  };
  const aiEventsSeen = state.aiStates.length > 0;
  const check = () => checkAiOffice({ officeId: state.officeId, aiEventsSeen });
  const mayHaveAi = durably ? await durably('check the office', check, () => true) : await check();
  if (!mayHaveAi) {
    state.ai = 'office_without_ai';
    return;
  }
  const { fetchCallTranscript, fetchCallRecap } = dialpadFetchActivities(input.aiFetchAttempts ?? 6, dialpadQueue);
  const missing: { part: 'transcript' | 'recap'; reason: string }[] = [];
  const answers: { transcript: AiFetchOutcome; recap: AiFetchOutcome } = { transcript: 'error', recap: 'error' };
  // What the webhooks already brought is not asked of Dialpad again: each fetch is an activity task on
  // the server (scheduled, started, completed, and a workflow task after it) that would only find the
  // part stored. A local step reads what is there; a run started before this asks as it always did.
  const stored =
    durably && patched('skip-stored-ai-fetch')
      ? await durably(
          'read the stored Ai data',
          () => aiPartsStored({ legCallId: input.callId }),
          () => ({ transcript: false, recap: false }),
        )
      : { transcript: false, recap: false };
  /** One part asked of Dialpad: what it found, or 'interrupted' when an event waits to be applied. */
  const fetchPart = async (
    part: 'transcript' | 'recap',
    fetch: () => Promise<{ stored: boolean; reason?: string }>,
  ): Promise<AiFetchOutcome | 'interrupted'> => {
    try {
      const result = await unlessEventsArrive(fetch);
      return result === 'interrupted' ? result : fetchOutcome(result);
    } catch (err) {
      missing.push({ part, reason: failureMessage(err) });
      return 'error';
    }
  };
  if (stored.transcript) answers.transcript = 'found';
  else {
    const transcript = await fetchPart('transcript', () => fetchCallTranscript({ legCallId: input.callId }));
    if (transcript === 'interrupted') return;
    answers.transcript = transcript;
  }
  // The recap's webhook fields are undocumented: whatever arrived, ask the API while no recap text
  // is stored (the activity returns at once when there is). Dialpad builds the recap from the
  // transcript, so a call without one has none: not asked (ai_recap allows 12 requests a minute).
  if (stored.recap) {
    answers.recap = 'found';
  } else if (durable && answers.transcript === 'none') {
    answers.recap = 'none';
  } else if (durable || !state.aiStates.includes('recap_summary')) {
    const recap = await fetchPart('recap', () => fetchCallRecap({ legCallId: input.callId }));
    if (recap === 'interrupted') return;
    answers.recap = recap;
  }
  const derive = () =>
    deriveCallInsights({
      legCallId: input.callId,
      missing,
      ...(durable ? { officeId: state.officeId, answers } : {}),
    });
  const result = durably
    ? await durably('derive insights', derive, (reason) => {
        log.warn('insights not derived', { reason });
        return { aiStatus: 'none' as const, sentiment: null, churnRisk: null };
      })
    : await derive();
  state.ai = result.aiStatus;
}

type AiFetchOutcome = 'found' | 'none' | 'error';

/** What one fetch found: the data (stored now or before), nothing, or not the call. */
function fetchOutcome(result: { stored: boolean; reason?: string }): AiFetchOutcome {
  if (result.stored || result.reason === 'already_stored') return 'found';
  return result.reason === 'call_not_found' ? 'error' : 'none';
}

/**
 * The call linked to a Navigator contact: Dialpad should know it before the next call, so it shows
 * the name. Idempotent (create-with-uid); a failure leaves the call as it is, and the contact sync
 * pushes it on its next run.
 */
export async function pushLinkedContactBack(legCallId: string, dialpadQueue: string | undefined): Promise<string> {
  const { pushLinkedContact } = dialpadFetchActivities(5, dialpadQueue);
  try {
    return (await pushLinkedContact({ legCallId })).outcome;
  } catch (err) {
    log.warn('contact push-back failed; the contact sync will push it', { legCallId, error: failureMessage(err) });
    return 'failed';
  }
}
