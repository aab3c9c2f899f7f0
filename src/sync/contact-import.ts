import type { Knex } from 'knex';
import type { DialpadClient } from '../dialpad/client';
import { DialpadApiError, isDialpadNotFound } from '../dialpad/errors';
import type { DialpadContact } from '../dialpad/types';
import { retroMatchNumber } from '../matching';
import { mapDialpadContact, type MappedDialpadContact, type SyncedPhone } from './contact-content';
import { fetchContactsPage, type DialpadPage } from './pages';
import type { ContactImportCounts, ContactImportProgress } from '../../workflows/shared/types';
import { emptyImportCounts } from './types';

/**
 * Dialpad → Navigator. One import pass lists the company's shared contacts, then the local
 * contacts of each user of the office, page by page. Each page is applied and the checkpoint
 * (which list, the cursor of the next page) advanced in one transaction, so a pass interrupted at
 * any point resumes at the first page not yet applied, and no page is applied twice even when two
 * runs race (the checkpoint row is locked and compared before a page is applied).
 *
 * Per Dialpad contact: already linked → unchanged, or Dialpad's edit applied (or, if Navigator
 * edited it too, the origin side wins); not linked → linked to the Navigator contact we created it
 * from (the uid in its id), or to an unlinked Navigator contact with one of its phone numbers or
 * its email; otherwise a new Navigator contact (unless Navigator deleted it: a tombstone says so).
 * A complete pass then marks linked contacts it did not see as deleted in Dialpad
 * (`dialpad_deleted_at`); nothing is ever deleted here.
 */

const STATE = 'dialpad_contact_sync_state';

interface StateRow {
  account_id: string;
  office_id: string | null;
  pass_started_at: Date | null;
  owner_ids: string[];
  source_index: number;
  cursor: string | null;
  pages_done: number;
  counts: Partial<ContactImportCounts>;
}

export function importProgressOf(row: StateRow | undefined): ContactImportProgress {
  if (!row) {
    return { passStartedAt: null, sourcesTotal: 0, sourcesDone: 0, pagesDone: 0, counts: emptyImportCounts() };
  }
  const sourcesTotal = 1 + row.owner_ids.length;
  return {
    passStartedAt: row.pass_started_at?.toISOString() ?? null,
    sourcesTotal,
    sourcesDone: Math.min(row.source_index, sourcesTotal),
    pagesDone: row.pages_done,
    counts: { ...emptyImportCounts(), ...row.counts },
  };
}

export async function readImportState(db: Knex, accountId: string): Promise<StateRow | undefined> {
  return db(STATE).where({ account_id: accountId }).first();
}

/**
 * Continues the pass in progress for this office, or starts one: the owners of local contacts are
 * the office's active users at the start (the directory must have been synced).
 */
export async function startOrResumeImportPass(
  db: Knex,
  accountId: string,
  officeId: string,
): Promise<{ resumed: boolean; progress: ContactImportProgress }> {
  return db.transaction(async (trx) => {
    const row = (await trx(STATE).where({ account_id: accountId }).forUpdate().first()) as StateRow | undefined;
    if (row?.pass_started_at && row.office_id === officeId) return { resumed: true, progress: importProgressOf(row) };
    const owners = await trx('dialpad_users').where({ office_id: officeId, active: true }).orderBy('id').pluck('id');
    const fresh = {
      office_id: officeId,
      pass_started_at: trx.fn.now(),
      owner_ids: JSON.stringify(owners),
      source_index: 0,
      cursor: null,
      pages_done: 0,
      counts: JSON.stringify(emptyImportCounts()),
      updated_at: trx.fn.now(),
    };
    await trx(STATE)
      .insert({ account_id: accountId, ...fresh })
      .onConflict('account_id')
      .merge();
    const started = (await trx(STATE).where({ account_id: accountId }).first()) as StateRow;
    return { resumed: false, progress: importProgressOf(started) };
  });
}

export interface ImportContext {
  db: Knex;
  dialpad: DialpadClient;
  accountId: string;
  defaultRegion: string;
  signal?: AbortSignal;
  log?: { warn(obj: object, msg: string): void };
}

export interface ImportPagesResult {
  /** `done`: the pass has read every list; `more`: stopped at `maxPages`; `no_pass`: none in progress. */
  status: 'done' | 'more' | 'no_pass';
  /** Pages applied by this call. */
  pages: number;
  counts: ContactImportCounts;
  progress: ContactImportProgress;
}

type Fetched = { page: DialpadPage<DialpadContact> } | { cursorRefused: true };

/**
 * A first import writes tens of thousands of rows faster than autovacuum re-analyses the tables;
 * with statistics that still say "empty", the planner scans whole tables for each page's lookups
 * and the import slows quadratically. So the import refreshes them itself each time it has doubled
 * what it created (1,000, 2,000, 4,000, … rows: a handful of ANALYZE runs for 50,000 contacts).
 */
const FIRST_ANALYZE_AFTER = 1_000;

async function refreshStatistics(ctx: ImportContext): Promise<void> {
  try {
    await ctx.db.raw('analyze contacts, record_phone_numbers');
  } catch (err) {
    // Not the tables' owner: autovacuum will get there, only more slowly.
    ctx.log?.warn({ err: (err as Error).message }, 'could not analyze contacts after a bulk import');
  }
}

const passDone = (row: StateRow) => row.source_index >= 1 + row.owner_ids.length;
const positionKey = (row: StateRow) =>
  `${row.pass_started_at?.getTime() ?? ''}|${row.source_index}|${row.cursor ?? ''}`;

/** The page at the row's position: shared contacts first, then each owner's local contacts. */
async function fetchAt(ctx: ImportContext, row: StateRow): Promise<Fetched> {
  const ownerId = row.source_index === 0 ? null : (row.owner_ids[row.source_index - 1] ?? null);
  try {
    return {
      page: await fetchContactsPage(ctx.dialpad, {
        ownerId,
        cursor: row.cursor,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      }),
    };
  } catch (err) {
    // The user left Dialpad since the pass started: no local contacts to list.
    if (ownerId !== null && isDialpadNotFound(err)) return { page: { items: [], nextCursor: null } };
    // A stored cursor Dialpad no longer accepts (expired).
    if (row.cursor !== null && err instanceof DialpadApiError && err.status === 400) return { cursorRefused: true };
    throw err;
  }
}

/** Pages fetched ahead of the one being applied: the first pages of the next owners' lists. */
export const IMPORT_READ_AHEAD = 8;
/** Consecutive pages applied in one transaction, up to this many contacts (owner lists are short). */
const BATCH_CONTACTS = 200;

/**
 * Applies up to `maxPages` pages of the pass in progress. Pages are read ahead (the next page of
 * this list, and the first pages of the next owners' lists, whose positions are known in advance)
 * so the Dialpad budget, not round trips, sets the pace; consecutive pages are applied together,
 * with the checkpoint, in one transaction. Stopping anywhere loses at most the pages in flight.
 */
export async function importPages(
  ctx: ImportContext,
  options: { maxPages: number; onPage?: (progress: ContactImportProgress) => void },
): Promise<ImportPagesResult> {
  const { db, accountId } = ctx;
  const counts = emptyImportCounts();
  let pages = 0;
  let created = 0;
  let analyzeAt = FIRST_ANALYZE_AFTER;
  let row = await readImportState(db, accountId);
  const ahead = new Map<string, Promise<Fetched>>();
  const fetchAhead = (pos: StateRow): Promise<Fetched> => {
    const key = positionKey(pos);
    let fetched = ahead.get(key);
    if (!fetched) {
      fetched = fetchAt(ctx, pos);
      // Awaited when its turn comes, or dropped (the run stops, or another run moved on).
      fetched.catch(() => undefined);
      ahead.set(key, fetched);
    }
    return fetched;
  };
  // Owners' lists only (the shared list is long: its own next page is all worth fetching), and never
  // beyond `maxPages`: a page read ahead that this call will not apply would be read again.
  const readAheadFrom = (pos: StateRow, budget: number) => {
    if (pos.source_index === 0) return;
    const last = Math.min(1 + pos.owner_ids.length, pos.source_index + budget);
    for (let next = pos.source_index + 1; next < last && ahead.size < IMPORT_READ_AHEAD; next++) {
      void fetchAhead({ ...pos, source_index: next, cursor: null });
    }
  };

  for (;;) {
    if (!row?.pass_started_at) return { status: 'no_pass', pages, counts, progress: importProgressOf(row) };
    if (passDone(row)) return { status: 'done', pages, counts, progress: importProgressOf(row) };
    if (pages >= options.maxPages) return { status: 'more', pages, counts, progress: importProgressOf(row) };
    ctx.signal?.throwIfAborted();

    // Consecutive pages from the checkpoint on, as many as make a batch.
    const start: StateRow = row;
    const batch: DialpadPage<DialpadContact>[] = [];
    let pos: StateRow = start;
    let items = 0;
    let refused = false;
    while (!passDone(pos) && pages + batch.length < options.maxPages && items < BATCH_CONTACTS) {
      const pending = fetchAhead(pos);
      readAheadFrom(pos, options.maxPages - pages - batch.length);
      const fetched = await pending;
      if ('cursorRefused' in fetched) {
        refused = batch.length === 0;
        break; // apply what came before it first
      }
      ahead.delete(positionKey(pos));
      batch.push(fetched.page);
      items += fetched.page.items.length;
      pos = {
        ...pos,
        ...(fetched.page.nextCursor === null
          ? { source_index: pos.source_index + 1, cursor: null }
          : { cursor: fetched.page.nextCursor }),
      };
      if (!passDone(pos) && pages + batch.length < options.maxPages) void fetchAhead(pos);
    }
    if (refused) {
      // Dialpad no longer accepts the stored cursor (expired): this list starts over, which is
      // safe since applying a page is idempotent.
      ctx.log?.warn({ accountId, sourceIndex: start.source_index }, 'contact cursor refused; restarting this list');
      ahead.clear();
      await db(STATE)
        .where({ account_id: accountId, source_index: start.source_index, cursor: start.cursor })
        .update({ cursor: null, updated_at: db.fn.now() });
      row = await readImportState(db, accountId);
      continue;
    }

    const end = pos;
    const outcome = await db.transaction(async (trx) => {
      const locked = (await trx(STATE).where({ account_id: accountId }).forUpdate().first()) as StateRow | undefined;
      // Another run applied these pages first: take up from where it is now.
      if (!locked || positionKey(locked) !== positionKey(start)) return { moved: true as const, row: locked };
      const applied = await applyContactPage(
        trx,
        ctx,
        batch.flatMap((p) => p.items),
      );
      const total = addCounts({ ...emptyImportCounts(), ...locked.counts }, applied.counts);
      const done: StateRow = {
        ...locked,
        source_index: end.source_index,
        cursor: end.cursor,
        pages_done: locked.pages_done + batch.length,
        counts: total,
      };
      await trx(STATE)
        .where({ account_id: accountId })
        .update({
          source_index: done.source_index,
          cursor: done.cursor,
          pages_done: done.pages_done,
          counts: JSON.stringify(total),
          updated_at: trx.fn.now(),
        });
      return { moved: false as const, row: done, applied };
    });
    row = outcome.row;
    if (outcome.moved) {
      ahead.clear();
      continue;
    }
    pages += batch.length;
    for (const k of Object.keys(counts) as (keyof ContactImportCounts)[]) counts[k] += outcome.applied.counts[k];
    options.onPage?.(importProgressOf(row));
    created += outcome.applied.counts.created;
    if (created >= analyzeAt) {
      analyzeAt = created * 2;
      await refreshStatistics(ctx);
    }

    // Calls that came in before these numbers were on file can link now. Best effort: the pages
    // are committed, and the next pass does not revisit unchanged contacts.
    if (outcome.applied.newNumbers.length > 0) {
      try {
        await retroMatchNumber(db, accountId, outcome.applied.newNumbers, { normalizePending: false });
      } catch (err) {
        ctx.log?.warn({ accountId, err: (err as Error).message }, 'retro-matching imported contact numbers failed');
      }
    }
  }
}

/** Ends a complete pass: linked contacts it did not see are marked deleted in Dialpad. */
export async function finishImportPass(
  db: Knex,
  accountId: string,
): Promise<{ status: 'finished' | 'no_pass' | 'incomplete'; markedDeleted: number; progress: ContactImportProgress }> {
  return db.transaction(async (trx) => {
    const row = (await trx(STATE).where({ account_id: accountId }).forUpdate().first()) as StateRow | undefined;
    if (!row?.pass_started_at) return { status: 'no_pass', markedDeleted: 0, progress: importProgressOf(row) };
    if (row.source_index < 1 + row.owner_ids.length) {
      return { status: 'incomplete', markedDeleted: 0, progress: importProgressOf(row) };
    }
    const markedDeleted = await trx('contacts')
      .where({ account_id: accountId })
      .whereNotNull('dialpad_contact_id')
      .whereNull('dialpad_deleted_at')
      .where((q) => q.whereNull('dialpad_synced_at').orWhere('dialpad_synced_at', '<', row.pass_started_at as Date))
      .update({ dialpad_deleted_at: trx.fn.now() });
    await trx(STATE)
      .where({ account_id: accountId })
      .update({
        pass_started_at: null,
        last_pass_completed_at: trx.fn.now(),
        last_pass_counts: JSON.stringify({ ...emptyImportCounts(), ...row.counts }),
        last_pass_marked_deleted: markedDeleted,
        updated_at: trx.fn.now(),
      });
    return { status: 'finished', markedDeleted, progress: importProgressOf(row) };
  });
}

function addCounts(a: ContactImportCounts, b: ContactImportCounts): ContactImportCounts {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof ContactImportCounts)[]) out[k] = (a[k] ?? 0) + b[k];
  return out;
}

// ── Applying one page ──────────────────────────────────────────────────────────────────────────

interface LinkedRow {
  id: string;
  dialpad_contact_id: string;
  dialpad_remote_hash: string | null;
  dialpad_local_hash: string | null;
  dialpad_origin: 'dialpad' | 'navigator' | null;
  dialpad_deleted_at: Date | null;
}

interface PageResult {
  counts: ContactImportCounts;
  /** E.164 numbers that Navigator did not have on these contacts before (for retro-matching). */
  newNumbers: string[];
}

export async function applyContactPage(
  trx: Knex.Transaction,
  ctx: Pick<ImportContext, 'accountId' | 'defaultRegion'>,
  contacts: readonly DialpadContact[],
): Promise<PageResult> {
  const counts = emptyImportCounts();
  const newNumbers: string[] = [];
  const byId = new Map<string, MappedDialpadContact>();
  for (const c of contacts) byId.set(c.id, mapDialpadContact(c, ctx.defaultRegion));
  const mapped = [...byId.values()];
  if (mapped.length === 0) return { counts, newNumbers };

  const linked: LinkedRow[] = await trx('contacts')
    .where({ account_id: ctx.accountId })
    .whereIn(
      'dialpad_contact_id',
      mapped.map((m) => m.dialpadId),
    )
    .select(
      'id',
      'dialpad_contact_id',
      'dialpad_remote_hash',
      'dialpad_local_hash',
      'dialpad_origin',
      'dialpad_deleted_at',
    );
  const linkedByDialpadId = new Map(linked.map((r) => [r.dialpad_contact_id, r]));

  // Seen in this pass (so not deleted), with Dialpad's current type and owner.
  if (linked.length > 0) {
    await trx.raw(
      `update contacts c
          set dialpad_synced_at = now(), dialpad_deleted_at = null,
              dialpad_contact_type = v.type, dialpad_owner_id = v.owner
         from jsonb_to_recordset(?::jsonb) as v(id uuid, type text, owner text)
        where c.id = v.id`,
      [
        JSON.stringify(
          linked.map((r) => {
            const m = byId.get(r.dialpad_contact_id)!;
            return { id: r.id, type: m.type, owner: m.ownerId };
          }),
        ),
      ],
    );
  }

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
        await trx('contacts').where({ id: r.id }).update({ dialpad_remote_hash: m.remoteHash });
        counts.conflicts++;
      }
    }
  }

  const notLinked = mapped.filter((m) => !linkedByDialpadId.has(m.dialpadId));
  if (notLinked.length === 0) return { counts, newNumbers };
  // Deleted in Navigator after they were linked: not brought back.
  const tombstoned = new Set<string>(
    await trx('dialpad_contact_tombstones')
      .where({ account_id: ctx.accountId })
      .whereIn(
        'dialpad_contact_id',
        notLinked.map((m) => m.dialpadId),
      )
      .pluck('dialpad_contact_id'),
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
  const uidRows: { id: string; account_id: string; dialpad_contact_id: string | null }[] = uids.length
    ? await trx('contacts').whereIn('id', uids).select('id', 'account_id', 'dialpad_contact_id')
    : [];
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
      const { rows } = await trx.raw<{ rows: { id: string; e164: string }[] }>(
        `select c.id, r.e164
           from record_phone_numbers r
           join contacts c on c.id = r.entity_id
          where r.account_id = ? and r.entity_type = 'contact' and r.e164 = any(?::text[])
            and c.account_id = ? and c.dialpad_contact_id is null
          order by c.created_at, c.id`,
        [ctx.accountId, phones, ctx.accountId],
      );
      for (const r of rows) byPhone.set(r.e164, [...(byPhone.get(r.e164) ?? []), r.id]);
    }
    if (emails.length > 0) {
      const { rows } = await trx.raw<{ rows: { id: string; email: string }[] }>(
        `select c.id, lower(btrim(c.email)) as email
           from contacts c
          where c.account_id = ? and c.email is not null and lower(btrim(c.email)) = any(?::text[])
            and c.dialpad_contact_id is null
          order by c.created_at, c.id`,
        [ctx.accountId, emails],
      );
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

async function localHashes(trx: Knex.Transaction, ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await trx.raw<{ rows: { id: string; h: string }[] }>(
    'select id, dialpad_contact_local_hash(id) as h from contacts where id = any(?::uuid[])',
    [[...ids]],
  );
  return new Map(rows.map((r) => [r.id, r.h]));
}

async function refreshLocalHashes(trx: Knex.Transaction, ids: readonly string[]): Promise<void> {
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
async function settlePrimaryPhones(
  trx: Knex.Transaction,
  rows: { contactId: string; phone: SyncedPhone }[],
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

async function insertExtraPhones(
  trx: Knex.Transaction,
  accountId: string,
  rows: { contactId: string; phone: SyncedPhone }[],
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

async function createContacts(
  trx: Knex.Transaction,
  accountId: string,
  items: readonly MappedDialpadContact[],
): Promise<string[]> {
  const inserted: { id: string; dialpad_contact_id: string }[] = await trx('contacts')
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

interface PhoneRowOnFile {
  raw: string;
  e164: string | null;
  is_primary: boolean;
}

const phonesOnFile = (trx: Knex.Transaction, contactId: string) =>
  trx('record_phone_numbers')
    .where({ entity_type: 'contact', entity_id: contactId })
    .select('raw', 'e164', 'is_primary') as Promise<PhoneRowOnFile[]>;

/**
 * Links an existing Navigator contact to its Dialpad contact without overwriting either: blanks in
 * Navigator are filled from Dialpad and Dialpad's numbers are added, nothing is replaced. The two
 * may keep differing; both hashes are taken as they are now, so neither side is pushed onto the
 * other until one of them is edited.
 */
async function linkContact(trx: Knex.Transaction, contactId: string, m: MappedDialpadContact): Promise<string[]> {
  const contact: {
    account_id: string;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    phone: string | null;
  } = await trx('contacts').where({ id: contactId }).first('account_id', 'first_name', 'last_name', 'email', 'phone');
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

  await trx('contacts')
    .where({ id: contactId })
    .update({
      ...fill,
      ...(Object.keys(fill).length > 0 || extras.length > 0 ? { updated_at: trx.fn.now() } : {}),
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
  const contact: { account_id: string } = await trx('contacts').where({ id: contactId }).first('account_id');
  await trx('contacts')
    .where({ id: contactId })
    .update({
      first_name: m.firstName,
      last_name: m.lastName,
      email: m.email,
      phone: primary ? (keepRaw ? currentPrimary.raw : primary.raw) : null,
      dialpad_remote_hash: m.remoteHash,
      dialpad_synced_at: trx.fn.now(),
      dialpad_deleted_at: null,
      updated_at: trx.fn.now(),
    });
  if (primary && !keepRaw) await settlePrimaryPhones(trx, [{ contactId, phone: primary }]);
  await trx('record_phone_numbers').where({ entity_type: 'contact', entity_id: contactId, is_primary: false }).delete();
  await insertExtraPhones(
    trx,
    contact.account_id,
    m.phones.slice(1).map((phone) => ({ contactId, phone })),
  );
  await refreshLocalHashes(trx, [contactId]);
  return m.phones.map((p) => p.e164).filter((e): e is string => e !== null && !before.has(e));
}
