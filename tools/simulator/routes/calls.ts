import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  DIALPAD_AI_RECAP_FORMATS,
  DIALPAD_SUBSCRIPTION_TARGET_TYPES,
  type DialpadAiRecapFormat,
} from '../../../src/dialpad/types';
import { formatSummary } from '../ai-content';
import { snapshot } from '../calls';
import { bad, DialpadHttpError, DIGITS, notFound, sendDialpad, type SimRequest } from '../http';
import { decodeCursor, encodeCursor, pageBody, pageLimit } from '../pages';
import type { SimCallRecord, SimulatorState } from '../state';

/** Calls (the legs' final state), transcripts and Ai recaps. */
export function registerCallRoutes(api: FastifyInstance, state: SimulatorState): void {
  const send = (reply: FastifyReply, body: unknown, status = 200) => sendDialpad(reply, state, status, body);
  /** ContactProto and AiRecapProto: every id is a string in the spec, whatever restIdFormat says. */
  const sendStringIds = (reply: FastifyReply, body: unknown) => sendDialpad(reply, state, 200, body, 'strings');
  api.get('/call', async (req: SimRequest, reply) => {
    const { started_after: after, started_before: before, target_type: targetType, target_id: targetId } = req.query;
    for (const [name, v] of [
      ['started_after', after],
      ['started_before', before],
    ] as const) {
      if (v !== undefined && !DIGITS.test(v)) throw bad(`${name} must be a UTC timestamp in milliseconds`);
    }
    if (targetType !== undefined && !(DIALPAD_SUBSCRIPTION_TARGET_TYPES as readonly string[]).includes(targetType)) {
      throw bad(`Invalid target_type ${targetType}`);
    }
    if ((targetType === undefined) !== (targetId === undefined)) throw bad('target_type and target_id go together');
    const now = Date.now();
    const listKey = `calls:${after ?? ''}:${before ?? ''}:${targetType ?? ''}:${targetId ?? ''}`;
    const cursor = decodeCursor(req.query.cursor, listKey) as [number, string] | null;
    const rows = [...state.calls.values()]
      .map((r) => r.leg)
      .filter((l) => l.date_ended <= now)
      .filter((l) => after === undefined || l.date_started >= Number(after))
      .filter((l) => before === undefined || l.date_started < Number(before))
      .filter(
        (l) =>
          targetType === undefined ||
          (targetType === 'office'
            ? l.target.office_id === targetId
            : l.target.type === targetType && l.target.id === targetId),
      )
      .sort((a, b) => b.date_started - a.date_started || (a.call_id < b.call_id ? 1 : a.call_id > b.call_id ? -1 : 0))
      .filter((l) => !cursor || l.date_started < cursor[0] || (l.date_started === cursor[0] && l.call_id < cursor[1]));
    const limit = pageLimit(req, state);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return send(
      reply,
      pageBody(
        page.map((l) => renderCall(l)),
        page.length === limit && last ? encodeCursor(listKey, [last.date_started, last.call_id]) : null,
      ),
    );
  });
  api.get('/call/:id', async (req: SimRequest, reply) => {
    const record = state.calls.get(req.params.id ?? '');
    if (!record) throw notFound('Call');
    return send(reply, renderCall(record.leg));
  });
  api.get('/call/:id/ai_recap', async (req: SimRequest, reply) => {
    const format = (req.query.summary_format ?? 'medium') as DialpadAiRecapFormat;
    if (!DIALPAD_AI_RECAP_FORMATS.includes(format)) throw bad(`Invalid summary_format ${String(format)}`);
    const ai = readyAi(state, req.params.id ?? '', 'Ai Recap');
    const recap = ai.recap;
    let n = 0;
    const itemId = () => String(++n);
    return sendStringIds(reply, {
      call_id: req.params.id,
      summary: { id: itemId(), content: formatSummary(recap, format), format, edited: false },
      action_items: recap.actionItems.map((content) => ({ id: itemId(), content })),
      purposes: recap.purposes.map((p) => ({ id: itemId(), category: p.category, content: p.content })),
      disposition: { id: itemId(), content: recap.outcome },
      source: 'dialpad-ai',
      is_internal_call: ai.isInternal,
      date_created: Math.round(ai.readyAt),
      date_modified: Math.round(ai.readyAt),
    });
  });
  api.get('/transcripts/:id', async (req: SimRequest, reply) => {
    const ai = readyAi(state, req.params.id ?? '', 'Transcript');
    return send(reply, { call_id: req.params.id, lines: ai.transcript });
  });
}

function readyAi(state: SimulatorState, callId: string, what: string): NonNullable<SimCallRecord['ai']> {
  const record = state.calls.get(callId);
  if (!record) throw notFound('Call');
  if (!record.ai) throw new DialpadHttpError(404, `${what} not available: Dialpad Ai was not enabled for this call`);
  if (Date.now() < record.ai.readyAt) throw new DialpadHttpError(404, `${what} not available yet`);
  return record.ai;
}

/** A CallContactProto: the webhook-only `office_id` is not part of it. */
function restParty(p: unknown): unknown {
  if (p === null || typeof p !== 'object') return p;
  const { office_id: _officeId, ...party } = p as Record<string, unknown>;
  return party;
}

/**
 * CallProto for GET /call and /call/{id}: the leg's final state, in the spec's fields only. The
 * webhook-only fields (talk_time, hold_time, date_first_rang, date_queued, voicemail_link,
 * voicemail_recording_id, call_recording_ids, …) are not in it: a voicemail shows as
 * `voicemail_share_link` and a `recording_details` entry of type voicemail, as the spec has it.
 */
function renderCall(leg: SimCallRecord['leg']): Record<string, unknown> {
  const s = snapshot(leg, 'hangup', leg.date_ended + 1);
  const voicemail =
    leg.voicemail_recording_id !== null
      ? [
          {
            id: leg.voicemail_recording_id,
            url: leg.voicemail_link,
            duration: null,
            start_time: null,
            recording_type: 'voicemail',
          },
        ]
      : [];
  return {
    call_id: s.call_id,
    master_call_id: s.master_call_id,
    entry_point_call_id: s.entry_point_call_id,
    operator_call_id: s.operator_call_id,
    state: s.state,
    direction: s.direction,
    external_number: s.external_number,
    internal_number: s.internal_number,
    contact: restParty(s.contact),
    target: restParty(s.target),
    entry_point_target: restParty(s.entry_point_target),
    proxy_target: restParty(s.proxy_target),
    group_id: s.group_id,
    date_started: s.date_started,
    date_rang: s.date_rang,
    date_connected: s.date_connected,
    date_ended: s.date_ended,
    duration: s.duration,
    total_duration: s.total_duration,
    is_transferred: s.is_transferred,
    was_recorded: s.was_recorded,
    recording_details: [...leg.recording_details, ...voicemail],
    routing_breadcrumbs: s.routing_breadcrumbs,
    labels: s.labels,
    mos_score: s.mos_score,
    csat_score: null,
    transcription_text: leg.transcription_text,
    voicemail_share_link: leg.voicemail_link === null ? null : `https://dialpad.com/shared/voicemail/${leg.call_id}`,
  };
}
