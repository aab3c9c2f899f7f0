import { isIdKey, stringifyDialpadJson } from '../dialpad/json';
import type { SimCompany, SimContact, SimGroup, SimOffice, SimUser } from './company';

/**
 * Dialpad's wire shapes for the simulator's records (API-NOTES §3–5) and their serialisation:
 * the REST API writes int64 fields (ids and epoch-ms dates) as strings, as the spec's examples do;
 * webhooks write them as bare JSON numbers. `restIdFormat: 'number'` makes REST send numbers too
 * (exact literals, even above 2^53), the other reading the notes say to be ready for.
 */
export type RestIdFormat = 'string' | 'number';

const isInt64TimeKey = (key: string) => key.startsWith('date_') || key === 'event_timestamp';

export function restJson(value: unknown, format: RestIdFormat): string {
  if (format === 'number') return stringifyDialpadJson(value, isIdKey);
  return stringifyDialpadJson(timesAsStrings(value), () => false);
}

/** Webhook bodies: ids as exact JSON numbers where they are numeric. */
export function webhookJson(value: unknown): string {
  return stringifyDialpadJson(value, isIdKey);
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

export function renderOffice(o: SimOffice, company: SimCompany) {
  return {
    id: o.id,
    office_id: o.id,
    company_id: company.id,
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
