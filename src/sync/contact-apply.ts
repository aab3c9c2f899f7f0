import type { Knex } from 'knex';
import type { DialpadContact } from '../dialpad/types';
import type { ContactImportCounts } from '../../workflows/shared/types';
import { mapDialpadContact, type MappedDialpadContact, type SyncedPhone } from './contact-content';
import {
  contactAccountId,
  contactsById,
  deleteExtraPhones,
  findLinkedContacts,
  insertDialpadContacts,
  insertExtraPhones,
  linkContactRow,
  localHashes,
  markLinkedContactsSeen,
  phonesOnFile,
  readContactContent,
  refreshLocalHashes,
  setRemoteHash,
  settlePrimaryPhones,
  tombstonedDialpadIds,
  unlinkedContactsByEmail,
  unlinkedContactsByPhone,
  writeDialpadContent,
} from './contact-repository';
import { emptyImportCounts } from './types';

/**
 * Applying one page of Dialpad contacts to Navigator (the rules are in contact-import.ts), inside
 * the transaction that also advances the import checkpoint.
 */

export interface PageResult {
  counts: ContactImportCounts;
  /** E.164 numbers that Navigator did not have on these contacts before (for retro-matching). */
  newNumbers: string[];
}

export async function applyContactPage(
  trx: Knex.Transaction,
  ctx: { accountId: string; defaultRegion: string },
  contacts: readonly DialpadContact[],
): Promise<PageResult> {
  const counts = emptyImportCounts();
  const newNumbers: string[] = [];
  const byId = new Map<string, MappedDialpadContact>();
  for (const c of contacts) byId.set(c.id, mapDialpadContact(c, ctx.defaultRegion));
  const mapped = [...byId.values()];
  if (mapped.length === 0) return { counts, newNumbers };

  const linked = await findLinkedContacts(
    trx,
    ctx.accountId,
    mapped.map((m) => m.dialpadId),
  );
  const linkedByDialpadId = new Map(linked.map((r) => [r.dialpad_contact_id, r]));

  // Seen in this pass (so not deleted), with Dialpad's current type and owner.
  await markLinkedContactsSeen(
    trx,
    linked.map((r) => {
      const m = byId.get(r.dialpad_contact_id)!;
      return { id: r.id, type: m.type, owner: m.ownerId };
    }),
  );

  const changed = linked.filter((r) => r.dialpad_remote_hash !== byId.get(r.dialpad_contact_id)!.remoteHash);
  for (const r of linked) {
    if (r.dialpad_deleted_at !== null) counts.restored++;
    else if (!changed.includes(r)) counts.unchanged++;
  }
  if (changed.length > 0) {
    const hashes = await localHashes(
      trx,
      changed.map((r) => r.id),
    );
    for (const r of changed) {
      const m = byId.get(r.dialpad_contact_id)!;
      const editedHere = hashes.get(r.id) !== r.dialpad_local_hash;
      if (!editedHere || r.dialpad_origin === 'dialpad') {
        newNumbers.push(...(await applyDialpadContent(trx, r.id, m)));
        if (editedHere) counts.conflicts++;
        else counts.updated++;
      } else {
        // Both sides edited it and Navigator created it: Navigator's content stays, and the push
        // sends it to Dialpad (this row's local hash still differs from its content).
        await setRemoteHash(trx, r.id, m.remoteHash);
        counts.conflicts++;
      }
    }
  }

  const notLinked = mapped.filter((m) => !linkedByDialpadId.has(m.dialpadId));
  if (notLinked.length === 0) return { counts, newNumbers };
  // Deleted in Navigator after they were linked: not brought back.
  const tombstoned = new Set<string>(
    await tombstonedDialpadIds(
      trx,
      ctx.accountId,
      notLinked.map((m) => m.dialpadId),
    ),
  );
  counts.skipped += tombstoned.size;
  const unlinked = notLinked.filter((m) => !tombstoned.has(m.dialpadId));
  if (unlinked.length === 0) return { counts, newNumbers };

  const claimed = new Set<string>();
  const toLink: { contactId: string; m: MappedDialpadContact }[] = [];
  const toCreate: MappedDialpadContact[] = [];
  const toMatch: MappedDialpadContact[] = [];

  // Contacts we pushed carry our contact id as uid: they belong to that contact.
  const uids = unlinked.map((m) => m.uid).filter((u): u is string => u !== null);
  const uidRows = await contactsById(trx, uids);
  const uidRow = new Map(uidRows.map((r) => [r.id, r]));
  for (const m of unlinked) {
    if (m.uid === null) {
      toMatch.push(m);
      continue;
    }
    const row = uidRow.get(m.uid);
    if (!row) {
      // Pushed from a Navigator contact that has since been deleted: not resurrected.
      counts.skipped++;
    } else if (row.account_id !== ctx.accountId) {
      // Pushed by another account linked to the same Dialpad company: a shared contact like any other.
      toMatch.push(m);
    } else if (row.dialpad_contact_id === null && !claimed.has(row.id)) {
      claimed.add(row.id);
      toLink.push({ contactId: row.id, m });
    } else {
      // Our contact is linked to another Dialpad contact already: importing this one would twin it.
      counts.skipped++;
    }
  }

  if (toMatch.length > 0) {
    const phones = [...new Set(toMatch.flatMap((m) => m.phones.map((p) => p.e164).filter((e): e is string => !!e)))];
    const emails = [...new Set(toMatch.map((m) => m.email).filter((e): e is string => e !== null))];
    const byPhone = new Map<string, string[]>();
    const byEmail = new Map<string, string[]>();
    if (phones.length > 0) {
      const rows = await unlinkedContactsByPhone(trx, ctx.accountId, phones);
      for (const r of rows) byPhone.set(r.e164, [...(byPhone.get(r.e164) ?? []), r.id]);
    }
    if (emails.length > 0) {
      const rows = await unlinkedContactsByEmail(trx, ctx.accountId, emails);
      for (const r of rows) byEmail.set(r.email, [...(byEmail.get(r.email) ?? []), r.id]);
    }
    for (const m of toMatch) {
      // A phone number identifies a person better than an email (shared inboxes); oldest first.
      const candidates = [
        ...m.phones.flatMap((p) => (p.e164 ? (byPhone.get(p.e164) ?? []) : [])),
        ...(m.email ? (byEmail.get(m.email) ?? []) : []),
      ];
      const match = candidates.find((id) => !claimed.has(id));
      if (match) {
        claimed.add(match);
        toLink.push({ contactId: match, m });
      } else {
        toCreate.push(m);
      }
    }
  }

  for (const { contactId, m } of toLink) {
    newNumbers.push(...(await linkContact(trx, contactId, m)));
    counts.linked++;
  }
  if (toCreate.length > 0) {
    newNumbers.push(...(await createContacts(trx, ctx.accountId, toCreate)));
    counts.created += toCreate.length;
  }
  return { counts, newNumbers: [...new Set(newNumbers)] };
}

async function createContacts(
  trx: Knex.Transaction,
  accountId: string,
  items: readonly MappedDialpadContact[],
): Promise<string[]> {
  const inserted = await insertDialpadContacts(trx, accountId, items);
  const idOf = new Map(inserted.map((r) => [r.dialpad_contact_id, r.id]));
  const primaries: { contactId: string; phone: SyncedPhone }[] = [];
  const extras: { contactId: string; phone: SyncedPhone }[] = [];
  for (const m of items) {
    const contactId = idOf.get(m.dialpadId)!;
    m.phones.forEach((phone, i) => (i === 0 ? primaries : extras).push({ contactId, phone }));
  }
  await settlePrimaryPhones(trx, primaries);
  await insertExtraPhones(trx, accountId, extras);
  await refreshLocalHashes(
    trx,
    inserted.map((r) => r.id),
  );
  return items.flatMap((m) => m.phones.map((p) => p.e164).filter((e): e is string => e !== null));
}

/**
 * Links an existing Navigator contact to its Dialpad contact without overwriting either: blanks in
 * Navigator are filled from Dialpad and Dialpad's numbers are added, nothing is replaced. The two
 * may keep differing; both hashes are taken as they are now, so neither side is pushed onto the
 * other until one of them is edited.
 */
async function linkContact(trx: Knex.Transaction, contactId: string, m: MappedDialpadContact): Promise<string[]> {
  const contact = await readContactContent(trx, contactId);
  const onFile = await phonesOnFile(trx, contactId);
  const known = new Set(onFile.flatMap((p) => [p.raw.trim(), ...(p.e164 ? [p.e164] : [])]));
  const missing = m.phones.filter((p) => !known.has(p.raw) && !(p.e164 && known.has(p.e164)));
  const blank = (v: string | null) => v === null || v.trim() === '';
  const fill: Record<string, unknown> = {};
  if (blank(contact.first_name) && m.firstName) fill.first_name = m.firstName;
  if (blank(contact.last_name) && m.lastName) fill.last_name = m.lastName;
  if (blank(contact.email) && m.email) fill.email = m.email;
  const newPrimary = blank(contact.phone) ? missing[0] : undefined;
  if (newPrimary) fill.phone = newPrimary.raw;
  const extras = missing.filter((p) => p !== newPrimary);

  await linkContactRow(trx, contactId, m, { fill, touched: Object.keys(fill).length > 0 || extras.length > 0 });
  if (newPrimary) await settlePrimaryPhones(trx, [{ contactId, phone: newPrimary }]);
  await insertExtraPhones(
    trx,
    contact.account_id,
    extras.map((phone) => ({ contactId, phone })),
  );
  await refreshLocalHashes(trx, [contactId]);
  return missing.map((p) => p.e164).filter((e): e is string => e !== null);
}

/**
 * Dialpad's edit becomes Navigator's content: names, email, and the numbers (the primary keeps the
 * way Navigator wrote it when it is the same number).
 */
async function applyDialpadContent(
  trx: Knex.Transaction,
  contactId: string,
  m: MappedDialpadContact,
): Promise<string[]> {
  const onFile = await phonesOnFile(trx, contactId);
  const before = new Set(onFile.map((p) => p.e164).filter((e): e is string => e !== null));
  const currentPrimary = onFile.find((p) => p.is_primary);
  const primary = m.phones[0];
  const keepRaw = primary && currentPrimary?.e164 && currentPrimary.e164 === primary.e164;
  const accountId = await contactAccountId(trx, contactId);
  await writeDialpadContent(trx, contactId, m, primary ? (keepRaw ? currentPrimary.raw : primary.raw) : null);
  if (primary && !keepRaw) await settlePrimaryPhones(trx, [{ contactId, phone: primary }]);
  await deleteExtraPhones(trx, contactId);
  await insertExtraPhones(
    trx,
    accountId,
    m.phones.slice(1).map((phone) => ({ contactId, phone })),
  );
  await refreshLocalHashes(trx, [contactId]);
  return m.phones.map((p) => p.e164).filter((e): e is string => e !== null && !before.has(e));
}
