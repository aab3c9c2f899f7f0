import { generateAi, type AiRecapContent } from './ai-content';
import { IdFactory, Random } from './random';
import {
  CONVERSATION_KINDS,
  DEFAULT_KIND_WEIGHTS,
  type CallEvent,
  type CallLeg,
  type Conversation,
  type ConversationAiArtifacts,
  type ConversationKind,
  type GenerateOptions,
} from './conversation';
import type { Step } from './legs';
import { buildDraft } from './scenarios';

/**
 * Realistic Dialpad call lifecycles: the model is in conversation.ts, the scenarios (who calls whom,
 * which legs) in scenarios.ts; this file turns a scenario into a conversation with its events, Ai
 * artefacts and expected outcome.
 */
export * from './conversation';

/** Generates `count` conversations. Call ids are unique across them. */
export function generateConversations(options: GenerateOptions, count: number): Conversation[] {
  const ids = new IdFactory(new Random(options.idSeed ?? options.seed, 'call-ids'), options.company.largeIds);
  const out: Conversation[] = [];
  for (let i = 0; i < count; i++) out.push(generateConversation(options, ids, i));
  return out;
}

function generateConversation(options: GenerateOptions, ids: IdFactory, index: number): Conversation {
  const { company } = options;
  const r = new Random(options.seed, 'conversation', index);
  const kind = options.kinds?.length
    ? (options.kinds[index % options.kinds.length] as ConversationKind)
    : r.weighted(CONVERSATION_KINDS.map((k) => [k, options.kindWeights?.[k] ?? DEFAULT_KIND_WEIGHTS[k]] as const));
  const draft = buildDraft(kind, r, company, ids);

  // Relative timeline → absolute: place the conversation so its events are in the past when sent.
  const liveSpanMs = Math.max(...draft.steps.map((s) => s.at));
  const aiLeg = draft.aiLeg && options.aiOfficeIds.has(draft.officeId) ? draft.aiLeg : null;
  const aiStates = ['recap_summary', 'recap_outcome', 'recap_purposes', 'recap_action_items', 'call_transcription'];
  const aiSteps: Step[] = [];
  if (aiLeg) {
    const leg = draft.legs.find((l) => l.call_id === aiLeg.callId) as CallLeg;
    // "Minutes after hangup" (API-NOTES §2): 2–5 minutes, then the parts a few seconds apart.
    let at = leg.date_ended + r.int(120_000, 300_000);
    for (const state of r.shuffle([...aiStates])) {
      aiSteps.push({ callId: aiLeg.callId, state, at });
      at += r.int(500, 15_000);
    }
  }
  const aiSpanMs = aiSteps.length ? Math.max(...aiSteps.map((s) => s.at)) - liveSpanMs : 0;
  const base = options.placeAt(index, liveSpanMs, aiSpanMs);
  for (const leg of draft.legs) shiftLeg(leg, base);
  for (const s of [...draft.steps, ...aiSteps]) s.at += base;

  let ai: ConversationAiArtifacts | null = null;
  if (aiLeg) {
    const leg = draft.legs.find((l) => l.call_id === aiLeg.callId) as CallLeg;
    const generated = generateAi(r, {
      agentName: aiLeg.agent.firstName + ' ' + aiLeg.agent.lastName,
      agentUserId: aiLeg.agent.id,
      callerName: aiLeg.callerName,
      callerContactId: aiLeg.callerContactId,
      connectedAt: leg.date_connected ?? leg.date_started,
      endedAt: leg.date_ended,
      internal: draft.expected.isInternal,
    });
    ai = {
      callId: aiLeg.callId,
      recap: generated.recap,
      transcript: generated.transcript,
      isInternal: draft.expected.isInternal,
      readyAt: Math.min(...aiSteps.map((s) => s.at)),
    };
    // Ai needs recording on the line (API-NOTES §4).
    const recordingId = ids.next();
    leg.was_recorded = true;
    leg.call_recording_ids = [recordingId];
    leg.recording_details = [
      {
        id: recordingId,
        url: `https://dialpad.com/r/recording/${recordingId}`,
        duration: leg.talk_time,
        start_time: leg.date_connected ?? leg.date_started,
        recording_type: 'callrecording',
      },
    ];
  }

  const legById = new Map(draft.legs.map((l) => [l.call_id, l]));
  const events: CallEvent[] = [];
  for (const s of draft.steps) {
    events.push({
      callId: s.callId,
      state: s.state,
      eventTimestamp: s.at,
      phase: 'live',
      payload: snapshot(legById.get(s.callId) as CallLeg, s.state, s.at),
    });
  }
  for (const s of aiSteps) {
    const recap = (ai as ConversationAiArtifacts).recap;
    events.push({
      callId: s.callId,
      state: s.state,
      eventTimestamp: s.at,
      phase: 'ai',
      payload: snapshot(legById.get(s.callId) as CallLeg, s.state, s.at, recapFields(s.state, recap)),
    });
  }
  events.sort((a, b) => a.eventTimestamp - b.eventTimestamp);

  const startedAt = Math.min(...draft.legs.map((l) => l.date_started));
  const endedAt = Math.max(...draft.legs.map((l) => l.date_ended));
  return {
    index,
    kind: draft.kind,
    officeId: draft.officeId,
    legs: draft.legs,
    events,
    ai,
    liveSpanMs,
    aiSpanMs,
    expected: {
      ...draft.expected,
      kind: draft.kind,
      officeId: draft.officeId,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      hasAi: ai !== null,
      aiCallId: ai?.callId ?? null,
      recap: ai
        ? {
            summary: ai.recap.summary,
            outcome: ai.recap.outcome,
            purposes: ai.recap.purposes.map((p) => p.category),
            actionItems: ai.recap.actionItems,
          }
        : null,
      tone: ai?.recap.tone ?? null,
      legCallIds: draft.legs.map((l) => l.call_id),
    },
  };
}

/**
 * The recap_summary event carries every recap field (as in examples/recap-summary.json); the
 * other recap events carry only their own, so a consumer must merge them.
 */
function recapFields(state: string, recap: AiRecapContent): Record<string, unknown> {
  const purposes = recap.purposes.map((p) => p.category);
  switch (state) {
    case 'recap_summary':
      return {
        recap_summary: recap.summary,
        recap_action_items: recap.actionItems,
        recap_outcome: recap.outcome,
        recap_purposes: purposes,
      };
    case 'recap_outcome':
      return { recap_outcome: recap.outcome };
    case 'recap_purposes':
      return { recap_purposes: purposes };
    case 'recap_action_items':
      return { recap_action_items: recap.actionItems };
    default:
      return {};
  }
}

/** The leg as Dialpad would describe it when `state` fired at `at`: later facts are not known yet. */
export function snapshot(
  leg: CallLeg,
  state: string,
  at: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const known = (t: number | null) => (t !== null && t <= at ? t : null);
  // A `missed` before voicemail fires while the leg is still up; a hangup or Ai event comes after.
  const ended = at >= leg.date_ended;
  const voicemailStored = state === 'voicemail_uploaded' || state === 'transcription';
  return {
    master_call_id: leg.master_call_id,
    entry_point_call_id: leg.entry_point_call_id,
    operator_call_id: known(leg.date_connected) === null && !ended ? null : leg.operator_call_id,
    direction: leg.direction,
    external_number: leg.external_number,
    internal_number: leg.internal_number,
    contact: { ...leg.contact },
    target: { ...leg.target },
    entry_point_target: { ...leg.entry_point_target },
    proxy_target: {},
    group_id: leg.group_id,
    target_availability_status: leg.target_availability_status,
    date_started: leg.date_started,
    date_first_rang: known(leg.date_first_rang),
    date_queued: known(leg.date_queued),
    date_rang: known(leg.date_rang),
    date_connected: known(leg.date_connected),
    date_ended: ended ? leg.date_ended : null,
    duration: ended ? leg.duration : 0,
    total_duration: ended ? leg.total_duration : 0,
    talk_time: ended ? leg.talk_time : 0,
    hold_time: ended ? leg.hold_time : 0,
    is_transferred: leg.is_transferred && ended,
    was_recorded: leg.was_recorded,
    call_recording_ids: ended ? leg.call_recording_ids : [],
    recording_details: ended ? leg.recording_details : [],
    routing_breadcrumbs: leg.routing_breadcrumbs,
    labels: leg.labels,
    mos_score: ended ? leg.mos_score : null,
    csat_score: null,
    callback_requested: null,
    transcription_text: voicemailStored ? leg.transcription_text : null,
    voicemail_link: voicemailStored ? leg.voicemail_link : null,
    voicemail_recording_id: voicemailStored ? leg.voicemail_recording_id : null,
    call_id: leg.call_id,
    state,
    event_timestamp: at,
    ...extra,
  };
}

function shiftLeg(leg: CallLeg, by: number): void {
  leg.date_started += by;
  leg.date_ended += by;
  if (leg.date_first_rang !== null) leg.date_first_rang += by;
  if (leg.date_queued !== null) leg.date_queued += by;
  if (leg.date_rang !== null) leg.date_rang += by;
  if (leg.date_connected !== null) leg.date_connected += by;
}
