import type { Knex } from 'knex';
import type { DialpadCallCenter, DialpadDepartment, DialpadOffice, DialpadUser } from '../dialpad/types';
import type { UpsertCounts } from '../../workflows/shared/types';

/**
 * The directory tables (`dialpad_offices`, `dialpad_departments`, `dialpad_call_centers`,
 * `dialpad_users`): rows shared by every account, keyed by Dialpad id, and how Dialpad's objects map
 * to their columns.
 */

type Db = Knex | Knex.Transaction;

/** How one directory table maps Dialpad's object to columns (jsonb columns listed apart). */
export interface DirectoryTable {
  table: string;
  columns: (item: Record<string, unknown>) => Record<string, unknown>;
  jsonColumns: readonly string[];
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const OFFICES: DirectoryTable = {
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

const DEPARTMENTS: DirectoryTable = {
  table: 'dialpad_departments',
  columns: groupColumns,
  jsonColumns: ['phone_numbers'],
};
const CALL_CENTERS: DirectoryTable = {
  table: 'dialpad_call_centers',
  columns: groupColumns,
  jsonColumns: ['phone_numbers'],
};

const USERS: DirectoryTable = {
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

export const DIRECTORY_TABLES = {
  offices: OFFICES,
  departments: DEPARTMENTS,
  callCenters: CALL_CENTERS,
  users: USERS,
} as const;

/** The database clock (pass starts are compared with `synced_at`, which it writes). */
export async function dbNow(db: Knex): Promise<string> {
  const { rows } = await db.raw<{ rows: { now: Date }[] }>('select now() as now');
  return (rows[0]?.now ?? new Date()).toISOString();
}

/** When the office's row was last synced, if it ever was. */
export async function officeSyncedAt(db: Db, officeId: string): Promise<Date | null> {
  const office = await db('dialpad_offices').where({ id: officeId }).first('synced_at');
  return (office?.synced_at as Date | null | undefined) ?? null;
}

/** The office's active users, by id. */
export async function activeUserIdsOfOffice(db: Db, officeId: string): Promise<string[]> {
  return db('dialpad_users').where({ office_id: officeId, active: true }).orderBy('id').pluck('id');
}

/** The office is gone from Dialpad: its row stays for old calls, inactive. */
export async function deactivateOffice(db: Knex, officeId: string): Promise<void> {
  await db('dialpad_offices').where({ id: officeId, active: true }).update({ active: false, updated_at: db.fn.now() });
}

/** Deactivates the office's rows of `table` not synced since `since`; returns how many. */
export async function deactivateUnseen(
  db: Knex,
  spec: DirectoryTable,
  officeId: string,
  since: string,
): Promise<number> {
  return db(spec.table)
    .where({ office_id: officeId, active: true })
    .where((q) => q.whereNull('synced_at').orWhere('synced_at', '<', since))
    .update({ active: false, updated_at: db.fn.now() });
}

/**
 * Upserts one page. `updated_at` moves only when a mapped column changed or the row comes back
 * from inactive, so a run that finds nothing new changes nothing but `synced_at` (and `raw`, which
 * also carries volatile fields such as availability).
 */
export async function upsertDirectoryRows(
  db: Knex,
  spec: DirectoryTable,
  items: readonly (Record<string, unknown> & { id: string })[],
): Promise<UpsertCounts> {
  const counts: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };
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
