import type { Knex } from 'knex';
import type pg from 'pg';
import { ENTITY_TYPES, type EntityType } from './types';

/**
 * Navigator's records as matching reads them: customers, contacts and suppliers, their numbers
 * (`record_phone_numbers`), and a person's pick among the records sharing a number
 * (`phone_match_choices`).
 */

/** A customer, contact or supplier as matching needs it. */
export interface NavigatorRecord {
  type: EntityType;
  id: string;
  accountId: string;
  name: string;
  /** For a contact: the customer it belongs to, whose history also shows its calls. */
  customerId: string | null;
}

const TABLE: Record<EntityType, string> = { customer: 'customers', contact: 'contacts', supplier: 'suppliers' };

const UNNAMED_CONTACT = 'Unnamed contact';

/**
 * The SQL expression naming a record of `type` whose row is aliased `alias`: a contact without a
 * name still shows something a person can read.
 */
export function recordNameSql(type: EntityType, alias: string): string {
  return type === 'contact'
    ? `coalesce(nullif(btrim(concat_ws(' ', ${alias}.first_name, ${alias}.last_name)), ''), ${alias}.email, '${UNNAMED_CONTACT}')`
    : `${alias}.name`;
}

export const RECORD_TABLES: Readonly<Record<EntityType, string>> = TABLE;

export async function findRecord(db: Knex, type: EntityType, id: string): Promise<NavigatorRecord | undefined> {
  const customerId = type === 'contact' ? 'r.customer_id' : 'null::uuid';
  const { rows } = await db.raw<{ rows: { account_id: string; name: string; customer_id: string | null }[] }>(
    `select r.account_id, ${recordNameSql(type, 'r')} as name, ${customerId} as customer_id
       from ${TABLE[type]} r where r.id = ?`,
    [id],
  );
  const row = rows[0];
  return row ? { type, id, accountId: row.account_id, name: row.name, customerId: row.customer_id } : undefined;
}

/** A record of the account holding a number, unranked (records.ts ranks them). */
export interface CandidateRow {
  type: EntityType;
  id: string;
  name: string;
  updated_at: Date;
  /** The number is the record's own `phone` rather than an additional number. */
  is_primary: boolean;
}

/**
 * Every record of the account holding `e164`.
 *
 * A number still 'pending' but with an E.164 reading was re-queued by
 * `requeuePhoneNumberNormalization`, which keeps the last reading so calls keep matching meanwhile;
 * an edited number has its reading cleared by the mirror trigger and so never matches stale.
 */
export async function findCandidateRows(db: Knex, accountId: string, e164: string): Promise<CandidateRow[]> {
  return queryPrepared<CandidateRow>(db, 'navigator_find_candidates_v1', FIND_CANDIDATES_SQL, [accountId, e164]);
}

const FIND_CANDIDATES_SQL = ENTITY_TYPES.map(
  (type) => `
      select '${type}' as type, r.id, ${recordNameSql(type, 'r')} as name, r.updated_at, bool_or(n.is_primary) as is_primary
        from record_phone_numbers n
        join ${TABLE[type]} r on r.id = n.entity_id and r.account_id = n.account_id
       where n.account_id = $1 and n.e164 = $2 and n.entity_type = '${type}'
         and n.normalization_status <> 'unreadable'
       group by r.id`,
).join(' union all ');

/**
 * Runs `text` as a named prepared statement on the connection knex would use (the transaction's,
 * inside one), so each connection plans it once: planning findCandidates' three joins costs more than
 * running them, and planned once the lookup costs little more than the bare indexed SELECT it wraps
 * (measured in tools/bench/README.md, "Fixes, before and after").
 */
async function queryPrepared<T>(db: Knex, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = db.client as {
    acquireConnection(): Promise<pg.ClientBase>;
    releaseConnection(connection: pg.ClientBase): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    return (await connection.query<T & pg.QueryResultRow>({ name, text, values })).rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

export interface RecordPhoneNumber {
  raw: string;
  label: string | null;
  isPrimary: boolean;
  e164: string | null;
  extension: string | null;
  status: 'pending' | 'ok' | 'unreadable';
  /** Why the number could not be read (`<reason>: <message>`). */
  error: string | null;
}

/** A record's numbers, primary first. */
export async function listRecordPhoneNumbers(
  db: Knex,
  input: { accountId: string; entityType: EntityType; entityId: string },
): Promise<RecordPhoneNumber[]> {
  const rows = await db('record_phone_numbers')
    .where({ account_id: input.accountId, entity_type: input.entityType, entity_id: input.entityId })
    .orderBy([{ column: 'is_primary', order: 'desc' }, { column: 'id' }])
    .select<
      {
        raw: string;
        label: string | null;
        is_primary: boolean;
        e164: string | null;
        extension: string | null;
        normalization_status: RecordPhoneNumber['status'];
        normalization_error: string | null;
      }[]
    >('raw', 'label', 'is_primary', 'e164', 'extension', 'normalization_status', 'normalization_error');
  return rows.map((r) => ({
    raw: r.raw,
    label: r.label,
    isPrimary: r.is_primary,
    e164: r.e164,
    extension: r.extension,
    status: r.normalization_status,
    error: r.normalization_error,
  }));
}

/** A person's pick among the records sharing a number (`phone_match_choices`). */
export interface PhoneMatchChoice {
  accountId: string;
  e164: string;
  entityType: EntityType;
  entityId: string;
}

export async function findPhoneMatchChoice(
  db: Knex,
  accountId: string,
  e164: string,
): Promise<PhoneMatchChoice | undefined> {
  const row = await db('phone_match_choices')
    .where({ account_id: accountId, e164 })
    .first<{ entity_type: EntityType; entity_id: string } | undefined>('entity_type', 'entity_id');
  return row ? { accountId, e164, entityType: row.entity_type, entityId: row.entity_id } : undefined;
}

export async function rememberPhoneMatchChoice(
  db: Knex,
  choice: PhoneMatchChoice & { chosenOnCallId: string; chosenBy: string | null },
): Promise<void> {
  await db('phone_match_choices')
    .insert({
      account_id: choice.accountId,
      e164: choice.e164,
      entity_type: choice.entityType,
      entity_id: choice.entityId,
      chosen_on_call_id: choice.chosenOnCallId,
      chosen_by: choice.chosenBy,
    })
    .onConflict(['account_id', 'e164'])
    .merge({
      entity_type: choice.entityType,
      entity_id: choice.entityId,
      chosen_on_call_id: choice.chosenOnCallId,
      chosen_by: choice.chosenBy,
      updated_at: db.fn.now(),
    });
}
