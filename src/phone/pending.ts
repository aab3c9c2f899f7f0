import type { Knex } from 'knex';
import {
  anyPendingNumber,
  claimPendingNumbers,
  requeueNumbers,
  writeNormalized,
  type NormalizationOutcome,
} from './normalization-repository';
import { normalizePhoneNumber } from './normalize';

/**
 * Turns the raw numbers Navigator writes (mirrored into `record_phone_numbers` as 'pending' by the
 * `record_phone_numbers_mirror` trigger) into E.164 so calls can be matched by equality.
 *
 * Any number of workers may run this at once: each batch claims its rows with
 * `FOR UPDATE SKIP LOCKED` and writes them in the same short transaction, so no row is normalised
 * twice concurrently and no worker waits on another.
 */

export interface NormalizePendingOptions {
  /** Most rows handled by this call, across batches. Default 1000. */
  limit?: number;
  /** Rows claimed per transaction. Default 200. */
  batchSize?: number;
}

export interface NormalizePendingResult {
  /** Rows claimed. */
  processed: number;
  /** Rows written with an E.164 number. */
  ok: number;
  /** Rows written as 'unreadable' with the reason in `normalization_error`. */
  unreadable: number;
}

const DEFAULT_LIMIT = 1000;
const DEFAULT_BATCH_SIZE = 200;

export async function normalizePendingPhoneNumbers(
  db: Knex,
  opts: NormalizePendingOptions = {},
): Promise<NormalizePendingResult> {
  const limit = positiveInteger(opts.limit ?? DEFAULT_LIMIT, 'limit');
  const batchSize = positiveInteger(opts.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize');
  const total: NormalizePendingResult = { processed: 0, ok: 0, unreadable: 0 };
  // Usually nothing is pending (matching calls this before every call): one read on the partial
  // index then, instead of a transaction of three round trips (tools/bench/README.md, "Fixes, before and after").
  if (!(await anyPendingNumber(db))) return total;

  while (total.processed < limit) {
    const wanted = Math.min(batchSize, limit - total.processed);
    const batch = await db.transaction((trx) => normalizeBatch(trx, wanted));
    total.processed += batch.processed;
    total.ok += batch.ok;
    total.unreadable += batch.unreadable;
    if (batch.processed < wanted) break;
  }
  return total;
}

async function normalizeBatch(trx: Knex.Transaction, size: number): Promise<NormalizePendingResult> {
  const rows = await claimPendingNumbers(trx, size);
  if (rows.length === 0) return { processed: 0, ok: 0, unreadable: 0 };

  const outcomes: NormalizationOutcome[] = rows.map((row) => {
    const result = normalizePhoneNumber(row.raw, row.default_region);
    return result.ok
      ? {
          id: String(row.id),
          raw: row.raw,
          e164: result.e164,
          extension: result.extension ?? null,
          status: 'ok',
          error: null,
        }
      : {
          id: String(row.id),
          raw: row.raw,
          e164: null,
          extension: null,
          status: 'unreadable',
          error: `${result.reason}: ${result.message}`,
        };
  });

  const written = await writeNormalized(trx, outcomes);
  return {
    processed: rows.length,
    ok: written.filter((r) => r.normalization_status === 'ok').length,
    unreadable: written.filter((r) => r.normalization_status === 'unreadable').length,
  };
}

/**
 * Puts normalised rows back to 'pending', for when the reading of a number may have changed: an
 * account's `default_region` was corrected, or libphonenumber-js (its metadata) was upgraded and
 * numbers it used to reject may now be valid. The last E.164 reading is kept until the row is
 * normalised again so that calls keep matching meanwhile. Returns the number of rows re-queued.
 */
export async function requeuePhoneNumberNormalization(
  db: Knex,
  opts: { accountId?: string; onlyUnreadable?: boolean } = {},
): Promise<number> {
  const filter: { account_id?: string; normalization_status?: string } = {};
  if (opts.accountId !== undefined) filter.account_id = opts.accountId;
  if (opts.onlyUnreadable) filter.normalization_status = 'unreadable';
  return requeueNumbers(db, filter);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
