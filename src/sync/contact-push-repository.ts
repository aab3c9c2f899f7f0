import type { Knex } from 'knex';
import type { NavigatorContactContent } from './contact-content';

/**
 * What the contact push (contact-push.ts) reads and writes in `contacts` and their
 * `record_phone_numbers`: which contacts need pushing, their content, and what the push did.
 */

/**
 * Contacts of the account edited in Navigator since their last sync (or never synced), not gone
 * from Dialpad, with every number read (a number still 'pending' waits for the normaliser).
 */
const candidatesSql = (linkFilter: string) => `
  select x.id
    from (select c.id, c.created_at, c.dialpad_local_hash, dialpad_contact_local_hash(c.id) as hash_now
            from contacts c
           where c.account_id = ? and c.dialpad_deleted_at is null and ${linkFilter}) x
   where x.dialpad_local_hash is distinct from x.hash_now
     and not exists (select 1 from record_phone_numbers r
                      where r.entity_type = 'contact' and r.entity_id = x.id and r.normalization_status = 'pending')
   order by x.created_at, x.id
   limit ?`;

const LINK_FILTER = {
  update: 'c.dialpad_contact_id is not null',
  create: 'c.dialpad_contact_id is null',
} as const;

/** Up to `max` contacts to push, oldest first: linked ones to update, or unlinked ones to create. */
export async function contactsToPush(
  db: Knex,
  accountId: string,
  kind: 'create' | 'update',
  max: number,
): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { id: string }[] }>(candidatesSql(LINK_FILTER[kind]), [accountId, max]);
  return rows.map((r) => r.id);
}

export async function countPending(db: Knex, accountId: string): Promise<{ creates: number; updates: number }> {
  const { rows } = await db.raw<{ rows: { creates: string; updates: string }[] }>(
    `select count(*) filter (where x.dialpad_contact_id is null) as creates,
            count(*) filter (where x.dialpad_contact_id is not null) as updates
       from (select c.id, c.dialpad_contact_id, c.dialpad_local_hash, dialpad_contact_local_hash(c.id) as hash_now
               from contacts c
              where c.account_id = ? and c.dialpad_deleted_at is null) x
      where x.dialpad_local_hash is distinct from x.hash_now`,
    [accountId],
  );
  return { creates: Number(rows[0]?.creates ?? 0), updates: Number(rows[0]?.updates ?? 0) };
}

/** Contacts of the account that Dialpad could not take (`dialpad_push_error`). */
export async function countPushFailures(db: Knex, accountId: string): Promise<number> {
  const failed = await db('contacts')
    .where({ account_id: accountId })
    .whereNotNull('dialpad_push_error')
    .count<{ count: string }[]>('* as count');
  return Number(failed[0]?.count ?? 0);
}

export interface ContactToPush {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  dialpad_contact_id: string | null;
  dialpad_local_hash: string | null;
  dialpad_deleted_at: Date | null;
  hash_now: string;
}

/** The contact as it is now, with the hash of its content (`hash_now`). */
export async function readContactToPush(
  db: Knex,
  accountId: string,
  contactId: string,
): Promise<ContactToPush | undefined> {
  const { rows } = await db.raw<{ rows: ContactToPush[] }>(
    `select id, first_name, last_name, email, dialpad_contact_id, dialpad_local_hash, dialpad_deleted_at,
            dialpad_contact_local_hash(id) as hash_now
       from contacts where id = ? and account_id = ?`,
    [contactId, accountId],
  );
  return rows[0];
}

/** The contact's numbers, primary first. */
export async function phonesToPush(db: Knex, contactId: string): Promise<NavigatorContactContent['phones']> {
  return db('record_phone_numbers')
    .where({ entity_type: 'contact', entity_id: contactId })
    .orderBy([
      { column: 'is_primary', order: 'desc' },
      { column: 'id', order: 'asc' },
    ])
    .select('raw', 'e164', 'normalization_status as status', 'normalization_error as error');
}

/** Deleted in Dialpad: the Navigator contact stays, marked, and is no longer pushed. */
export async function markGoneInDialpad(db: Knex, contactId: string): Promise<void> {
  await db('contacts').where({ id: contactId }).update({ dialpad_deleted_at: db.fn.now() });
}

/**
 * Records a push Dialpad took: the link (unless the contact is linked to another Dialpad contact by
 * now) and both hashes. Returns whether the row was written.
 */
export async function recordPushed(
  db: Knex,
  contactId: string,
  pushed: {
    dialpadContactId: string;
    type: 'local' | 'shared';
    /** Set on a create: the contact is Navigator's, owned in Dialpad by `ownerId`. */
    created?: { ownerId: string | null };
    remoteHash: string;
    localHash: string;
  },
): Promise<boolean> {
  const updated = await db('contacts')
    .where({ id: contactId })
    .where((q) => q.whereNull('dialpad_contact_id').orWhere('dialpad_contact_id', pushed.dialpadContactId))
    .update({
      dialpad_contact_id: pushed.dialpadContactId,
      dialpad_contact_type: pushed.type,
      ...(pushed.created ? { dialpad_origin: 'navigator', dialpad_owner_id: pushed.created.ownerId } : {}),
      dialpad_remote_hash: pushed.remoteHash,
      dialpad_local_hash: pushed.localHash,
      dialpad_synced_at: db.fn.now(),
      dialpad_push_error: null,
      dialpad_push_error_at: null,
    });
  return updated > 0;
}

/** Why Dialpad cannot take the contact; its hash is taken as it is, so it waits for an edit. */
export async function recordPushFailure(
  db: Knex,
  row: Pick<ContactToPush, 'id' | 'hash_now'>,
  reason: string,
): Promise<void> {
  await db('contacts').where({ id: row.id }).update({
    dialpad_push_error: reason,
    dialpad_push_error_at: db.fn.now(),
    dialpad_local_hash: row.hash_now,
  });
}

/** The contact's account and link state, for a push-back. */
export async function readContactLinkState(
  db: Knex,
  contactId: string,
): Promise<{ account_id: string; dialpad_contact_id: string | null; dialpad_deleted_at: Date | null } | undefined> {
  return db('contacts').where({ id: contactId }).first('account_id', 'dialpad_contact_id', 'dialpad_deleted_at');
}

/** The contact's Dialpad id and push error after a push. */
export async function readPushOutcome(
  db: Knex,
  contactId: string,
): Promise<{ dialpad_contact_id: string | null; dialpad_push_error: string | null } | undefined> {
  return db('contacts')
    .where({ id: contactId })
    .first<{ dialpad_contact_id: string | null; dialpad_push_error: string | null } | undefined>(
      'dialpad_contact_id',
      'dialpad_push_error',
    );
}
