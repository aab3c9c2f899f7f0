import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { AI_STATES, dedupeKey, FINAL_STATES, refOf, signalKey, type CallEventSignal } from './shared/call-event';
import { CALL_DATABASE_NON_RETRYABLE, CALL_DIALPAD_FETCH_NON_RETRYABLE, DATABASE_UNAVAILABLE } from './shared/errors';
import { callStateQuery } from './shared/queries';
import { CallState, NavigatorAccountId } from './shared/search-attributes';
import { callEventSignal } from './shared/signals';
import type { CallWorkflowInput, CallWorkflowState } from './shared/types';

const databaseActivityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 50,
    nonRetryableErrorTypes: [...CALL_DATABASE_NON_RETRYABLE],
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

/**
 * The same Postgres steps for runs that never drop an event: each try retries for at most the
 * budget, then the run decides (workflows/shared/errors.ts): an outage is waited out on a durable timer,
 * an event that cannot be applied becomes a dead letter. Only local activities: the run's events
 * are applied inside the workflow task that received them.
 */
function durableDatabaseActivities(budgetSeconds: number) {
  return proxyLocalActivities<CallActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: `${Math.max(1, budgetSeconds)} seconds`,
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
  });
}

type Durably = <T>(
  what: string,
  run: () => Promise<T>,
  notApplicable: (reason: string) => Promise<T> | T,
) => Promise<T>;

/** Waits between tries while Postgres is down: the budget (at most 15 s), doubling, at most 5 minutes. */
const OUTAGE_FIRST_WAIT_MS = 15_000;
const OUTAGE_MAX_WAIT_MS = 5 * 60_000;

/**
 * Runs a Postgres step until it succeeds or is known not to apply. Postgres being down (or the
 * budget running out) is waited out on durable timers, however long; a step that cannot apply
 * calls `notApplicable`.
 */
async function untilDone<T>(
  what: string,
  run: () => Promise<T>,
  notApplicable: (reason: string) => Promise<T> | T,
  firstWaitMs = OUTAGE_FIRST_WAIT_MS,
): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await run();
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : err;
      if (cause instanceof ApplicationFailure && cause.type !== DATABASE_UNAVAILABLE) {
        return notApplicable(failureMessage(err));
      }
      const waitMs = Math.min(
        OUTAGE_MAX_WAIT_MS,
        Math.min(firstWaitMs, OUTAGE_FIRST_WAIT_MS) * 2 ** Math.min(waits, 10),
      );
      log.warn('Postgres step failed; waiting before trying again', {
        step: what,
        waitSeconds: waitMs / 1000,
        error: failureMessage(err),
      });
      await sleep(waitMs);
    }
  }
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
      nonRetryableErrorTypes: [...CALL_DIALPAD_FETCH_NON_RETRYABLE],
    },
  });
}

/**
 * One workflow per Dialpad call leg (`dialpad-call-<call_id>`). It applies the leg's events in
 * arrival order through an idempotent activity (the activity's merge makes order irrelevant to the
 * result), and ends when the leg is final and either its Ai data arrived or the Ai wait window
 * passed. An event after the run ended starts a new run; the database merge makes that correct.
 */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallWorkflowState> {
  // Decided once, before the first command, so a run never mixes the shapes.
  const cheaperEvents = patched('local-db-activities');
  const durable = patched('events-never-dropped');
  const activities = durable
    ? durableDatabaseActivities(input.dbRetryBudgetSeconds ?? 120)
    : databaseActivities(cheaperEvents);
  const { recordCallEvent, matchConversation, deriveCallInsights, deadLetterCallEvent } = activities;
  const keyOf = (sig: CallEventSignal) => (durable ? signalKey(sig) : dedupeKey(refOf(sig)));
  const firstWaitMs = (input.dbRetryBudgetSeconds ?? 120) * 1000;
  const durably: Durably = (what, run, notApplicable) => untilDone(what, run, notApplicable, firstWaitMs);
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
    const key = keyOf(sig);
    if (seen.has(key)) {
      state.duplicatesIgnored++;
      return;
    }
    seen.add(key);
    pending.push(sig);
  });
  setHandler(callStateQuery, () => state);

  /** Applies one event; null when it could not be applied and was set aside as a dead letter. */
  const apply = (sig: CallEventSignal) =>
    durable
      ? durably(
          'record the event',
          () => recordCallEvent(sig),
          async (reason) => {
            await setAside(sig, reason);
            return null;
          },
        )
      : recordCallEvent(sig);
  const setAside = async (sig: CallEventSignal, reason: string) => {
    state.deadLetters = (state.deadLetters ?? 0) + 1;
    log.error('event could not be applied; set aside as a dead letter', { key: dedupeKey(refOf(sig)), reason });
    await durably(
      'set the event aside',
      () => deadLetterCallEvent({ sig, error: reason, attempts: 1 }),
      (why) => {
        // Not even a dead letter could be written: the run's failure list in the UI keeps its key.
        log.error('dead letter could not be written', { key: dedupeKey(refOf(sig)), reason: why });
        return { deliveryId: '' };
      },
    );
  };

  let lastShown: string | null = null;
  const aiComplete = () => state.aiStates.includes('recap_summary') && state.aiStates.includes('call_transcription');
  const startedAt = Date.now();
  const maxOpenMs = (input.maxOpenSeconds ?? 24 * 3600) * 1000;
  let aiArrived = false;
  let firstEvent = input.carried === undefined;
  /** eventsApplied when the conversation was last matched (null: not yet in this run). */
  let matchedAtEvents: number | null = null;
  let lastMatch: { outcome: string; linkedType: string | null } | undefined;
  const matchNow = async () => {
    lastMatch = durable
      ? await durably(
          'match the conversation',
          () => matchConversation({ legCallId: input.callId }),
          (reason) => {
            log.warn('conversation could not be matched', { reason });
            return { outcome: 'failed', linkedType: null };
          },
        )
      : await matchConversation({ legCallId: input.callId });
    return lastMatch;
  };

  for (;;) {
    if (pending.length === 0) {
      if (state.final) {
        if (!state.connected) {
          state.endReason = 'not_answered';
          break;
        }
        if (state.late) {
          // An earlier run has closed on this leg: apply what came and end; no second Ai wait.
          state.endReason = 'late_event';
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

    let aiInBatch = false;
    while (pending.length > 0) {
      const sig = pending.shift()!;
      const result = await apply(sig);
      if (result === null) continue;
      if (result.unrouted) {
        // Kept as an unrouted delivery: it is replayed once an administrator links the office.
        state.endReason = 'unrouted';
        continue;
      }
      if (durable && firstEvent && result.legEndedBefore && result.aiCheckedAtMs !== null) state.late = true;
      firstEvent = false;
      state.accountId = result.accountId;
      state.eventsApplied++;
      state.callRowId = result.callRowId;
      state.conversationStatus = result.status;
      const s = refOf(sig).state;
      if (AI_STATES.has(s)) {
        if (!state.aiStates.includes(s)) state.aiStates.push(s);
        aiInBatch = true;
      } else {
        state.legState = result.legState;
      }
      if (s === 'transcription') aiInBatch = true;
      if (result.legConnected) state.connected = true;
      if (!state.final && (FINAL_STATES.has(s) || result.legFinal)) {
        state.final = true;
        state.finalAtMs = Date.now();
      }
    }
    if (state.endReason === 'unrouted') break;
    aiArrived ||= aiInBatch;
    // Link as soon as the leg ends, not after the Ai wait: the call belongs in the customer's
    // history now. The end of the run checks again only if events changed the conversation since.
    if (durable && state.final && state.callRowId && matchedAtEvents === null) {
      state.match = (await matchNow()).outcome;
      matchedAtEvents = state.eventsApplied;
    }
    // Insights as soon as Ai data is known, not at the end of the wait: derived again when more comes.
    if (durable && aiInBatch && state.final && state.connected && !state.late && !aiComplete()) {
      await durably(
        'derive interim insights',
        () => deriveCallInsights({ legCallId: input.callId, missing: [], interim: true }),
        (reason) => {
          log.warn('interim insights not derived', { reason });
          return null;
        },
      );
    }
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
    const changedSinceMatch = matchedAtEvents === null || matchedAtEvents !== state.eventsApplied;
    const match = changedSinceMatch ? await matchNow() : lastMatch!;
    state.match = match.outcome;
    if (match.linkedType === 'contact' && patched('contact-push-back')) {
      state.contactPushBack = await pushLinkedContactBack(input.callId);
    }
    // A run carried over with its Ai data collected does not fetch it again; a late run collects
    // again only when it brought Ai data (a late recap or transcript re-derives the insights).
    const collect = state.late ? aiArrived : !(state.ai && state.ai !== 'none');
    if (state.connected && collect) {
      // Events that arrive meanwhile (a recap held up by an outage) interrupt a long fetch: they are
      // applied by a fresh run first, which then asks only for what is still missing.
      await collectAiData(
        input,
        state,
        activities,
        durable ? durably : null,
        durable ? () => pending.length > 0 : null,
      );
    }
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
 * Answered calls: ask Dialpad's API for what is not stored yet (transcript, recap) unless the API
 * has shown the office to have no Ai, then derive the insights. A part that cannot be fetched
 * leaves the call complete without it, and the row says which part is missing and why.
 */
async function collectAiData(
  input: CallWorkflowInput,
  state: CallWorkflowState,
  {
    checkAiOffice,
    deriveCallInsights,
  }: Pick<ReturnType<typeof databaseActivities>, 'checkAiOffice' | 'deriveCallInsights'>,
  durably: Durably | null,
  eventsWaiting: (() => boolean) | null,
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
  const { fetchCallTranscript, fetchCallRecap } = dialpadFetchActivities(input.aiFetchAttempts ?? 6);
  const missing: { part: 'transcript' | 'recap'; reason: string }[] = [];
  const answers: { transcript: AiFetchOutcome; recap: AiFetchOutcome } = { transcript: 'error', recap: 'error' };
  try {
    const transcript = await unlessEventsArrive(() => fetchCallTranscript({ legCallId: input.callId }));
    if (transcript === 'interrupted') return;
    answers.transcript = fetchOutcome(transcript);
  } catch (err) {
    missing.push({ part: 'transcript', reason: failureMessage(err) });
  }
  // The recap's webhook fields are undocumented: whatever arrived, ask the API while no recap text
  // is stored (the activity returns at once when there is). Dialpad builds the recap from the
  // transcript, so a call without one has none: not asked (ai_recap allows 12 requests a minute).
  if (durable && answers.transcript === 'none') {
    answers.recap = 'none';
  } else if (durable || !state.aiStates.includes('recap_summary')) {
    try {
      const recap = await unlessEventsArrive(() => fetchCallRecap({ legCallId: input.callId }));
      if (recap === 'interrupted') return;
      answers.recap = fetchOutcome(recap);
    } catch (err) {
      missing.push({ part: 'recap', reason: failureMessage(err) });
    }
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
