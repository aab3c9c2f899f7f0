import type { Knex } from 'knex';
import type pg from 'pg';
import { ENTITY_TYPES, type EntityType, type MatchCandidate } from './types';

/** A customer, contact or supplier as matching needs it. */
export interface NavigatorRecord {
  type: EntityType;
  id: string;
  accountId: string;
  name: string;
  /** For a contact: the customer it belongs to, whose history also shows its calls. */
  customerId: string | null;
}

/** A record holding a number, with what the tie-break rule needs. */
export interface RankedCandidate extends MatchCandidate {
  /** The number is the record's own `phone` rather than an additional number. */
  isPrimary: boolean;
  recordUpdatedAt: Date;
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

/**
 * Every record of the account holding `e164`, in matching order (see `rankCandidates`).
 *
 * A number still 'pending' but with an E.164 reading was re-queued by
 * `requeuePhoneNumberNormalization`, which keeps the last reading so calls keep matching meanwhile;
 * an edited number has its reading cleared by the mirror trigger and so never matches stale.
 */
export async function findCandidates(db: Knex, accountId: string, e164: string): Promise<RankedCandidate[]> {
  const rows = await queryPrepared<{
    type: EntityType;
    id: string;
    name: string;
    updated_at: Date;
    is_primary: boolean;
  }>(db, 'navigator_find_candidates_v1', FIND_CANDIDATES_SQL, [accountId, e164]);
  return rankCandidates(
    rows.map((r) => ({ type: r.type, id: r.id, name: r.name, isPrimary: r.is_primary, recordUpdatedAt: r.updated_at })),
  );
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

/**
 * The product's order, then a deterministic tie-break among records of the same kind: a record
 * whose own phone is the number before one holding it as an additional number, then the most
 * recently updated record (the one people are keeping current), then the lowest id.
 */
export function rankCandidates(candidates: readonly RankedCandidate[]): RankedCandidate[] {
  const kindRank = (t: EntityType) => ENTITY_TYPES.indexOf(t);
  return [...candidates].sort(
    (a, b) =>
      kindRank(a.type) - kindRank(b.type) ||
      Number(b.isPrimary) - Number(a.isPrimary) ||
      b.recordUpdatedAt.getTime() - a.recordUpdatedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
