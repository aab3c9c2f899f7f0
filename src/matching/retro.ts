import type { Knex } from 'knex';
import { normalizePendingPhoneNumbers, type NormalizePendingResult } from '../phone/pending';
import { CallNotFoundError, RecordNotFoundError } from './errors';
import { matchCallToRecord } from './match';
import { recentNumbersWithEligibleCalls, retroEligibleCalls } from './links-repository';
import { findRecord, listRecordPhoneNumbers, type RecordPhoneNumber } from './records-repository';
import type { EntityType } from './types';

export type { RecordPhoneNumber };

/**
 * Retro-matching: calls that came in before anyone had their number on file link themselves once
 * the number is added to a record.
 *
 * Which calls are looked at: not internal, not decided by a person (`link_method` 'manual'), and
 * either stand-alone or awaiting review (a new or removed number may settle the review). Calls
 * already linked automatically are left as they are: they were matched with what was known when
 * they happened, and a history should not rewrite itself because a number later moved
 * (links-repository.ts lists them).
 */

const BATCH_SIZE = 200;

export interface RetroMatchResult {
  /** Calls looked at. */
  examined: number;
  /** Stand-alone calls that now have a link. */
  linked: number;
  /** Of `linked`, those linked by rule to a shared number and awaiting review. */
  needsReview: number;
  /** Calls that awaited review and no longer do (a remembered pick, or the number is no longer shared). */
  resolved: number;
  /** Every call this run changed (linked, resolved, or with a changed candidate list). */
  changedCallIds: string[];
}

/**
 * Re-matches the account's eligible calls from `e164s` (E.164 numbers, as in
 * `record_phone_numbers.e164`). Each call is matched in its own short transaction. Idempotent.
 */
export async function retroMatchNumber(
  db: Knex,
  accountId: string,
  e164s: readonly string[],
  opts: { normalizePending?: boolean } = {},
): Promise<RetroMatchResult> {
  const result = emptyResult();
  const numbers = [...new Set(e164s)].filter((n) => n.length > 0);
  if (numbers.length === 0) return result;
  if (opts.normalizePending !== false) await normalizePendingPhoneNumbers(db);

  // Keyset over ids: a call that stays stand-alone is not picked up again by the next batch.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await retroEligibleCalls(db, { accountId, numbers, after, limit: BATCH_SIZE });
    for (const before of rows) {
      // `force`: the records changed, not the call, so what the call was last matched from says nothing.
      const matched = await matchCallToRecord(db, before.id, { normalizePending: false, force: true }).catch(
        (err: unknown) => {
          // Merged away by the leg fold since it was listed: nothing left to match.
          if (err instanceof CallNotFoundError) return undefined;
          throw err;
        },
      );
      result.examined++;
      if (!matched?.changed) continue;
      result.changedCallIds.push(before.id);
      if (before.linked_entity_id === null && matched.link !== null) {
        result.linked++;
        if (matched.needsReview) result.needsReview++;
      }
      if (before.needs_review && !matched.needsReview) result.resolved++;
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < BATCH_SIZE) break;
    after = last.id;
  }
  return result;
}

export interface RecordRetroMatchResult extends RetroMatchResult {
  /** The record's numbers as now normalised, so the editor can show an unreadable one. */
  numbers: RecordPhoneNumber[];
}

/**
 * A record's numbers, normalised now (pending ones are read first), so the editor can show an
 * unreadable one.
 *
 * @throws RecordNotFoundError when the record does not exist in `accountId`.
 */
export async function readRecordPhoneNumbers(
  db: Knex,
  input: { accountId: string; entityType: EntityType; entityId: string },
): Promise<RecordPhoneNumber[]> {
  const record = await findRecord(db, input.entityType, input.entityId);
  if (!record || record.accountId !== input.accountId) {
    throw new RecordNotFoundError(input.entityType, input.entityId, 'entityId');
  }
  await normalizePendingPhoneNumbers(db);
  return listRecordPhoneNumbers(db, input);
}

/**
 * What Navigator's edit of a record's numbers leads to (through retroMatchRecordWorkflow):
 * normalises them and retro-matches the calls from every readable one.
 *
 * @throws RecordNotFoundError when the record does not exist in `accountId`.
 */
export async function retroMatchRecord(
  db: Knex,
  input: { accountId: string; entityType: EntityType; entityId: string },
): Promise<RecordRetroMatchResult> {
  const numbers = await readRecordPhoneNumbers(db, input);
  const readable = numbers.filter((n) => n.status === 'ok' && n.e164 !== null).map((n) => n.e164!);
  const matched = await retroMatchNumber(db, input.accountId, readable, { normalizePending: false });
  return { ...matched, numbers };
}

export interface RetroMatchSweepOptions {
  /** How far back to look for newly normalised numbers. Default 60; overlap runs freely, they are idempotent. */
  sinceMinutes?: number;
}

export interface RetroMatchSweepResult extends RetroMatchResult {
  /** Pending numbers normalised by this sweep before matching. */
  normalized: NormalizePendingResult;
  /** Distinct (account, number) pairs normalised recently that had eligible calls. */
  numbers: number;
}

/**
 * The safety net behind the trigger endpoint: normalises pending numbers, then retro-matches the
 * eligible calls of every number normalised in the last `sinceMinutes`. Meant for a periodic
 * schedule at an interval shorter than the window.
 */
export async function retroMatchSweep(db: Knex, opts: RetroMatchSweepOptions = {}): Promise<RetroMatchSweepResult> {
  const sinceMinutes = opts.sinceMinutes ?? 60;
  if (!Number.isInteger(sinceMinutes) || sinceMinutes < 1) {
    throw new RangeError(`sinceMinutes must be a positive integer, got ${sinceMinutes}`);
  }
  const normalized = await normalizePendingPhoneNumbers(db);
  const rows = await recentNumbersWithEligibleCalls(db, sinceMinutes);
  const total: RetroMatchSweepResult = { ...emptyResult(), normalized, numbers: 0 };
  for (const row of rows) {
    total.numbers += row.numbers.length;
    const r = await retroMatchNumber(db, row.account_id, row.numbers, { normalizePending: false });
    total.examined += r.examined;
    total.linked += r.linked;
    total.needsReview += r.needsReview;
    total.resolved += r.resolved;
    total.changedCallIds.push(...r.changedCallIds);
  }
  return total;
}

function emptyResult(): RetroMatchResult {
  return { examined: 0, linked: 0, needsReview: 0, resolved: 0, changedCallIds: [] };
}
