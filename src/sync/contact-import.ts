import type { Knex } from 'knex';
import type { DialpadClient } from '../dialpad/client';
import { DialpadApiError, isDialpadNotFound } from '../dialpad/errors';
import type { DialpadContact } from '../dialpad/types';
import { retroMatchNumber } from '../matching';
import { applyContactPage } from './contact-apply';
import { analyzeContactTables, markUnseenLinkedContactsDeleted } from './contact-repository';
import { activeUserIdsOfOffice } from './directory-repository';
import {
  closeImportPass,
  lockImportState,
  readImportState,
  restartImportList,
  saveImportCheckpoint,
  startImportState,
  type ImportStateRow as StateRow,
} from './import-state-repository';
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
    const row = await lockImportState(trx, accountId);
    if (row?.pass_started_at && row.office_id === officeId) return { resumed: true, progress: importProgressOf(row) };
    const ownerIds = await activeUserIdsOfOffice(trx, officeId);
    const started = await startImportState(trx, { accountId, officeId, ownerIds, counts: emptyImportCounts() });
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
    await analyzeContactTables(ctx.db);
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
      await restartImportList(db, accountId, { sourceIndex: start.source_index, cursor: start.cursor });
      row = await readImportState(db, accountId);
      continue;
    }

    const end = pos;
    const outcome = await db.transaction(async (trx) => {
      const locked = await lockImportState(trx, accountId);
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
      await saveImportCheckpoint(trx, accountId, {
        sourceIndex: done.source_index,
        cursor: done.cursor,
        pagesDone: done.pages_done,
        counts: total,
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
    const row = await lockImportState(trx, accountId);
    if (!row?.pass_started_at) return { status: 'no_pass', markedDeleted: 0, progress: importProgressOf(row) };
    if (row.source_index < 1 + row.owner_ids.length) {
      return { status: 'incomplete', markedDeleted: 0, progress: importProgressOf(row) };
    }
    const markedDeleted = await markUnseenLinkedContactsDeleted(trx, accountId, row.pass_started_at);
    await closeImportPass(trx, accountId, { counts: { ...emptyImportCounts(), ...row.counts }, markedDeleted });
    return { status: 'finished', markedDeleted, progress: importProgressOf(row) };
  });
}

function addCounts(a: ContactImportCounts, b: ContactImportCounts): ContactImportCounts {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof ContactImportCounts)[]) out[k] = (a[k] ?? 0) + b[k];
  return out;
}
