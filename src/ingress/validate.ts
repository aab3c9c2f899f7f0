import type { CallLegEvent, CallParty, RecapFields } from '../domain/call-event';
import { WebhookRejection } from './verify';

/**
 * Validates the claims of a verified Dialpad call event. `call_id` and `state` are required; ids
 * are accepted as numbers or digit strings and kept as strings; timestamps are epoch ms; every
 * other field is optional but type-checked. A bad field is a 400 naming it.
 */
const ID = /^[0-9]{1,19}$/;
const INT64_MAX = 9223372036854775807n;
const STATE = /^[a-z_]{1,40}$/;
const MAX_TEXT = 200_000;

function fail(field: string, expected: string): never {
  throw new WebhookRejection(400, 'malformed_payload', `${field}: expected ${expected}`);
}

function id(v: unknown, field: string, required = false): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) fail(field, 'a Dialpad id (digits, as a number or string)');
    return null;
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) fail(field, 'a Dialpad id (a non-negative integer)');
    return String(v);
  }
  // Long ids arrive here as strings (see safe-json.ts), exact to the digit; Dialpad's are int64.
  if (typeof v === 'string' && ID.test(v) && BigInt(v) <= INT64_MAX) return v;
  return fail(field, 'a Dialpad id (a 64-bit integer, as a number or string)');
}

function epochMs(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v;
  // 2001-09-09 .. 2286: anything else is seconds, not ms, or nonsense.
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 1e12 || n > 1e13) fail(field, 'epoch milliseconds');
  return Math.trunc(n);
}

function nonNegative(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) fail(field, 'a non-negative number of milliseconds');
  return n;
}

// Text Postgres cannot hold: NUL, and UTF-16 surrogates without their pair (not valid Unicode).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes text storable: NUL characters are dropped and lone surrogates become U+FFFD. Postgres
 * refuses both; rejecting the event instead would lose a real call over a garbled caller name
 * (Dialpad never re-sends after a 4xx).
 */
export function storableText(v: string): string {
  return v.replaceAll(String.fromCharCode(0), '').replace(LONE_SURROGATE, '\uFFFD');
}

function text(v: unknown, field: string, max = 1000): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(field, 'a string');
  if (v.length > max) fail(field, `at most ${max} characters`);
  return storableText(v);
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') fail(field, 'true or false');
  return v;
}

function stringList(v: unknown, field: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length > 100) fail(field, 'an array of at most 100 strings');
  return v.map((item, i) => {
    // Dialpad's REST recap sends objects ({content}); webhooks send strings. Accept both.
    if (typeof item === 'string') return text(item, `${field}[${i}]`, 2000)!;
    if (item && typeof item === 'object' && typeof (item as { content?: unknown }).content === 'string') {
      return text((item as { content: string }).content, `${field}[${i}].content`, 2000)!;
    }
    return fail(`${field}[${i}]`, 'a string');
  });
}

function party(v: unknown, field: string): CallParty | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) fail(field, 'an object');
  const o = v as Record<string, unknown>;
  const p: CallParty = {
    id: id(o.id, `${field}.id`),
    type: text(o.type, `${field}.type`, 40),
    name: text(o.name, `${field}.name`, 500),
    phone: text(o.phone, `${field}.phone`, 64),
    officeId: id(o.office_id, `${field}.office_id`),
  };
  return p.id === null && p.type === null && p.name === null && p.phone === null && p.officeId === null ? null : p;
}

export function validateCallEvent(claims: Record<string, unknown>): CallLegEvent {
  const callId = id(claims.call_id, 'call_id', true)!;
  const state = claims.state;
  if (typeof state !== 'string' || !STATE.test(state)) fail('state', 'a Dialpad call state such as "hangup"');
  const direction = claims.direction;
  if (direction !== undefined && direction !== null && direction !== 'inbound' && direction !== 'outbound') {
    fail('direction', '"inbound" or "outbound"');
  }
  const recap: RecapFields = {
    summary: text(claims.recap_summary, 'recap_summary', MAX_TEXT),
    outcome: text(claims.recap_outcome, 'recap_outcome', 2000),
    purposes: stringList(claims.recap_purposes, 'recap_purposes'),
    actionItems: stringList(claims.recap_action_items, 'recap_action_items'),
  };
  const hasRecap = Object.values(recap).some((v) => v !== null);
  return {
    callId,
    state,
    eventTimestamp: epochMs(claims.event_timestamp, 'event_timestamp'),
    masterCallId: id(claims.master_call_id, 'master_call_id'),
    entryPointCallId: id(claims.entry_point_call_id, 'entry_point_call_id'),
    operatorCallId: id(claims.operator_call_id, 'operator_call_id'),
    direction: direction ?? null,
    externalNumber: text(claims.external_number, 'external_number', 64),
    internalNumber: text(claims.internal_number, 'internal_number', 64),
    target: party(claims.target, 'target'),
    contact: party(claims.contact, 'contact'),
    groupId: text(claims.group_id, 'group_id', 200),
    dateStarted: epochMs(claims.date_started, 'date_started'),
    dateConnected: epochMs(claims.date_connected, 'date_connected'),
    dateEnded: epochMs(claims.date_ended, 'date_ended'),
    talkTimeMs: nonNegative(claims.talk_time, 'talk_time') ?? nonNegative(claims.duration, 'duration'),
    totalDurationMs: nonNegative(claims.total_duration, 'total_duration'),
    isTransferred: bool(claims.is_transferred, 'is_transferred'),
    recap: hasRecap ? recap : null,
    voicemailTranscription: text(claims.transcription_text, 'transcription_text', MAX_TEXT),
  };
}
