import { z } from 'zod';

/**
 * Dialpad's REST shapes (API-NOTES §4–5), as the client returns them: Dialpad's own field names,
 * every id a string (REST sends strings, webhooks numbers; both arrive here as exact strings),
 * epoch-ms timestamps as numbers (REST serialises int64 timestamps as strings). Only the fields
 * the integration relies on are typed; everything else Dialpad sends is passed through untouched
 * (loose objects), because Dialpad adds fields and "real events may carry more fields".
 */

export const DIALPAD_CALL_STATES = [
  'admin',
  'admin_recording',
  'ai_playbook',
  'all',
  'barge',
  'blocked',
  'call_transcription',
  'calling',
  'connected',
  'csat',
  'dispositions',
  'eavesdrop',
  'hangup',
  'hold',
  'merged',
  'missed',
  'monitor',
  'parked',
  'pcsat',
  'postcall',
  'preanswer',
  'queued',
  'recap_action_items',
  'recap_outcome',
  'recap_purposes',
  'recap_summary',
  'recording',
  'ringing',
  'takeover',
  'transcription',
  'voicemail',
  'voicemail_uploaded',
] as const;
export type DialpadCallState = (typeof DIALPAD_CALL_STATES)[number];

export const DIALPAD_SUBSCRIPTION_TARGET_TYPES = [
  'callcenter',
  'callrouter',
  'channel',
  'coachinggroup',
  'coachingteam',
  'department',
  'office',
  'room',
  'staffgroup',
  'unknown',
  'user',
] as const;
export type DialpadSubscriptionTargetType = (typeof DIALPAD_SUBSCRIPTION_TARGET_TYPES)[number];

export const DIALPAD_AI_RECAP_FORMATS = ['short', 'medium', 'long', 'bullet'] as const;
export type DialpadAiRecapFormat = (typeof DIALPAD_AI_RECAP_FORMATS)[number];

const str = z.string().nullish();
const bool = z.boolean().nullish();
const strList = z.array(z.string()).nullish();
const id = z.string().min(1);
const optionalId = z.string().nullish();
/** int64 or double that REST may send as a decimal string. */
const numeric = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/, 'expected a decimal number')
      .transform(Number),
  ])
  .nullish();

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const dialpadPartySchema = z.looseObject({
  id: optionalId,
  name: str,
  phone: str,
  email: str,
  type: str,
  office_id: optionalId,
});
export type DialpadParty = z.output<typeof dialpadPartySchema>;

/** OfficeProto carries its id as `id` or `office_id` (API-NOTES §5); `id` is always set here. */
export const dialpadOfficeSchema = z.preprocess(
  (v) => (isRecord(v) && (v.id === undefined || v.id === null) && v.office_id != null ? { ...v, id: v.office_id } : v),
  z.looseObject({
    id,
    office_id: optionalId,
    name: str,
    state: str,
    timezone: str,
    country: str,
    phone_numbers: strList,
    is_primary_office: bool,
    availability_status: str,
  }),
);
export type DialpadOffice = z.output<typeof dialpadOfficeSchema>;

export const dialpadDepartmentSchema = z.looseObject({
  id,
  name: str,
  office_id: optionalId,
  phone_numbers: strList,
  state: str,
  timezone: str,
  group_description: str,
});
export type DialpadDepartment = z.output<typeof dialpadDepartmentSchema>;

export const dialpadCallCenterSchema = z.looseObject({
  id,
  name: str,
  office_id: optionalId,
  phone_numbers: strList,
  state: str,
  timezone: str,
  group_description: str,
});
export type DialpadCallCenter = z.output<typeof dialpadCallCenterSchema>;

export const dialpadUserSchema = z.looseObject({
  id,
  first_name: str,
  last_name: str,
  display_name: str,
  emails: strList,
  phone_numbers: strList,
  office_id: optionalId,
  company_id: optionalId,
  state: str,
  license: str,
  is_admin: bool,
  admin_office_ids: strList,
  group_details: z.array(z.looseObject({ group_id: optionalId, group_type: str, role: str })).nullish(),
  job_title: str,
  timezone: str,
  date_added: str,
});
export type DialpadUser = z.output<typeof dialpadUserSchema>;

export const dialpadContactSchema = z.looseObject({
  id,
  type: str,
  first_name: str,
  last_name: str,
  display_name: str,
  company_name: str,
  job_title: str,
  phones: strList,
  primary_phone: str,
  emails: strList,
  primary_email: str,
  owner_id: optionalId,
  extension: str,
  urls: strList,
});
export type DialpadContact = z.output<typeof dialpadContactSchema>;

export const dialpadCallSchema = z.looseObject({
  call_id: id,
  master_call_id: optionalId,
  entry_point_call_id: optionalId,
  operator_call_id: optionalId,
  state: str,
  direction: str,
  external_number: str,
  internal_number: str,
  contact: dialpadPartySchema.nullish(),
  target: dialpadPartySchema.nullish(),
  entry_point_target: dialpadPartySchema.nullish(),
  proxy_target: dialpadPartySchema.nullish(),
  group_id: str,
  date_started: numeric,
  date_first_rang: numeric,
  date_queued: numeric,
  date_rang: numeric,
  date_connected: numeric,
  date_ended: numeric,
  event_timestamp: numeric,
  duration: numeric,
  total_duration: numeric,
  talk_time: numeric,
  hold_time: numeric,
  is_transferred: bool,
  was_recorded: bool,
  labels: strList,
  mos_score: numeric,
  /** Webhook events (API-NOTES §3); the REST CallProto has voicemail_share_link instead. */
  voicemail_link: str,
  voicemail_recording_id: optionalId,
  voicemail_share_link: str,
  /** recording_type: callrecording | admincallrecording | voicemail. */
  recording_details: z
    .array(z.looseObject({ id: optionalId, url: str, duration: numeric, start_time: numeric, recording_type: str }))
    .nullish(),
  transcription_text: str,
});
export type DialpadCall = z.output<typeof dialpadCallSchema>;

export const dialpadTranscriptSchema = z.looseObject({
  call_id: id,
  lines: z
    .array(
      z.looseObject({
        type: str,
        content: str,
        name: str,
        time: str,
        user_id: optionalId,
        contact_id: optionalId,
      }),
    )
    .nullish(),
});
export type DialpadTranscript = z.output<typeof dialpadTranscriptSchema>;

export const dialpadAiRecapSchema = z.looseObject({
  call_id: id,
  summary: z.looseObject({ id: optionalId, content: str, format: str, edited: bool }).nullish(),
  action_items: z.array(z.looseObject({ id: optionalId, content: str })).nullish(),
  purposes: z.array(z.looseObject({ id: optionalId, category: str, content: str })).nullish(),
  disposition: z.looseObject({ id: optionalId, content: str }).nullish(),
  source: str,
  is_internal_call: bool,
  date_created: numeric,
  date_modified: numeric,
});
export type DialpadAiRecap = z.output<typeof dialpadAiRecapSchema>;

export const dialpadWebhookSchema = z.looseObject({
  id,
  hook_url: str,
  signature: z.looseObject({ algo: str, type: str, secret: str }).nullish(),
});
export type DialpadWebhook = z.output<typeof dialpadWebhookSchema>;

export const dialpadCallSubscriptionSchema = z.looseObject({
  id,
  call_states: strList,
  enabled: bool,
  group_calls_only: bool,
  target_id: optionalId,
  target_type: str,
  webhook: dialpadWebhookSchema.nullish(),
  websocket: z.looseObject({ id: optionalId }).nullish(),
});
export type DialpadCallSubscription = z.output<typeof dialpadCallSubscriptionSchema>;

/** A cursor page; `items` may be null or absent, and the last page has no (or an empty) cursor. */
export const dialpadPageSchema = z.looseObject({
  items: z.array(z.unknown()).nullish(),
  cursor: z.union([z.string(), z.number().transform(String)]).nullish(),
});

// Request bodies, in Dialpad's field names. Ids are strings; the client writes them as exact
// integers on the wire.

export interface DialpadContactFields {
  first_name: string;
  last_name: string;
  /** E.164; the first is the primary. */
  phones?: string[];
  /** The first is the primary. */
  emails?: string[];
  company_name?: string;
  job_title?: string;
  extension?: string;
  urls?: string[];
}

/** POST /contacts: with `owner_id` a local contact of that user, without it a shared one. */
export type DialpadContactCreate = DialpadContactFields & { owner_id?: string };
/** PUT /contacts: always shared; `uid` is the caller's own key for the contact. */
export type DialpadContactUpsert = DialpadContactFields & { uid: string };
/** PATCH /contacts/{id} */
export type DialpadContactUpdate = Partial<DialpadContactFields>;

export interface DialpadWebhookCreate {
  hook_url: string;
  /** Dialpad signs each event (HS256 JWT) with this; single line. */
  secret?: string;
}

export interface DialpadCallSubscriptionCreate {
  /** The webhook (or websocket) id. */
  endpoint_id: string;
  /** Omit for every state. */
  call_states?: DialpadCallState[];
  enabled?: boolean;
  group_calls_only?: boolean;
  /** Omit both target fields to subscribe company-wide. */
  target_type?: DialpadSubscriptionTargetType;
  target_id?: string;
}
