import type { Knex } from 'knex';
import type { DialpadClient } from '../dialpad/client';
import { isDialpadNotFound } from '../dialpad/errors';
import type { DialpadCallCenter, DialpadDepartment, DialpadOffice, DialpadUser } from '../dialpad/types';
import { fetchOfficeCallCentersPage, fetchOfficeDepartmentsPage, fetchUsersPage, type DialpadPage } from './pages';
import type { DirectorySyncResult, UpsertCounts } from '../../workflows/shared/types';
import { findAccount } from '../accounts/repository';

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
      await db('dialpad_offices')
        .where({ id: officeId, active: true })
        .update({ active: false, updated_at: db.fn.now() });
      return { ...r, status: 'skipped', reason: 'office_not_found' };
    }
    r.pagesRead++;
    add(r.offices, await upsertRows(db, OFFICES, [office]));
    cp.stage = 'departments';
    cp.cursor = null;
    save();
  }

  const stages: {
    stage: Exclude<DirectoryStage, 'office' | 'finish'>;
    next: DirectoryStage;
    fetch: (cursor: string | null) => Promise<DialpadPage<Record<string, unknown> & { id: string }>>;
    table: TableSpec;
    counts: UpsertCounts;
    keep?: (row: Record<string, unknown>) => boolean;
  }[] = [
    {
      stage: 'departments',
      next: 'callcenters',
      fetch: (cursor) => fetchOfficeDepartmentsPage(dialpad, officeId, { cursor, ...(signal ? { signal } : {}) }),
      table: DEPARTMENTS,
      counts: r.departments,
    },
    {
      stage: 'callcenters',
      next: 'users',
      fetch: (cursor) => fetchOfficeCallCentersPage(dialpad, officeId, { cursor, ...(signal ? { signal } : {}) }),
      table: CALL_CENTERS,
      counts: r.callCenters,
    },
    {
      stage: 'users',
      next: 'finish',
      fetch: (cursor) => fetchUsersPage(dialpad, { cursor, ...(signal ? { signal } : {}) }),
      table: USERS,
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
      add(s.counts, await upsertRows(db, s.table, rows));
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
    const gone = async (table: string) =>
      db(table)
        .where({ office_id: officeId, active: true })
        .where((q) => q.whereNull('synced_at').orWhere('synced_at', '<', cp.passStartedAt))
        .update({ active: false, updated_at: db.fn.now() });
    r.deactivated = {
      departments: await gone('dialpad_departments'),
      callCenters: await gone('dialpad_call_centers'),
      users: await gone('dialpad_users'),
    };
  }
  return r;
}

function add(into: UpsertCounts, from: UpsertCounts): void {
  into.created += from.created;
  into.updated += from.updated;
  into.unchanged += from.unchanged;
}

async function dbNow(db: Knex): Promise<string> {
  const { rows } = await db.raw<{ rows: { now: Date }[] }>('select now() as now');
  return (rows[0]?.now ?? new Date()).toISOString();
}

/** How one directory table maps Dialpad's object to columns (jsonb columns listed apart). */
interface TableSpec {
  table: string;
  columns: (item: Record<string, unknown>) => Record<string, unknown>;
  jsonColumns: readonly string[];
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const OFFICES: TableSpec = {
  table: 'dialpad_offices',
  columns: (o) => {
    const office = o as DialpadOffice;
    return {
      name: office.name ?? '',
      timezone: text(office.timezone),
      country: text(office.country),
      is_primary_office: office.is_primary_office ?? null,
      state: text(office.state),
      phone_numbers: list(office.phone_numbers),
    };
  },
  jsonColumns: ['phone_numbers'],
};

const groupColumns = (g: Record<string, unknown>) => {
  const group = g as DialpadDepartment | DialpadCallCenter;
  return {
    office_id: group.office_id,
    name: group.name ?? '',
    state: text(group.state),
    phone_numbers: list(group.phone_numbers),
  };
};

const DEPARTMENTS: TableSpec = { table: 'dialpad_departments', columns: groupColumns, jsonColumns: ['phone_numbers'] };
const CALL_CENTERS: TableSpec = {
  table: 'dialpad_call_centers',
  columns: groupColumns,
  jsonColumns: ['phone_numbers'],
};

const USERS: TableSpec = {
  table: 'dialpad_users',
  columns: (u) => {
    const user = u as DialpadUser;
    return {
      office_id: user.office_id ?? null,
      first_name: text(user.first_name),
      last_name: text(user.last_name),
      display_name: text(user.display_name),
      emails: list(user.emails),
      state: text(user.state),
      phone_numbers: list(user.phone_numbers),
    };
  },
  jsonColumns: ['emails', 'phone_numbers'],
};

/**
 * Upserts one page. `updated_at` moves only when a mapped column changed or the row comes back
 * from inactive, so a run that finds nothing new changes nothing but `synced_at` (and `raw`, which
 * also carries volatile fields such as availability).
 */
async function upsertRows(
  db: Knex,
  spec: TableSpec,
  items: readonly (Record<string, unknown> & { id: string })[],
): Promise<UpsertCounts> {
  const counts = emptyCounts();
  if (items.length === 0) return counts;
  const byId = new Map(items.map((i) => [i.id, i]));
  await db.transaction(async (trx) => {
    const existing = await trx(spec.table)
      .whereIn('id', [...byId.keys()])
      .select('*');
    const old = new Map(existing.map((row: Record<string, unknown>) => [row.id as string, row]));
    const changed: Record<string, unknown>[] = [];
    const unchanged: string[] = [];
    for (const [id, item] of byId) {
      const columns = spec.columns(item);
      const prev = old.get(id);
      const same =
        prev !== undefined &&
        prev.active === true &&
        Object.entries(columns).every(([k, v]) => JSON.stringify(prev[k] ?? null) === JSON.stringify(v ?? null));
      if (same) {
        unchanged.push(id);
        counts.unchanged++;
        continue;
      }
      if (prev) counts.updated++;
      else counts.created++;
      const row: Record<string, unknown> = { id, ...columns, raw: JSON.stringify(item), active: true };
      for (const k of spec.jsonColumns) row[k] = JSON.stringify(row[k]);
      changed.push(row);
    }
    if (changed.length > 0) {
      const now = trx.fn.now();
      await trx(spec.table)
        .insert(changed.map((row) => ({ ...row, synced_at: now, updated_at: now })))
        .onConflict('id')
        .merge();
    }
    if (unchanged.length > 0) {
      await trx.raw(
        `update ${spec.table} t set synced_at = now(), raw = v.raw
           from jsonb_to_recordset(?::jsonb) as v(id text, raw jsonb)
          where t.id = v.id`,
        [JSON.stringify(unchanged.map((id) => ({ id, raw: byId.get(id) })))],
      );
    }
  });
  return counts;
}
