import {
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { databaseActivities, dialpadTaskQueue, durableDatabaseActivities } from './call-activities';
import { collectAiData, pushLinkedContactBack } from './call-ai-collection';
import { type Durably, untilDone } from './call-durable';
import { AI_STATES, dedupeKey, FINAL_STATES, refOf, signalKey, type CallEventSignal } from './shared/call-event';
import { callStateQuery } from './shared/queries';
import { CallState, NavigatorAccountId } from './shared/search-attributes';
import { callEventSignal } from './shared/signals';
import type { CallWorkflowInput, CallWorkflowState } from './shared/types';

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
  const dialpadQueue = dialpadTaskQueue();
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

  /**
   * Applies one event; null when it could not be applied and was set aside as a dead letter. An
   * event the ingress folded already comes with what the fold found: nothing to apply again.
   */
  const apply = (sig: CallEventSignal) =>
    sig.folded && !sig.replay
      ? Promise.resolve({ unrouted: false as const, ...sig.folded })
      : durable
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
      // A recap the ingress folded without telling the run (it derived the interim insights) is
      // stored: the transcript's event says so, and the Ai data is then complete.
      if (result.recapSummary && !state.aiStates.includes('recap_summary')) state.aiStates.push('recap_summary');
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
      state.contactPushBack = await pushLinkedContactBack(input.callId, dialpadQueue);
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
        dialpadQueue,
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
