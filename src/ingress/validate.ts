import type { CallLegEvent, CallParty, LeftOutField, RecapFields } from '../../workflows/shared/call-event';
import { WebhookRejection } from './rejection';

/**
 * Reads the claims of a verified Dialpad call event into the typed event, liberally: Dialpad never
 * re-sends after a 4xx, so a verified event is refused (400) only when it has no usable `call_id`
 * or `state`. Every other field that does not fit is left out of the typed event and listed with
 * the reason (the raw claims are stored beside it, so `replay` can read them again after a fix).
 *
 * What is accepted, following Dialpad's OpenAPI description and real captures (docs/webhooks.md):
 * - call ids (`call_id` and its master / entry point / operator links): int64, as a JSON number or
 *   a string of digits, kept as exact strings;
 * - ids of contacts, targets and offices: opaque non-empty strings (contacts created with a uid get
 *   ids such as `5120_uid_<uuid>`), numbers turned into strings;
 * - times: epoch ms, or seconds or µs told apart by magnitude, as numbers or numeric strings, or ISO
 *   8601 text; durations in ms, fractions rounded;
 * - text: strings (numbers turned into text), NUL removed and lone surrogates replaced so Postgres
 *   can store them, over-long text truncated;
 * - booleans also as "true"/"false"/1/0; recap parts as strings, lists, or Dialpad's REST shapes
 *   (`{content}`, `{category}`).
 * - anything else, including fields we do not know, is ignored here and kept in the raw claims.
 */
const CALL_ID = /^[0-9]{1,19}$/;
const INT64_MAX = 9223372036854775807n;
const STATE = /^[a-z][a-z0-9_]{0,59}$/;
/** The largest text the product keeps in one field (a voicemail transcription, a recap summary). */
export const MAX_TEXT = 200_000;
const MAX_ID = 200;
/** A week of milliseconds: anything longer is not a call leg's duration. */
export const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;

export interface ParsedCallEvent {
  event: CallLegEvent;
  leftOut: LeftOutField[];
}

/** A verified body that cannot become an event at all (no usable call id or state): 400, kept. */
export class UnusableEventError extends WebhookRejection {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(400, 'malformed_payload', message);
    this.name = 'UnusableEventError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// Text Postgres cannot hold: NUL, and UTF-16 surrogates without their pair (not valid Unicode).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes text storable: NUL characters are dropped and lone surrogates become U+FFFD. Postgres
 * refuses both; rejecting the event instead would lose a real call over a garbled caller name.
 */
export function storableText(v: string): string {
  return v.replaceAll(String.fromCharCode(0), '').replace(LONE_SURROGATE, '\uFFFD');
}

/** A Dialpad call id (int64) as an exact string, or null when `v` is not one. */
export function callIdOf(v: unknown): string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? String(v) : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  // Long ids arrive here as strings (parseDialpadJson), exact to the digit.
  return CALL_ID.test(s) && BigInt(s) <= INT64_MAX ? s.replace(/^0+(?=\d)/, '') : null;
}

/** Reads Dialpad's `state`, or null: lower-case words with underscores ("hangup", "recap_summary"). */
export function stateOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase().replaceAll('-', '_');
  return STATE.test(s) ? s : null;
}

/**
 * Epoch milliseconds from a time in ms, seconds or µs (by magnitude: 1e9..1e11 is seconds from
 * 2001, 1e11..1e14 ms, 1e14..1e17 µs), a numeric string, or ISO 8601 text. Null when it is none.
 */
export function epochMsOf(v: unknown): number | null {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) n = Number(s);
    else if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
      const parsed = Date.parse(s);
      return Number.isFinite(parsed) && parsed > 0 ? parsed : null;
    } else return null;
  } else return null;
  if (!Number.isFinite(n)) return null;
  if (n >= 1e9 && n < 1e11) return Math.round(n * 1000);
  if (n >= 1e11 && n < 1e14) return Math.round(n);
  if (n >= 1e14 && n < 1e17) return Math.round(n / 1000);
  return null;
}

class ClaimReader {
  readonly leftOut: LeftOutField[] = [];

  constructor(private readonly claims: Record<string, unknown>) {}

  leave(field: string, reason: string): null {
    this.leftOut.push({ field, reason });
    return null;
  }

  /** Null, undefined and "" are simply absent: Dialpad sends all three for "no value". */
  static absent(v: unknown): boolean {
    return v === undefined || v === null || v === '';
  }

  callId(v: unknown, field: string): string | null {
    if (ClaimReader.absent(v)) return null;
    return callIdOf(v) ?? this.leave(field, 'not a Dialpad call id (a 64-bit integer)');
  }

  opaqueId(v: unknown, field: string): string | null {
    if (ClaimReader.absent(v)) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') return this.leave(field, `an id must be text or a number, got ${kind(v)}`);
    const s = storableText(v.trim());
    if (s === '') return null;
    if (s.length > MAX_ID) return this.leave(field, `an id longer than ${MAX_ID} characters`);
    return s;
  }

  time(v: unknown, field: string): number | null {
    // Zero is how some payloads say "never" (a call never connected).
    if (ClaimReader.absent(v) || v === 0 || v === '0') return null;
    return epochMsOf(v) ?? this.leave(field, `not a time (epoch ms, s or µs, or ISO 8601), got ${kind(v)}`);
  }

  durationMs(v: unknown, field: string): number | null {
    if (ClaimReader.absent(v)) return null;
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_DURATION_MS) {
      return this.leave(field, `not a duration in milliseconds, got ${kind(v)}`);
    }
    return Math.round(n);
  }

  text(v: unknown, field: string, max: number, opts: { truncate?: boolean } = { truncate: true }): string | null {
    if (ClaimReader.absent(v)) return null;
    let s: string;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
    else return this.leave(field, `expected text, got ${kind(v)}`);
    s = storableText(s);
    if (s.length > max) {
      if (!opts.truncate) return this.leave(field, `longer than ${max} characters`);
      this.leftOut.push({ field, reason: `truncated to ${max} of ${s.length} characters` });
      s = s.slice(0, max);
    }
    return s;
  }

  bool(v: unknown, field: string): boolean | null {
    if (ClaimReader.absent(v)) return null;
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 'true' || v === 'True' || v === '1') return true;
    if (v === 0 || v === 'false' || v === 'False' || v === '0') return false;
    return this.leave(field, `expected true or false, got ${kind(v)}`);
  }

  party(v: unknown, field: string): CallParty | null {
    if (ClaimReader.absent(v)) return null;
    if (!isRecord(v)) return this.leave(field, `expected an object, got ${kind(v)}`);
    const p: CallParty = {
      id: this.opaqueId(v.id, `${field}.id`),
      type: this.text(v.type, `${field}.type`, 60, { truncate: false }),
      name: this.text(v.name, `${field}.name`, 500),
      phone: this.text(v.phone, `${field}.phone`, 64, { truncate: false }),
      officeId: this.opaqueId(v.office_id, `${field}.office_id`),
    };
    return p.id === null && p.type === null && p.name === null && p.phone === null && p.officeId === null ? null : p;
  }

  /** A recap's text part: a string, Dialpad's REST shape `{content}`, or a list of strings. */
  recapText(v: unknown, field: string, max: number): string | null {
    if (ClaimReader.absent(v)) return null;
    if (isRecord(v)) {
      const inner = v.content ?? v.text ?? v.summary ?? v.value;
      if (isRecord(inner)) return this.recapText(inner, field, max);
      if (typeof inner === 'string') return this.text(inner, `${field}.content`, max);
      return this.leave(field, 'an object without text (content, text, summary or value)');
    }
    if (Array.isArray(v)) {
      const parts = v.map((item, i) => this.recapText(item, `${field}[${i}]`, max)).filter((s): s is string => !!s);
      return parts.length ? this.text(parts.join('\n'), field, max) : null;
    }
    return this.text(v, field, max);
  }

  /** A recap's list part: strings or `{content}` / `{category}` objects; a single string is a list of one. */
  recapList(v: unknown, field: string): string[] | null {
    if (ClaimReader.absent(v)) return null;
    const items = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    for (const [i, item] of items.slice(0, 100).entries()) {
      const name = Array.isArray(v) ? `${field}[${i}]` : field;
      let s: string | null;
      if (isRecord(item)) {
        const inner = item.content ?? item.category ?? item.text ?? item.name ?? null;
        s = ClaimReader.absent(inner)
          ? this.leave(name, 'an object without text (content, category, text or name)')
          : this.recapText(inner, name, 2000);
      } else {
        s = this.recapText(item, name, 2000);
      }
      if (s) out.push(s);
    }
    if (items.length > 100) this.leftOut.push({ field, reason: `kept the first 100 of ${items.length} items` });
    return out.length ? out : null;
  }

  get(name: string): unknown {
    return this.claims[name];
  }
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? 'long text' : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}

/**
 * The typed event and what was left out of it. Throws `UnusableEventError` only for a missing or
 * unusable `call_id` or `state`.
 */
export function parseCallEvent(claims: Record<string, unknown>): ParsedCallEvent {
  const r = new ClaimReader(claims);
  const callId = callIdOf(claims.call_id);
  if (callId === null) {
    throw new UnusableEventError(
      'call_id',
      ClaimReader.absent(claims.call_id)
        ? 'call_id: missing; every Dialpad call event has one'
        : 'call_id: expected a Dialpad call id (a 64-bit integer, as a number or a string of digits)',
    );
  }
  const state = stateOf(claims.state);
  if (state === null) {
    throw new UnusableEventError(
      'state',
      ClaimReader.absent(claims.state)
        ? 'state: missing; every Dialpad call event has one'
        : 'state: expected a Dialpad call state such as "hangup"',
    );
  }

  const rawDirection = r.get('direction');
  let direction: CallLegEvent['direction'] = null;
  if (!ClaimReader.absent(rawDirection)) {
    const d = typeof rawDirection === 'string' ? rawDirection.trim().toLowerCase() : null;
    if (d === 'inbound' || d === 'outbound') direction = d;
    else r.leave('direction', `expected "inbound" or "outbound", got ${kind(rawDirection)}`);
  }

  const recap: RecapFields = {
    summary: r.recapText(r.get('recap_summary'), 'recap_summary', MAX_TEXT),
    outcome: r.recapText(r.get('recap_outcome'), 'recap_outcome', 2000),
    purposes: r.recapList(r.get('recap_purposes'), 'recap_purposes'),
    actionItems: r.recapList(r.get('recap_action_items'), 'recap_action_items'),
  };
  const hasRecap = Object.values(recap).some((v) => v !== null);
  const talkTime = r.durationMs(r.get('talk_time'), 'talk_time');
  const duration = r.durationMs(r.get('duration'), 'duration');

  const event: CallLegEvent = {
    callId,
    state,
    eventTimestamp: r.time(r.get('event_timestamp'), 'event_timestamp'),
    masterCallId: r.callId(r.get('master_call_id'), 'master_call_id'),
    entryPointCallId: r.callId(r.get('entry_point_call_id'), 'entry_point_call_id'),
    operatorCallId: r.callId(r.get('operator_call_id'), 'operator_call_id'),
    direction,
    externalNumber: r.text(r.get('external_number'), 'external_number', 64, { truncate: false }),
    internalNumber: r.text(r.get('internal_number'), 'internal_number', 64, { truncate: false }),
    target: r.party(r.get('target'), 'target'),
    contact: r.party(r.get('contact'), 'contact'),
    groupId: r.text(r.get('group_id'), 'group_id', 200, { truncate: false }),
    dateStarted: r.time(r.get('date_started'), 'date_started'),
    dateConnected: r.time(r.get('date_connected'), 'date_connected'),
    dateEnded: r.time(r.get('date_ended'), 'date_ended'),
    talkTimeMs: talkTime ?? duration,
    totalDurationMs: r.durationMs(r.get('total_duration'), 'total_duration'),
    isTransferred: r.bool(r.get('is_transferred'), 'is_transferred') ?? false,
    recap: hasRecap ? recap : null,
    voicemailTranscription: r.text(r.get('transcription_text'), 'transcription_text', MAX_TEXT),
  };
  return { event, leftOut: r.leftOut };
}

/** The typed event alone (tests and tools that do not keep the left-out list). */
export function validateCallEvent(claims: Record<string, unknown>): CallLegEvent {
  return parseCallEvent(claims).event;
}
