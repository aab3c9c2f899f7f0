import type { Knex } from 'knex';

/** The normalisation queue of `record_phone_numbers` (rows the mirror trigger sets 'pending'). */
export interface ClaimedNumber {
  id: string | number;
  raw: string;
  default_region: string;
}

/** What normalising a claimed row gave, to write back. */
export interface NormalizationOutcome {
  id: string;
  raw: string;
  e164: string | null;
  extension: string | null;
  status: 'ok' | 'unreadable';
  error: string | null;
}

/** Whether any row waits (one read on the partial index). */
export async function anyPendingNumber(db: Knex): Promise<boolean> {
  return Boolean(await db('record_phone_numbers').where({ normalization_status: 'pending' }).first('id'));
}

/** Claims up to `size` pending rows with their account's region, skipping rows another worker holds. */
export async function claimPendingNumbers(trx: Knex.Transaction, size: number): Promise<ClaimedNumber[]> {
  // Only the phone rows are locked: accounts are read, and locking them would serialise workers.
  const claimed = await trx.raw<{ rows: ClaimedNumber[] }>(
    `select r.id, r.raw, a.default_region
       from record_phone_numbers r
       join accounts a on a.id = r.account_id
      where r.normalization_status = 'pending'
      order by r.id
      limit ?
      for update of r skip locked`,
    [size],
  );
  return claimed.rows;
}

/** Writes the outcomes; returns the status of each row written. */
export async function writeNormalized(
  trx: Knex.Transaction,
  outcomes: NormalizationOutcome[],
): Promise<{ normalization_status: 'ok' | 'unreadable' }[]> {
  // The row lock already keeps the trigger from changing `raw` under us; the raw and status guards
  // keep this correct should claiming and writing ever be split, since a phone edit re-pends the row
  // with a new raw that this result does not describe.
  const written = await trx.raw<{ rows: { normalization_status: 'ok' | 'unreadable' }[] }>(
    `update record_phone_numbers r
        set e164 = v.e164,
            extension = v.extension,
            normalization_status = v.status,
            normalization_error = v.error,
            normalized_at = now(),
            updated_at = now()
       from jsonb_to_recordset(?::jsonb) as v(id bigint, raw text, e164 text, extension text, status text, error text)
      where r.id = v.id
        and r.raw = v.raw
        and r.normalization_status = 'pending'
      returning r.normalization_status`,
    [JSON.stringify(outcomes)],
  );
  return written.rows;
}

/** Sets the matching rows not pending back to 'pending'; returns how many. */
export async function requeueNumbers(
  db: Knex,
  filter: { account_id?: string; normalization_status?: string },
): Promise<number> {
  return db('record_phone_numbers')
    .where(filter)
    .whereNot('normalization_status', 'pending')
    .update({ normalization_status: 'pending', normalization_error: null, updated_at: db.fn.now() });
}
