import type { Knex } from 'knex';
import { recordNameSql, type EntityType } from '../matching';

/**
 * Reads of Navigator's records (customers, contacts, suppliers) and their phone numbers for the
 * API. The matching's own reads and writes of these tables are in src/matching.
 */

export interface UnreadableNumber {
  entityType: EntityType;
  entityId: string;
  name: string;
  raw: string;
  label: string | null;
  error: string | null;
}

/** The account's phone numbers that could not be read as numbers, by record, and how many in all. */
export async function listUnreadableNumbers(
  db: Knex,
  accountId: string,
  limit: number,
): Promise<{ total: number; items: UnreadableNumber[] }> {
  const { rows } = await db.raw<{
    rows: {
      entity_type: EntityType;
      entity_id: string;
      name: string | null;
      raw: string;
      label: string | null;
      error: string | null;
      total: string;
    }[];
  }>(
    `select n.entity_type, n.entity_id, n.raw, n.label, n.normalization_error as error,
            case n.entity_type when 'customer' then ${recordNameSql('customer', 'cu')}
                              when 'contact' then ${recordNameSql('contact', 'co')}
                              else ${recordNameSql('supplier', 'su')} end as name,
            count(*) over () as total
       from record_phone_numbers n
       left join customers cu on n.entity_type = 'customer' and cu.id = n.entity_id
       left join contacts co on n.entity_type = 'contact' and co.id = n.entity_id
       left join suppliers su on n.entity_type = 'supplier' and su.id = n.entity_id
      where n.account_id = ? and n.normalization_status = 'unreadable'
      order by n.entity_type, n.entity_id, n.id
      limit ?`,
    [accountId, limit],
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    items: rows.map((r) => ({
      entityType: r.entity_type,
      entityId: r.entity_id,
      name: r.name ?? '',
      raw: r.raw,
      label: r.label,
      error: r.error,
    })),
  };
}

/** A contact Dialpad does not know yet (never pushed, not deleted there), with its account. */
export async function findContactNotInDialpad(db: Knex, contactId: string): Promise<{ accountId: string } | undefined> {
  const row = await db('contacts')
    .where('id', contactId)
    .whereNull('dialpad_contact_id')
    .whereNull('dialpad_deleted_at')
    .first<{ account_id: string } | undefined>('account_id');
  return row ? { accountId: row.account_id } : undefined;
}
