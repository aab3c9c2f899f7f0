import type { Knex } from 'knex';
import { matchCallToRecord, type MatchResult } from '../../matching';
import { normalizePhoneNumber } from '../../phone/normalize';
import { ApiError } from '../../ops/errors';
import { insertManualCall } from '../../calls/manual-call-repository';

/**
 * Logging a call by hand, for accounts without Dialpad (or a call Dialpad did not see). The manual
 * fields are those of the product's manual logging; Ai fields come only from Dialpad.
 */

export const MANUAL_CALL_STATUSES = ['answered', 'missed', 'voicemail', 'no_answer'] as const;

export interface ManualCallInput {
  direction: 'inbound' | 'outbound';
  durationSeconds: number;
  occurredAt: string;
  status?: (typeof MANUAL_CALL_STATUSES)[number];
  notes?: string;
  number?: string;
}

export const MANUAL_CALL_FIELDS: readonly (keyof ManualCallInput)[] = [
  'direction',
  'durationSeconds',
  'occurredAt',
  'status',
  'notes',
  'number',
];

/** Every spelling of a Dialpad-only field a client might send, in camelCase and snake_case. */
const AI_FIELDS = new Set([
  'aiSummary',
  'ai_summary',
  'recap',
  'transcript',
  'sentiment',
  'churnRisk',
  'churn_risk',
  'churnReasons',
  'churn_reasons',
  'themes',
  'resolved',
  'aiSources',
  'ai_sources',
  'aiOutcome',
  'ai_outcome',
  'aiPurposes',
  'ai_purposes',
  'aiActionItems',
  'ai_action_items',
]);

/**
 * Refuses Ai fields and unknown fields by name before schema validation, which would otherwise drop
 * unknown properties silently and leave the client believing they were stored.
 */
export function checkManualCallFields(body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const keys = Object.keys(body);
  const ai = keys.filter((k) => AI_FIELDS.has(k));
  const first = ai[0];
  if (first !== undefined) {
    throw ApiError.validation(
      first,
      `Ai fields are Dialpad-only: ${ai.join(', ')} cannot be set on a manually logged call (AI summary, transcript, sentiment, churn risk, themes and resolved come from Dialpad)`,
    );
  }
  const unknown = keys.find((k) => !(MANUAL_CALL_FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) {
    throw ApiError.validation(unknown, `is not a field of a manual call (fields: ${MANUAL_CALL_FIELDS.join(', ')})`);
  }
}

/** Allowance for a client clock running ahead of ours. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Stores the call (`source` 'manual'), its number normalised in the account's region, and matches
 * it at once. Returns the new call's id and how it was matched.
 */
export async function logManualCall(
  db: Knex,
  account: { id: string; defaultRegion: string },
  input: ManualCallInput,
  now = new Date(),
): Promise<{ callId: string; match: MatchResult }> {
  const status = input.status ?? 'answered';
  if (status === 'missed' && input.direction === 'outbound') {
    throw ApiError.validation(
      'status',
      "'missed' is for inbound calls; an outbound call nobody answered is 'no_answer'",
    );
  }
  if (status === 'no_answer' && input.direction === 'inbound') {
    throw ApiError.validation(
      'status',
      "'no_answer' is for outbound calls; an inbound call nobody answered is 'missed'",
    );
  }
  const startedAt = new Date(input.occurredAt);
  if (Number.isNaN(startedAt.getTime())) throw ApiError.validation('occurredAt', 'is not a date-time');
  if (startedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw ApiError.validation('occurredAt', 'is in the future; log a call once it has happened');
  }

  let externalNumber: string | null = null;
  const typed = input.number?.trim() ?? '';
  if (typed !== '') {
    const read = normalizePhoneNumber(typed, account.defaultRegion);
    if (!read.ok)
      throw ApiError.validation('number', `could not be read as a phone number (${read.reason}): ${read.message}`);
    externalNumber = read.e164;
  }

  // One transaction: a call that could not be matched is not left behind half-logged.
  return db.transaction(async (trx) => {
    const callId = await insertManualCall(trx, {
      accountId: account.id,
      direction: input.direction,
      status,
      externalNumber,
      startedAt,
      endedAt: new Date(startedAt.getTime() + input.durationSeconds * 1000),
      durationSeconds: input.durationSeconds,
      notes: input.notes?.trim() ? input.notes : null,
    });
    return { callId, match: await matchCallToRecord(trx, callId) };
  });
}
