import type { Knex } from 'knex';
import type { DialpadClient } from '../dialpad/client';
import { isDialpadNotFound } from '../dialpad/errors';
import type { DialpadOffice } from '../dialpad/types';
import { fetchOfficeCallCentersPage, fetchOfficeDepartmentsPage, fetchUsersPage, type DialpadPage } from './pages';
import type { DirectorySyncResult, UpsertCounts } from '../../workflows/shared/types';
import { findAccount } from '../accounts/repository';
import {
  DIRECTORY_TABLES,
  dbNow,
  deactivateOffice,
  deactivateUnseen,
  upsertDirectoryRows,
  type DirectoryTable,
} from './directory-repository';

/**
 * Directory sync: the linked office, its departments, call centres and users, upserted by Dialpad
 * id into dialpad_offices / dialpad_departments / dialpad_call_centers / dialpad_users. A row of
 * the office that a complete pass no longer finds is marked `active = false`, never deleted, so
 * old calls keep their names. Rows are shared by every account (Dialpad ids are global).
 *
 * Resumable: after each page the caller receives a checkpoint (stage, cursor, figures so far); a
 * retried run given that checkpoint continues from the next unread page. "Disappeared" is decided
 * only at the end of a complete pass, by `synced_at` older than the pass start, so an interrupted
 * pass never deactivates anything.
 */

export const DIRECTORY_STAGES = ['office', 'departments', 'callcenters', 'users', 'finish'] as const;
export type DirectoryStage = (typeof DIRECTORY_STAGES)[number];

export interface DirectoryCheckpoint {
  /** ISO time of the pass start, by the database clock. */
  passStartedAt: string;
  stage: DirectoryStage;
  /** Cursor of the next page of the current stage's list. */
  cursor: string | null;
  result: DirectorySyncResult;
}

export interface DirectorySyncDeps {
  db: Knex;
  dialpad: DialpadClient;
  signal?: AbortSignal;
  /** Called after each committed page with where a retry should resume. */
  onCheckpoint?: (checkpoint: DirectoryCheckpoint) => void;
}

const emptyCounts = (): UpsertCounts => ({ created: 0, updated: 0, unchanged: 0 });

function emptyResult(accountId: string, officeId: string | null): DirectorySyncResult {
  return {
    status: 'synced',
    accountId,
    officeId,
    offices: emptyCounts(),
    departments: emptyCounts(),
    callCenters: emptyCounts(),
    users: emptyCounts(),
    deactivated: { departments: 0, callCenters: 0, users: 0 },
    pagesRead: 0,
  };
}

export async function syncDirectory(
  deps: DirectorySyncDeps,
  input: { accountId: string; resumeFrom?: DirectoryCheckpoint | null },
): Promise<DirectorySyncResult> {
  const { db, dialpad, signal } = deps;
  const account = await findAccount(db, input.accountId);
  if (!account) return { ...emptyResult(input.accountId, null), status: 'skipped', reason: 'no_account' };
  const officeId = account.officeId;
  if (!officeId) return { ...emptyResult(input.accountId, null), status: 'skipped', reason: 'no_office' };

  // A checkpoint from another office (the link changed between attempts) is worthless.
  const resume = input.resumeFrom?.result.officeId === officeId ? input.resumeFrom : null;
  const cp: DirectoryCheckpoint = resume
    ? { ...resume, result: structuredClone(resume.result) }
    : { passStartedAt: await dbNow(db), stage: 'office', cursor: null, result: emptyResult(input.accountId, officeId) };
  const r = cp.result;
  const save = () => deps.onCheckpoint?.({ ...cp, result: structuredClone(r) });

  if (cp.stage === 'office') {
    let office: DialpadOffice;
    try {
      office = await dialpad.getOffice(officeId, signal ? { signal } : {});
    } catch (err) {
      if (!isDialpadNotFound(err)) throw err;
      // The office is gone from Dialpad (or was never in this company): keep its rows for old
      // calls, say so, and leave its departments and users alone rather than guess.
      await deactivateOffice(db, officeId);
      return { ...r, status: 'skipped', reason: 'office_not_found' };
    }
    r.pagesRead++;
    add(r.offices, await upsertDirectoryRows(db, DIRECTORY_TABLES.offices, [office]));
    cp.stage = 'departments';
    cp.cursor = null;
    save();
  }

  const stages: {
    stage: Exclude<DirectoryStage, 'office' | 'finish'>;
    next: DirectoryStage;
    fetch: (cursor: string | null) => Promise<DialpadPage<Record<string, unknown> & { id: string }>>;
    table: DirectoryTable;
    counts: UpsertCounts;
    keep?: (row: Record<string, unknown>) => boolean;
  }[] = [
    {
      stage: 'departments',
      next: 'callcenters',
      fetch: (cursor) => fetchOfficeDepartmentsPage(dialpad, officeId, { cursor, ...(signal ? { signal } : {}) }),
      table: DIRECTORY_TABLES.departments,
      counts: r.departments,
    },
    {
      stage: 'callcenters',
      next: 'users',
      fetch: (cursor) => fetchOfficeCallCentersPage(dialpad, officeId, { cursor, ...(signal ? { signal } : {}) }),
      table: DIRECTORY_TABLES.callCenters,
      counts: r.callCenters,
    },
    {
      stage: 'users',
      next: 'finish',
      fetch: (cursor) => fetchUsersPage(dialpad, { cursor, ...(signal ? { signal } : {}) }),
      table: DIRECTORY_TABLES.users,
      counts: r.users,
      // /users is company-wide: only this office's users belong to this sync.
      keep: (u) => u.office_id === officeId,
    },
  ];
  for (const s of stages) {
    if (cp.stage !== s.stage) continue;
    for (;;) {
      signal?.throwIfAborted();
      const page = await s.fetch(cp.cursor);
      r.pagesRead++;
      const items = s.keep ? page.items.filter(s.keep) : page.items;
      // Department and call-centre lists are per office; say so on rows even if Dialpad omits it.
      const rows = s.stage === 'users' ? items : items.map((i) => ({ ...i, office_id: i.office_id ?? officeId }));
      add(s.counts, await upsertDirectoryRows(db, s.table, rows));
      if (page.nextCursor === null) {
        cp.stage = s.next;
        cp.cursor = null;
      } else {
        cp.cursor = page.nextCursor;
      }
      save();
      if (cp.stage !== s.stage) break;
    }
  }

  if (cp.stage === 'finish') {
    const gone = (table: DirectoryTable) => deactivateUnseen(db, table, officeId, cp.passStartedAt);
    r.deactivated = {
      departments: await gone(DIRECTORY_TABLES.departments),
      callCenters: await gone(DIRECTORY_TABLES.callCenters),
      users: await gone(DIRECTORY_TABLES.users),
    };
  }
  return r;
}

function add(into: UpsertCounts, from: UpsertCounts): void {
  into.created += from.created;
  into.updated += from.updated;
  into.unchanged += from.unchanged;
}
