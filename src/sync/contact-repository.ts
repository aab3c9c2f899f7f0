import type { Knex } from 'knex';
import type { MappedDialpadContact, SyncedPhone } from './contact-content';

/**
 * What the contact import reads and writes in Navigator's `contacts`, their `record_phone_numbers`
 * and `dialpad_contact_tombstones`. Every write of a page runs in the caller's transaction, the one
 * that also advances the import checkpoint.
 */

type Trx = Knex.Transaction;

/** Refreshes the planner's statistics of the tables a bulk import fills (see contact-import.ts). */
export async function analyzeContactTables(db: Knex): Promise<void> {
  await db.raw('analyze contacts, record_phone_numbers');
}

/** Linked contacts a complete pass did not see since it started: marked deleted in Dialpad. */
export async function markUnseenLinkedContactsDeleted(
  trx: Trx,
  accountId: string,
  passStartedAt: Date,
): Promise<number> {
  return trx('contacts')
    .where({ account_id: accountId })
    .whereNotNull('dialpad_contact_id')
    .whereNull('dialpad_deleted_at')
    .where((q) => q.whereNull('dialpad_synced_at').orWhere('dialpad_synced_at', '<', passStartedAt))
    .update({ dialpad_deleted_at: trx.fn.now() });
}

export interface LinkedContactRow {
  id: string;
  dialpad_contact_id: string;
  dialpad_remote_hash: string | null;
  dialpad_local_hash: string | null;
  dialpad_origin: 'dialpad' | 'navigator' | null;
  dialpad_deleted_at: Date | null;
}

/** The account's contacts linked to these Dialpad contacts. */
export async function findLinkedContacts(
  trx: Trx,
  accountId: string,
  dialpadIds: readonly string[],
): Promise<LinkedContactRow[]> {
  return trx('contacts')
    .where({ account_id: accountId })
    .whereIn('dialpad_contact_id', [...dialpadIds])
    .select(
      'id',
      'dialpad_contact_id',
      'dialpad_remote_hash',
      'dialpad_local_hash',
      'dialpad_origin',
      'dialpad_deleted_at',
    );
}

/** Seen in this pass (so not deleted), with Dialpad's current type and owner. */
export async function markLinkedContactsSeen(
  trx: Trx,
  rows: readonly { id: string; type: string | null; owner: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `update contacts c
        set dialpad_synced_at = now(), dialpad_deleted_at = null,
            dialpad_contact_type = v.type, dialpad_owner_id = v.owner
       from jsonb_to_recordset(?::jsonb) as v(id uuid, type text, owner text)
      where c.id = v.id`,
    [JSON.stringify(rows)],
  );
}

/** Dialpad's content is taken as seen while Navigator's stays (the push then sends it). */
export async function setRemoteHash(trx: Trx, contactId: string, remoteHash: string): Promise<void> {
  await trx('contacts').where({ id: contactId }).update({ dialpad_remote_hash: remoteHash });
}

/** Of these Dialpad contacts, those deleted in Navigator after they were linked. */
export async function tombstonedDialpadIds(
  trx: Trx,
  accountId: string,
  dialpadIds: readonly string[],
): Promise<string[]> {
  return trx('dialpad_contact_tombstones')
    .where({ account_id: accountId })
    .whereIn('dialpad_contact_id', [...dialpadIds])
    .pluck('dialpad_contact_id');
}

/** Contacts by id, in any account (a uid may name another account's contact). */
export async function contactsById(
  trx: Trx,
  ids: readonly string[],
): Promise<{ id: string; account_id: string; dialpad_contact_id: string | null }[]> {
  if (ids.length === 0) return [];
  return trx('contacts')
    .whereIn('id', [...ids])
    .select('id', 'account_id', 'dialpad_contact_id');
}

/** Unlinked contacts of the account holding any of these numbers, oldest first. */
export async function unlinkedContactsByPhone(
  trx: Trx,
  accountId: string,
  e164s: readonly string[],
): Promise<{ id: string; e164: string }[]> {
  const { rows } = await trx.raw<{ rows: { id: string; e164: string }[] }>(
    `select c.id, r.e164
       from record_phone_numbers r
       join contacts c on c.id = r.entity_id
      where r.account_id = ? and r.entity_type = 'contact' and r.e164 = any(?::text[])
        and c.account_id = ? and c.dialpad_contact_id is null
      order by c.created_at, c.id`,
    [accountId, [...e164s], accountId],
  );
  return rows;
}

/** Unlinked contacts of the account with any of these emails (trimmed, lower case), oldest first. */
export async function unlinkedContactsByEmail(
  trx: Trx,
  accountId: string,
  emails: readonly string[],
): Promise<{ id: string; email: string }[]> {
  const { rows } = await trx.raw<{ rows: { id: string; email: string }[] }>(
    `select c.id, lower(btrim(c.email)) as email
       from contacts c
      where c.account_id = ? and c.email is not null and lower(btrim(c.email)) = any(?::text[])
        and c.dialpad_contact_id is null
      order by c.created_at, c.id`,
    [accountId, [...emails]],
  );
  return rows;
}

/** The hash of each contact's content as it is now (`dialpad_contact_local_hash`). */
export async function localHashes(trx: Trx, ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await trx.raw<{ rows: { id: string; h: string }[] }>(
    'select id, dialpad_contact_local_hash(id) as h from contacts where id = any(?::uuid[])',
    [[...ids]],
  );
  return new Map(rows.map((r) => [r.id, r.h]));
}

/** Takes each contact's local hash as its content is now: nothing to push until it is edited. */
export async function refreshLocalHashes(trx: Trx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.raw('update contacts set dialpad_local_hash = dialpad_contact_local_hash(id) where id = any(?::uuid[])', [
    [...ids],
  ]);
}

const phoneRow = (p: SyncedPhone) => ({
  e164: p.e164,
  extension: p.extension,
  status: p.e164 ? 'ok' : 'unreadable',
  error: p.error,
});

/**
 * The mirror trigger has just (re)written the primary number as 'pending'; the number came from
 * Dialpad and was read already, so it is stored read, and matching sees it at once.
 */
export async function settlePrimaryPhones(
  trx: Trx,
  rows: readonly { contactId: string; phone: SyncedPhone }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `update record_phone_numbers r
        set e164 = v.e164, extension = v.extension, normalization_status = v.status,
            normalization_error = v.error, normalized_at = now(), updated_at = now()
       from jsonb_to_recordset(?::jsonb) as v(entity_id uuid, raw text, e164 text, extension text, status text, error text)
      where r.entity_type = 'contact' and r.entity_id = v.entity_id and r.is_primary
        and r.raw = v.raw and r.normalization_status = 'pending'`,
    [JSON.stringify(rows.map((r) => ({ entity_id: r.contactId, raw: r.phone.raw, ...phoneRow(r.phone) })))],
  );
}

/** Additional (non-primary) numbers, stored already read. */
export async function insertExtraPhones(
  trx: Trx,
  accountId: string,
  rows: readonly { contactId: string; phone: SyncedPhone }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx('record_phone_numbers').insert(
    rows.map(({ contactId, phone }) => {
      const p = phoneRow(phone);
      return {
        account_id: accountId,
        entity_type: 'contact',
        entity_id: contactId,
        is_primary: false,
        raw: phone.raw,
        e164: p.e164,
        extension: p.extension,
        normalization_status: p.status,
        normalization_error: p.error,
        normalized_at: trx.fn.now(),
      };
    }),
  );
}

export async function deleteExtraPhones(trx: Trx, contactId: string): Promise<void> {
  await trx('record_phone_numbers').where({ entity_type: 'contact', entity_id: contactId, is_primary: false }).delete();
}

/** New Navigator contacts made from Dialpad contacts (primary number in `phone`; the rest apart). */
export async function insertDialpadContacts(
  trx: Trx,
  accountId: string,
  items: readonly MappedDialpadContact[],
): Promise<{ id: string; dialpad_contact_id: string }[]> {
  return trx('contacts')
    .insert(
      items.map((m) => ({
        account_id: accountId,
        first_name: m.firstName,
        last_name: m.lastName,
        email: m.email,
        phone: m.phones[0]?.raw ?? null,
        dialpad_contact_id: m.dialpadId,
        dialpad_contact_type: m.type,
        dialpad_owner_id: m.ownerId,
        dialpad_origin: 'dialpad',
        dialpad_remote_hash: m.remoteHash,
        dialpad_synced_at: trx.fn.now(),
      })),
    )
    .returning(['id', 'dialpad_contact_id']);
}

export interface PhoneRowOnFile {
  raw: string;
  e164: string | null;
  is_primary: boolean;
}

export const phonesOnFile = (trx: Trx, contactId: string) =>
  trx('record_phone_numbers')
    .where({ entity_type: 'contact', entity_id: contactId })
    .select('raw', 'e164', 'is_primary') as Promise<PhoneRowOnFile[]>;

export interface ContactContentRow {
  account_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
}

export async function readContactContent(trx: Trx, contactId: string): Promise<ContactContentRow> {
  return trx('contacts').where({ id: contactId }).first('account_id', 'first_name', 'last_name', 'email', 'phone');
}

export async function contactAccountId(trx: Trx, contactId: string): Promise<string> {
  const contact: { account_id: string } = await trx('contacts').where({ id: contactId }).first('account_id');
  return contact.account_id;
}

/**
 * Links the contact to its Dialpad contact (`dialpad_origin` 'navigator': Navigator had it first),
 * writing `fill` (blanks filled from Dialpad); `touched` moves `updated_at`.
 */
export async function linkContactRow(
  trx: Trx,
  contactId: string,
  m: MappedDialpadContact,
  change: { fill: Record<string, unknown>; touched: boolean },
): Promise<void> {
  await trx('contacts')
    .where({ id: contactId })
    .update({
      ...change.fill,
      ...(change.touched ? { updated_at: trx.fn.now() } : {}),
      dialpad_contact_id: m.dialpadId,
      dialpad_contact_type: m.type,
      dialpad_owner_id: m.ownerId,
      dialpad_origin: 'navigator',
      dialpad_remote_hash: m.remoteHash,
      dialpad_synced_at: trx.fn.now(),
      dialpad_deleted_at: null,
      dialpad_push_error: null,
      dialpad_push_error_at: null,
    });
}

/** Dialpad's names and email, and `phone` as the primary number, become the contact's content. */
export async function writeDialpadContent(
  trx: Trx,
  contactId: string,
  m: MappedDialpadContact,
  phone: string | null,
): Promise<void> {
  await trx('contacts').where({ id: contactId }).update({
    first_name: m.firstName,
    last_name: m.lastName,
    email: m.email,
    phone,
    dialpad_remote_hash: m.remoteHash,
    dialpad_synced_at: trx.fn.now(),
    dialpad_deleted_at: null,
    updated_at: trx.fn.now(),
  });
}
