import type { Knex } from 'knex';
import type { ContactImportCounts } from '../../workflows/shared/types';

/**
 * The `dialpad_contact_sync_state` table: one row per account, the checkpoint of its contact import
 * pass (which list, the cursor of its next page, the figures so far) and the last push's figures.
 * Functions take a `Knex` or the transaction the caller runs the pass step in.
 */
const STATE = 'dialpad_contact_sync_state';

type Db = Knex | Knex.Transaction;

export interface ImportStateRow {
  account_id: string;
  office_id: string | null;
  pass_started_at: Date | null;
  owner_ids: string[];
  source_index: number;
  cursor: string | null;
  pages_done: number;
  counts: Partial<ContactImportCounts>;
}

export async function readImportState(db: Db, accountId: string): Promise<ImportStateRow | undefined> {
  return db(STATE).where({ account_id: accountId }).first();
}

/** The account's row, locked until the transaction ends (pass steps are serialised on it). */
export async function lockImportState(trx: Knex.Transaction, accountId: string): Promise<ImportStateRow | undefined> {
  return (await trx(STATE).where({ account_id: accountId }).forUpdate().first()) as ImportStateRow | undefined;
}

/** A new pass for the office, from the first page of the shared list; returns the row as stored. */
export async function startImportState(
  trx: Knex.Transaction,
  input: { accountId: string; officeId: string; ownerIds: readonly string[]; counts: ContactImportCounts },
): Promise<ImportStateRow> {
  const fresh = {
    office_id: input.officeId,
    pass_started_at: trx.fn.now(),
    owner_ids: JSON.stringify(input.ownerIds),
    source_index: 0,
    cursor: null,
    pages_done: 0,
    counts: JSON.stringify(input.counts),
    updated_at: trx.fn.now(),
  };
  await trx(STATE)
    .insert({ account_id: input.accountId, ...fresh })
    .onConflict('account_id')
    .merge();
  return (await trx(STATE).where({ account_id: input.accountId }).first()) as ImportStateRow;
}

/** The list at `sourceIndex` starts over, if the checkpoint is still at `cursor` (no other run moved it). */
export async function restartImportList(
  db: Knex,
  accountId: string,
  at: { sourceIndex: number; cursor: string | null },
): Promise<void> {
  await db(STATE)
    .where({ account_id: accountId, source_index: at.sourceIndex, cursor: at.cursor })
    .update({ cursor: null, updated_at: db.fn.now() });
}

/** Advances the checkpoint past the pages just applied, with the pass's figures so far. */
export async function saveImportCheckpoint(
  trx: Knex.Transaction,
  accountId: string,
  at: { sourceIndex: number; cursor: string | null; pagesDone: number; counts: ContactImportCounts },
): Promise<void> {
  await trx(STATE)
    .where({ account_id: accountId })
    .update({
      source_index: at.sourceIndex,
      cursor: at.cursor,
      pages_done: at.pagesDone,
      counts: JSON.stringify(at.counts),
      updated_at: trx.fn.now(),
    });
}

/** Ends the pass: no pass in progress, and the last complete pass's figures. */
export async function closeImportPass(
  trx: Knex.Transaction,
  accountId: string,
  last: { counts: ContactImportCounts; markedDeleted: number },
): Promise<void> {
  await trx(STATE)
    .where({ account_id: accountId })
    .update({
      pass_started_at: null,
      last_pass_completed_at: trx.fn.now(),
      last_pass_counts: JSON.stringify(last.counts),
      last_pass_marked_deleted: last.markedDeleted,
      updated_at: trx.fn.now(),
    });
}

/** What the last push left: contacts still to create or update, and those Dialpad refused. */
export async function savePushFigures(
  db: Knex,
  accountId: string,
  figures: { pendingCreates: number; pendingUpdates: number; failed: number },
): Promise<void> {
  await db(STATE).where({ account_id: accountId }).update({
    last_push_at: db.fn.now(),
    push_pending_creates: figures.pendingCreates,
    push_pending_updates: figures.pendingUpdates,
    push_failed: figures.failed,
    updated_at: db.fn.now(),
  });
}
