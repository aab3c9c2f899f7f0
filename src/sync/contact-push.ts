import type { Knex } from 'knex';
import { findAccount } from '../accounts/repository';
import type { DialpadClient } from '../dialpad/client';
import { DialpadApiError } from '../dialpad/errors';
import type { DialpadContact } from '../dialpad/types';
import { dialpadContentHash, pushBodyFor, type NavigatorContactContent } from './contact-content';
import {
  contactsToPush,
  countPending,
  countPushFailures,
  markGoneInDialpad,
  phonesToPush,
  readContactLinkState,
  readContactToPush,
  readPushOutcome,
  recordPushed,
  recordPushFailure,
} from './contact-push-repository';
import { savePushFigures } from './import-state-repository';
import { emptyPushCounts, type ContactPushCounts } from '../../workflows/shared/types';

/**
 * Navigator → Dialpad. A contact whose content (names, email, numbers) no longer matches the hash
 * taken at its last sync was edited in Navigator since, and is pushed:
 * - not linked yet: created with PUT /contacts and uid = the Navigator contact id, so a retry, a
 *   timeout whose answer was lost, or a racing run updates the same Dialpad contact instead of
 *   creating a twin;
 * - linked: PATCH /contacts/{id} with the synced fields (cheaper budget than PUT: 1200/min).
 *   Dialpad's PATCH replaces the lists it is given, so the contact is read first and the lists
 *   sent are ours (primary first) followed by the numbers and emails only Dialpad has: a second
 *   mobile or work email added in Dialpad survives our push (DialpadClient.updateContactKeepingLists).
 * After a push both hashes are taken from what was sent and what Dialpad answered, so the next
 * import sees no change on either side: nothing echoes back.
 *
 * A contact Dialpad cannot take (no first or last name, a number that is not E.164, a 4xx from
 * Dialpad) gets the reason in `dialpad_push_error`, and its local hash is taken as it is, so it is
 * tried again only after someone edits it. Transient failures (429, 5xx, network) propagate and
 * the activity retries; rows already pushed are recorded one by one, so nothing is pushed twice.
 */

export interface PushDeps {
  db: Knex;
  dialpad: DialpadClient;
  signal?: AbortSignal;
  /** After each contact, for heartbeats. */
  onProgress?: (counts: ContactPushCounts) => void;
}

export interface PushResult {
  counts: ContactPushCounts;
  /** Contacts not yet in Dialpad dealt with in this call (created or failed). */
  creates: number;
  /** Linked contacts dealt with in this call (updated, failed, or found gone). */
  updates: number;
  /** Left for later runs (the create budget is spread over runs). */
  pendingCreates: number;
  pendingUpdates: number;
}

export async function pushContacts(
  deps: PushDeps,
  input: { accountId: string; maxCreates: number; maxUpdates: number },
): Promise<PushResult> {
  const { db } = deps;
  const counts = emptyPushCounts();
  const processed = { create: 0, update: 0 };

  const batches: { kind: 'update' | 'create'; max: number }[] = [
    // Edits first: they are cheap, and a contact already in Dialpad should not wait behind a backlog.
    { kind: 'update', max: input.maxUpdates },
    { kind: 'create', max: input.maxCreates },
  ];
  for (const batch of batches) {
    if (batch.max <= 0) continue;
    for (const id of await contactsToPush(db, input.accountId, batch.kind, batch.max)) {
      deps.signal?.throwIfAborted();
      const done = await pushOne(deps, input.accountId, id, batch.kind);
      if (done) {
        counts[done]++;
        processed[batch.kind]++;
        deps.onProgress?.({ ...counts });
      }
    }
  }

  const pending = await countPending(db, input.accountId);
  const failed = await countPushFailures(db, input.accountId);
  await savePushFigures(db, input.accountId, {
    pendingCreates: pending.creates,
    pendingUpdates: pending.updates,
    failed,
  });
  return {
    counts,
    creates: processed.create,
    updates: processed.update,
    pendingCreates: pending.creates,
    pendingUpdates: pending.updates,
  };
}

/** Pushes one contact if it still needs it; returns what happened, or null if it no longer needed it. */
async function pushOne(
  deps: PushDeps,
  accountId: string,
  contactId: string,
  kind: 'create' | 'update',
): Promise<keyof ContactPushCounts | null> {
  const { db, dialpad } = deps;
  // Read afresh: an import or another run may have dealt with it since the candidates were listed.
  const row = await readContactToPush(db, accountId, contactId);
  if (!row || row.dialpad_deleted_at !== null || row.dialpad_local_hash === row.hash_now) return null;
  if ((kind === 'create') !== (row.dialpad_contact_id === null)) return null;

  const phones = await phonesToPush(db, contactId);
  if (phones.some((p) => p.status === 'pending')) return null;
  const content: NavigatorContactContent = {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phones,
  };
  const prepared = pushBodyFor(content);
  if (!prepared.ok) {
    await recordPushFailure(db, row, prepared.reason);
    return 'failed';
  }

  const signalOpt = deps.signal ? { signal: deps.signal } : {};
  let answer: DialpadContact;
  try {
    answer =
      kind === 'create'
        ? await dialpad.upsertContactByUid({ ...prepared.body, uid: row.id }, signalOpt)
        : // PATCH replaces the lists it is given: keep the numbers and emails only Dialpad has.
          await dialpad.updateContactKeepingLists(row.dialpad_contact_id!, prepared.body, signalOpt);
  } catch (err) {
    if (!(err instanceof DialpadApiError)) throw err;
    if (kind === 'update' && err.status === 404) {
      // Deleted in Dialpad: the Navigator contact stays, marked, and is no longer pushed.
      await markGoneInDialpad(db, row.id);
      return 'goneInDialpad';
    }
    await recordPushFailure(db, row, `dialpad_rejected: ${err.status} ${err.dialpadMessage}`);
    return 'failed';
  }

  const updated = await recordPushed(db, row.id, {
    dialpadContactId: answer.id,
    type: answer.type === 'local' ? 'local' : 'shared',
    ...(kind === 'create' ? { created: { ownerId: answer.owner_id ?? null } } : {}),
    remoteHash: dialpadContentHash(answer),
    localHash: row.hash_now,
  });
  return updated ? (kind === 'create' ? 'created' : 'updated') : null;
}

export type ContactPushBackOutcome =
  'created' | 'already_in_dialpad' | 'not_needed' | 'failed' | 'no_dialpad_office' | 'no_such_contact';

export interface ContactPushBackResult {
  outcome: ContactPushBackOutcome;
  /** The Dialpad contact id, when Dialpad knows the contact (now or before). */
  dialpadContactId: string | null;
  /** Why Dialpad could not take it (`dialpad_push_error`), when `failed`. */
  reason?: string;
}

/**
 * Contact push-back: a call just linked to this Navigator contact, so Dialpad should know it
 * before the next call and show its name. Creates it with create-with-uid (uid = the contact id),
 * the same idempotent request the contact sync uses, so a retry, a racing sync or a second call
 * never makes a twin; the client's Postgres budget keeps it within Dialpad's 100 creates/min.
 * A contact Dialpad already knows is left to the contact sync's updates; one deleted in Dialpad is
 * not brought back; an account without a Dialpad office has nowhere to push to.
 */
export async function pushContactBack(deps: PushDeps, contactId: string): Promise<ContactPushBackResult> {
  const { db } = deps;
  const row = await readContactLinkState(db, contactId);
  const account = row && (await findAccount(db, row.account_id));
  if (!row || !account) return { outcome: 'no_such_contact', dialpadContactId: null };
  if (row.dialpad_contact_id) return { outcome: 'already_in_dialpad', dialpadContactId: row.dialpad_contact_id };
  if (!account.officeId) return { outcome: 'no_dialpad_office', dialpadContactId: null };
  if (row.dialpad_deleted_at) return { outcome: 'not_needed', dialpadContactId: null };

  const done = await pushOne(deps, row.account_id, contactId, 'create');
  const after = await readPushOutcome(db, contactId);
  const dialpadContactId = after?.dialpad_contact_id ?? null;
  if (done === 'created') return { outcome: 'created', dialpadContactId };
  if (done === 'failed') {
    return {
      outcome: 'failed',
      dialpadContactId,
      ...(after?.dialpad_push_error ? { reason: after.dialpad_push_error } : {}),
    };
  }
  // Someone else pushed it meanwhile (a racing sync), or it was tried and refused before and has
  // not been edited since.
  return dialpadContactId
    ? { outcome: 'already_in_dialpad', dialpadContactId }
    : {
        outcome: after?.dialpad_push_error ? 'failed' : 'not_needed',
        dialpadContactId,
        ...(after?.dialpad_push_error ? { reason: after.dialpad_push_error } : {}),
      };
}
