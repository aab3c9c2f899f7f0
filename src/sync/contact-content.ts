import { createHash } from 'node:crypto';
import type { DialpadContact, DialpadContactFields } from '../dialpad/types';
import { normalizePhoneNumber } from '../phone/normalize';

/**
 * The content that syncs between a Dialpad contact and a Navigator contact: first and last name,
 * the primary email, and the phone numbers (primary first). Everything else stays with its side
 * (src/sync/README.md has the table).
 */

export interface SyncedPhone {
  /** As Dialpad sent it (E.164 in practice). */
  raw: string;
  /** Read as matching reads Navigator's numbers; null when libphonenumber finds it invalid. */
  e164: string | null;
  extension: string | null;
  /** `<reason>: <message>` when unreadable, as in record_phone_numbers.normalization_error. */
  error: string | null;
}

export interface MappedDialpadContact {
  dialpadId: string;
  type: 'shared' | 'local' | null;
  ownerId: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** Primary first, duplicates removed. */
  phones: SyncedPhone[];
  /** The Dialpad contact's synced content as a hash: it moved iff the contact was edited in Dialpad. */
  remoteHash: string;
  /** For contacts we created with PUT /contacts: the Navigator contact id (our uid) in the Dialpad id. */
  uid: string | null;
}

const trimmed = (v: string | null | undefined): string | null => {
  const s = (v ?? '').trim();
  return s === '' ? null : s;
};

/** Dialpad builds the id of a contact created with a uid as `…_uid_<uid>` (API-NOTES §5). */
const UID_IN_ID = /_uid_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export function uidFromDialpadContactId(id: string): string | null {
  return UID_IN_ID.exec(id)?.[1]?.toLowerCase() ?? null;
}

/** Primary phone first (Dialpad's `primary_phone`, else the first of `phones`), each once. */
function orderedPhones(c: DialpadContact): string[] {
  const all = [c.primary_phone, ...(c.phones ?? [])].map((p) => trimmed(p)).filter((p): p is string => p !== null);
  return [...new Set(all)];
}

function primaryEmail(c: DialpadContact): string | null {
  const email = trimmed(c.primary_email) ?? trimmed((c.emails ?? []).find((e) => trimmed(e) !== null));
  return email?.toLowerCase() ?? null;
}

/**
 * Hash of what syncs, as Dialpad shows it. Only compared with earlier hashes of the same kind, so
 * it need not agree with the database's hash of the Navigator row.
 */
export function dialpadContentHash(c: DialpadContact): string {
  const content = [trimmed(c.first_name) ?? '', trimmed(c.last_name) ?? '', primaryEmail(c) ?? '', orderedPhones(c)];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

export function mapDialpadContact(c: DialpadContact, defaultRegion: string): MappedDialpadContact {
  const phones = orderedPhones(c).map((raw): SyncedPhone => {
    const n = normalizePhoneNumber(raw, defaultRegion);
    return n.ok
      ? { raw, e164: n.e164, extension: n.extension ?? null, error: null }
      : { raw, e164: null, extension: null, error: `${n.reason}: ${n.message}` };
  });
  // Two spellings of one number are one number here.
  const seen = new Set<string>();
  const unique = phones.filter((p) => {
    const key = p.e164 ?? `raw:${p.raw}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const type = c.type === 'shared' || c.type === 'local' ? c.type : null;
  return {
    dialpadId: c.id,
    type,
    ownerId: c.owner_id ?? null,
    firstName: trimmed(c.first_name),
    lastName: trimmed(c.last_name),
    email: primaryEmail(c),
    phones: unique,
    remoteHash: dialpadContentHash(c),
    uid: uidFromDialpadContactId(c.id),
  };
}

/** A Navigator contact as the push reads it. */
export interface NavigatorContactContent {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** Primary first. */
  phones: { raw: string; e164: string | null; status: string; error: string | null }[];
}

export type PushBody = DialpadContactFields;

/**
 * What Dialpad would be sent for this contact, or why it cannot be: Dialpad requires a first and a
 * last name, and E.164 phones. A number Navigator could not read is a reason not to push rather
 * than something to drop silently: the person fixing it sees the reason on the contact.
 */
export function pushBodyFor(c: NavigatorContactContent): { ok: true; body: PushBody } | { ok: false; reason: string } {
  const firstName = trimmed(c.firstName);
  const lastName = trimmed(c.lastName);
  if (!firstName || !lastName) {
    const missing = [!firstName ? 'first name' : null, !lastName ? 'last name' : null].filter(Boolean).join(' and ');
    return {
      ok: false,
      reason: `missing_name: Dialpad requires a first and a last name; this contact has no ${missing}`,
    };
  }
  const phones: string[] = [];
  for (const p of c.phones) {
    if (p.e164 === null) {
      return {
        ok: false,
        reason: `phone_not_e164: "${p.raw}" cannot be sent to Dialpad, which needs E.164 numbers${p.error ? ` (${p.error})` : ''}`,
      };
    }
    if (!phones.includes(p.e164)) phones.push(p.e164);
  }
  const email = trimmed(c.email);
  return {
    ok: true,
    body: {
      first_name: firstName,
      last_name: lastName,
      ...(phones.length > 0 ? { phones } : {}),
      ...(email ? { emails: [email] } : {}),
    },
  };
}
