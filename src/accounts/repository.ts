import type { Knex } from 'knex';

/**
 * The `accounts` table: Navigator's accounts and the Dialpad office each is linked to. Every read
 * and write of the table goes through here (routes, CLI, activities, ops), given a `Knex` or a
 * transaction.
 */
export interface AccountRow {
  id: string;
  name: string;
  officeId: string | null;
  defaultRegion: string;
}

type Db = Knex | Knex.Transaction;

const COLUMNS = ['id', 'name', 'dialpad_office_id', 'default_region'] as const;

interface Stored {
  id: string;
  name: string;
  dialpad_office_id: string | null;
  default_region: string;
}

const toAccount = (r: Stored): AccountRow => ({
  id: r.id,
  name: r.name,
  officeId: r.dialpad_office_id,
  defaultRegion: r.default_region,
});

export async function findAccount(db: Db, accountId: string): Promise<AccountRow | undefined> {
  const row = await db('accounts')
    .where({ id: accountId })
    .first<Stored | undefined>(...COLUMNS);
  return row ? toAccount(row) : undefined;
}

/** The account linked to the office, if any (an office is linked to at most one account). */
export async function findAccountByOffice(db: Db, officeId: string): Promise<AccountRow | undefined> {
  const row = await db('accounts')
    .where({ dialpad_office_id: officeId })
    .first<Stored | undefined>(...COLUMNS);
  return row ? toAccount(row) : undefined;
}

/** The accounts linked to any of these offices. */
export async function findAccountsByOffices(db: Db, officeIds: readonly string[]): Promise<AccountRow[]> {
  if (officeIds.length === 0) return [];
  const rows: Stored[] = await db('accounts')
    .whereIn('dialpad_office_id', [...officeIds])
    .select(...COLUMNS);
  return rows.map(toAccount);
}

/** Every account, by name. */
export async function listAccountRows(db: Db): Promise<AccountRow[]> {
  const rows: Stored[] = await db('accounts')
    .orderBy('name')
    .select(...COLUMNS);
  return rows.map(toAccount);
}

/** The account's row locked until the transaction ends (office changes are serialised on it). */
export async function lockAccount(trx: Knex.Transaction, accountId: string): Promise<AccountRow | undefined> {
  const row = await trx('accounts')
    .where({ id: accountId })
    .forUpdate()
    .first<Stored | undefined>(...COLUMNS);
  return row ? toAccount(row) : undefined;
}

/** Another account holding the office, if any. */
export async function otherHolderOfOffice(
  db: Db,
  officeId: string,
  accountId: string,
): Promise<AccountRow | undefined> {
  const row = await db('accounts')
    .where({ dialpad_office_id: officeId })
    .whereNot({ id: accountId })
    .first<Stored | undefined>(...COLUMNS);
  return row ? toAccount(row) : undefined;
}

export async function updateAccountOffice(db: Db, accountId: string, officeId: string | null): Promise<void> {
  await db('accounts').where({ id: accountId }).update({ dialpad_office_id: officeId, updated_at: db.fn.now() });
}
