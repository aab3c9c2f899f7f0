import { isIdKey, stringifyDialpadJson } from '../../src/dialpad/json';
import type { SimCompany, SimContact, SimGroup, SimOffice, SimUser } from './company';

/**
 * Dialpad's wire shapes for the simulator's records (API-NOTES §3–5) and their serialisation:
 * the REST API writes int64 fields (ids and epoch-ms dates) as strings, as the spec's examples do;
 * webhooks write them as bare JSON numbers. `restIdFormat: 'number'` makes REST send numbers too
 * (exact literals, even above 2^53), the other reading the notes say to be ready for.
 */
export type RestIdFormat = 'string' | 'number';

const isInt64TimeKey = (key: string) => key.startsWith('date_') || key === 'event_timestamp';

/** Id fields the spec types as strings, not int64: a contact's owner, a transcript line's contact. */
const STRING_ID_FIELDS: ReadonlySet<string> = new Set(['owner_id', 'contact_id']);
/** Objects whose `id` is a string in the spec: CallContactProto, CallRecordingDetailsProto. */
const STRING_ID_PARENTS: ReadonlySet<string> = new Set([
  'contact',
  'target',
  'entry_point_target',
  'proxy_target',
  'recording_details',
]);

function restInt64Id(key: string, parentKey: string): boolean {
  return isIdKey(key) && !STRING_ID_FIELDS.has(key) && !(key === 'id' && STRING_ID_PARENTS.has(parentKey));
}

/**
 * A REST body. `ids: 'strings'` for bodies whose ids are all strings in the spec (ContactProto,
 * AiRecapProto), which stay strings in either format.
 */
export function restJson(value: unknown, format: RestIdFormat, ids: 'int64' | 'strings' = 'int64'): string {
  if (format === 'number') return stringifyDialpadJson(value, ids === 'strings' ? () => false : restInt64Id);
  return stringifyDialpadJson(timesAsStrings(value), () => false);
}

/** CallProto's int64 ids (and the webhook-only int64 ids), written as JSON numbers in webhooks. */
const WEBHOOK_INT64_IDS: ReadonlySet<string> = new Set([
  'call_id',
  'master_call_id',
  'entry_point_call_id',
  'operator_call_id',
  'office_id',
  'voicemail_recording_id',
  'call_recording_ids',
]);
const CALL_LINKS: ReadonlySet<string> = new Set(['master_call_id', 'entry_point_call_id', 'operator_call_id']);

/**
 * Whether this leg's events write their int64 fields as strings. Real webhooks send numbers, the
 * spec's examples strings; both readings must work, so a quarter of the legs (by call id, so every
 * event of a leg agrees) send the call links, dates and event_timestamp as decimal strings.
 */
export function int64AsStrings(callId: string): boolean {
  return Number(callId.slice(-2)) % 4 === 1;
}

/**
 * A call event's body as Dialpad's webhooks write it (field types of the spec's CallProto):
 * `call_id` and the other int64 ids as exact JSON numbers; the parties' ids
 * (CallContactProto.id) and recording ids as strings, as the spec types them; for some legs
 * (int64AsStrings) the links and times as strings.
 */
export function webhookJson(event: Record<string, unknown>): string {
  const callId = typeof event.call_id === 'string' ? event.call_id : String(event.call_id);
  if (!int64AsStrings(callId)) return stringifyDialpadJson(event, (k) => WEBHOOK_INT64_IDS.has(k));
  return stringifyDialpadJson(timesAsStrings(event), (k) => WEBHOOK_INT64_IDS.has(k) && !CALL_LINKS.has(k));
}

function timesAsStrings(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => timesAsStrings(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = timesAsStrings(v, k);
    return out;
  }
  if (isInt64TimeKey(key) && typeof value === 'number' && Number.isInteger(value)) return String(value);
  return value;
}

export function renderOffice(o: SimOffice) {
  return {
    id: o.id,
    office_id: o.id,
    name: o.name,
    state: 'active',
    timezone: o.timezone,
    country: o.country.toLowerCase(),
    phone_numbers: [o.phone],
    is_primary_office: o.isPrimary,
    availability_status: 'open',
    e911_address: { address: '1 Main Street', city: o.city, country: o.country.toLowerCase() },
  };
}

export function renderGroup(g: SimGroup, company: SimCompany) {
  const office = company.officeById.get(g.officeId);
  return {
    id: g.id,
    name: g.name,
    office_id: g.officeId,
    phone_numbers: [g.phone],
    state: 'active',
    timezone: office?.timezone ?? null,
    group_description: g.kind === 'callcenter' ? `${g.name} queue` : `${g.name} department`,
    ...(g.kind === 'department' ? { auto_call_recording: false } : {}),
  };
}

export function renderUser(u: SimUser, company: SimCompany) {
  return {
    id: u.id,
    company_id: company.id,
    office_id: u.officeId,
    first_name: u.firstName,
    last_name: u.lastName,
    display_name: `${u.firstName} ${u.lastName}`,
    emails: [u.email],
    phone_numbers: [u.phone],
    state: 'active',
    license: 'talk',
    is_admin: u.isAdmin,
    admin_office_ids: u.isAdmin ? [u.officeId] : [],
    group_details: u.groups.map((g) => ({ group_id: g.groupId, group_type: g.groupType, role: g.role })),
    job_title: u.jobTitle,
    timezone: u.timezone,
    date_added: u.dateAdded,
    on_duty_status: 'available',
    language: 'en',
  };
}

export function renderContact(c: SimContact) {
  return {
    id: c.id,
    type: c.type,
    first_name: c.firstName,
    last_name: c.lastName,
    display_name: `${c.firstName} ${c.lastName}`.trim(),
    company_name: c.companyName,
    job_title: c.jobTitle,
    phones: c.phones,
    primary_phone: c.phones[0] ?? null,
    emails: c.emails,
    primary_email: c.emails[0] ?? null,
    ...(c.ownerId ? { owner_id: c.ownerId } : {}),
    extension: c.extension,
    urls: c.urls,
  };
}

export interface SimWebhook {
  id: string;
  seq: number;
  hookUrl: string;
  secret: string | null;
}

export function renderWebhook(w: SimWebhook) {
  return {
    id: w.id,
    hook_url: w.hookUrl,
    signature: w.secret === null ? null : { algo: 'HS256', type: 'jwt', secret: w.secret },
  };
}

export interface SimCallSubscription {
  id: string;
  seq: number;
  callStates: string[];
  enabled: boolean;
  groupCallsOnly: boolean;
  targetType: string | null;
  targetId: string | null;
  endpointId: string;
}

export function renderSubscription(s: SimCallSubscription, webhook: SimWebhook | undefined) {
  return {
    id: s.id,
    call_states: s.callStates,
    enabled: s.enabled,
    group_calls_only: s.groupCallsOnly,
    target_id: s.targetId,
    target_type: s.targetType,
    webhook: webhook ? renderWebhook(webhook) : null,
    websocket: null,
  };
}
