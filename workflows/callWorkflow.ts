import {
  type ActivityOptions,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { AI_STATES, dedupeKey, FINAL_STATES, type CallEventSignal } from '../src/domain/call-event';
import { CallState, NavigatorAccountId } from '../src/temporal/search-attributes';
import type { CallActivities } from '../activities';

/**
 * One workflow per Dialpad call leg (`dialpad-call-<call_id>`). It applies the leg's events in
 * arrival order through an idempotent activity (the activity's merge makes order irrelevant to the
 * result), and ends when the leg is final and either its Ai data arrived or the Ai wait window
 * passed. An event after the run ended starts a new run; the database merge makes that correct.
 */
export const callEventSignal = defineSignal<[CallEventSignal]>('callEvent');
export const callStateQuery = defineQuery<CallWorkflowState>('callState');

export interface CallWorkflowInput {
  callId: string;
  accountId: string | null;
  officeId: string | null;
  /** How long an answered leg waits for Dialpad Ai events after it ended. */
  aiWaitSeconds: number;
  /** Attempts at fetching a transcript or recap from Dialpad (default 6, about 5 minutes). */
  aiFetchAttempts?: number;
  /** How long a leg that never reports a final state stays open. */
  maxOpenSeconds?: number;
  /** Carried across continue-as-new. */
  carried?: { state: CallWorkflowState; seenKeys: string[]; pending?: CallEventSignal[] };
}

export interface CallWorkflowState {
  callId: string;
  accountId: string | null;
  officeId: string | null;
  legState: string | null;
  final: boolean;
  connected: boolean;
  aiStates: string[];
  callRowId: string | null;
  conversationStatus: string | null;
  eventsApplied: number;
  duplicatesIgnored: number;
  finalAtMs: number | null;
  endReason: 'ai_complete' | 'ai_window_passed' | 'not_answered' | 'max_open' | 'unrouted' | null;
  /** What became of the call's Ai data once the leg ended. */
  ai?: 'complete' | 'partial' | 'none' | 'office_without_ai';
  /** How the conversation was linked to a Navigator record (linked, needs_review, standalone, …). */
  match?: string;
  /** Linked to a contact: whether it was pushed to Dialpad (created, already_in_dialpad, failed, …). */
  contactPushBack?: string;
}

const databaseActivityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 50,
    nonRetryableErrorTypes: [
      'InvalidCallEventError',
      'LegNotFolded',
      'CallNotFoundError',
      'RecordNotFoundError',
      'RecordInOtherAccountError',
      'InternalCallError',
    ],
  },
};

/**
 * The short Postgres steps (record an event, match, check the office, derive insights). Runs
 * started before `local-db-activities` run them as ordinary activities; later runs as local
 * activities, inside the workflow task that applies the signal: no activity task to schedule,
 * dispatch and complete on the server for each webhook, which halves the server's work per event.
 * Same retries and timeouts; each step is idempotent, so a retried workflow task may run it again.
 */
function databaseActivities(local: boolean) {
  return local
    ? proxyLocalActivities<CallActivities>(databaseActivityOptions)
    : proxyActivities<CallActivities>(databaseActivityOptions);
}

/** Dialpad API calls: bounded retries, since a call must complete even when Dialpad will not answer. */
function dialpadFetchActivities(maximumAttempts: number) {
  return proxyActivities<CallActivities>({
    startToCloseTimeout: '3 minutes',
    // The activities heartbeat every 5 s (activities/heartbeat.ts): one lost with its worker is
    // retried after this, not after the 3 minutes.
    heartbeatTimeout: '20 seconds',
    retry: {
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts,
      nonRetryableErrorTypes: ['DialpadApiError', 'DialpadProtocolError', 'DialpadNotConfigured', 'LegNotFolded'],
    },
  });
}

export async function callWorkflow(input: CallWorkflowInput): Promise<CallWorkflowState> {
  // Decided once, before the first command, so a run never mixes the two shapes.
  const cheaperEvents = patched('local-db-activities');
  const { recordCallEvent, matchConversation, checkAiOffice, deriveCallInsights } = databaseActivities(cheaperEvents);
  const seen = new Set<string>(input.carried?.seenKeys ?? []);
  const pending: CallEventSignal[] = [...(input.carried?.pending ?? [])];
  const state: CallWorkflowState = input.carried?.state ?? {
    callId: input.callId,
    accountId: input.accountId,
    officeId: input.officeId,
    legState: null,
    final: false,
    connected: false,
    aiStates: [],
    callRowId: null,
    conversationStatus: null,
    eventsApplied: 0,
    duplicatesIgnored: 0,
    finalAtMs: null,
    endReason: null,
  };

  // Handlers first, before any await, so no signal delivered with the start is missed.
  setHandler(callEventSignal, (sig) => {
    const key = dedupeKey(sig.event);
    if (seen.has(key)) {
      state.duplicatesIgnored++;
      return;
    }
    seen.add(key);
    pending.push(sig);
  });
  setHandler(callStateQuery, () => state);

  let lastShown: string | null = null;
  const aiComplete = () => state.aiStates.includes('recap_summary') && state.aiStates.includes('call_transcription');
  const startedAt = Date.now();
  const maxOpenMs = (input.maxOpenSeconds ?? 24 * 3600) * 1000;

  for (;;) {
    if (pending.length === 0) {
      if (state.final) {
        if (!state.connected) {
          state.endReason = 'not_answered';
          break;
        }
        if (aiComplete()) {
          state.endReason = 'ai_complete';
          break;
        }
        const remaining = (state.finalAtMs ?? Date.now()) + input.aiWaitSeconds * 1000 - Date.now();
        if (remaining <= 0 || !(await condition(() => pending.length > 0, remaining))) {
          state.endReason = 'ai_window_passed';
          break;
        }
      } else {
        const remaining = startedAt + maxOpenMs - Date.now();
        if (remaining <= 0 || !(await condition(() => pending.length > 0, remaining))) {
          state.endReason = 'max_open';
          log.warn('call leg never reported a final state', { callId: input.callId });
          break;
        }
      }
    }

    while (pending.length > 0) {
      const sig = pending.shift()!;
      const result = await recordCallEvent(sig);
      if (result.unrouted) {
        // Kept as an unrouted delivery: it is replayed once an administrator links the office.
        state.endReason = 'unrouted';
        continue;
      }
      state.accountId = result.accountId;
      state.eventsApplied++;
      state.callRowId = result.callRowId;
      state.conversationStatus = result.status;
      const s = sig.event.state;
      if (AI_STATES.has(s)) {
        if (!state.aiStates.includes(s)) state.aiStates.push(s);
      } else {
        state.legState = result.legState;
      }
      if (result.legConnected) state.connected = true;
      if (!state.final && (FINAL_STATES.has(s) || result.legFinal)) {
        state.final = true;
        state.finalAtMs = Date.now();
      }
    }
    if (state.endReason === 'unrouted') break;
    // Search attributes and memo only when they change (each upsert is a visibility write).
    const shown = JSON.stringify([state.legState, state.accountId, state.conversationStatus, state.callRowId]);
    if (!cheaperEvents || shown !== lastShown) {
      upsertSearchAttributes([
        { key: CallState, value: state.legState ?? 'unknown' },
        ...(state.accountId ? [{ key: NavigatorAccountId, value: state.accountId }] : []),
      ]);
      upsertMemo({ conversationStatus: state.conversationStatus, callRowId: state.callRowId });
      lastShown = shown;
    }

    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof callWorkflow>({ ...input, carried: { state, seenKeys: [...seen] } });
    }
  }

  if (state.endReason !== 'unrouted' && state.final && state.callRowId) {
    const match = await matchConversation({ legCallId: input.callId });
    state.match = match.outcome;
    if (match.linkedType === 'contact' && patched('contact-push-back')) {
      state.contactPushBack = await pushLinkedContactBack(input.callId);
    }
    // A run carried over with its Ai data collected does not fetch it again.
    if (state.connected && !(state.ai && state.ai !== 'none'))
      await collectAiData(input, state, { checkAiOffice, deriveCallInsights });
  }
  // Events signalled while matching or collecting Ai data (a voicemail after the hangup, a worker
  // restart that stretched those steps) were taken by the handler but not applied: a run must not
  // end with them. A fresh run applies them, and matches again with what they changed.
  if (pending.length > 0 && patched('apply-late-signals')) {
    log.info('events arrived while the run was finishing; continuing with them', { count: pending.length });
    await continueAsNew<typeof callWorkflow>({
      ...input,
      carried: { state: { ...state, endReason: null }, seenKeys: [...seen], pending: [...pending] },
    });
  }
  upsertSearchAttributes([{ key: CallState, value: state.legState ?? 'unknown' }]);
  return state;
}

/**
 * Answered calls on offices with Dialpad Ai: fetch what the webhooks did not bring (transcript,
 * recap), then derive the insights. A part that cannot be fetched leaves the call complete without
 * it, and the row says which part is missing and why.
 */
async function collectAiData(
  input: CallWorkflowInput,
  state: CallWorkflowState,
  {
    checkAiOffice,
    deriveCallInsights,
  }: Pick<ReturnType<typeof databaseActivities>, 'checkAiOffice' | 'deriveCallInsights'>,
): Promise<void> {
  const aiEventsSeen = state.aiStates.length > 0;
  if (!(await checkAiOffice({ officeId: state.officeId, aiEventsSeen }))) {
    state.ai = 'office_without_ai';
    return;
  }
  const { fetchCallTranscript, fetchCallRecap } = dialpadFetchActivities(input.aiFetchAttempts ?? 6);
  const missing: { part: 'transcript' | 'recap'; reason: string }[] = [];
  try {
    await fetchCallTranscript({ legCallId: input.callId });
  } catch (err) {
    missing.push({ part: 'transcript', reason: failureMessage(err) });
  }
  if (!state.aiStates.includes('recap_summary')) {
    try {
      await fetchCallRecap({ legCallId: input.callId });
    } catch (err) {
      missing.push({ part: 'recap', reason: failureMessage(err) });
    }
  }
  const result = await deriveCallInsights({ legCallId: input.callId, missing });
  state.ai = result.aiStatus;
}

/**
 * The call linked to a Navigator contact: Dialpad should know it before the next call, so it shows
 * the name. Idempotent (create-with-uid); a failure leaves the call as it is, and the contact sync
 * pushes it on its next run.
 */
async function pushLinkedContactBack(legCallId: string): Promise<string> {
  const { pushLinkedContact } = dialpadFetchActivities(5);
  try {
    return (await pushLinkedContact({ legCallId })).outcome;
  } catch (err) {
    log.warn('contact push-back failed; the contact sync will push it', { legCallId, error: failureMessage(err) });
    return 'failed';
  }
}

function failureMessage(err: unknown): string {
  const cause = err instanceof Error && 'cause' in err && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message.slice(0, 300) : String(cause);
}
