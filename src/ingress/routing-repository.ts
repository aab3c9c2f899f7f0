import type { Knex } from 'knex';

/** The synced directory table of each kind of call target that belongs to an office. */
const DIRECTORY_TABLE: Record<string, string> = {
  user: 'dialpad_users',
  department: 'dialpad_departments',
  callcenter: 'dialpad_call_centers',
};

/** Whether a target of this type is found in the synced directory. */
export function isDirectoryTarget(type: string): boolean {
  return DIRECTORY_TABLE[type] !== undefined;
}

/** The office of a user, department or call centre, from the synced directory. */
export async function directoryOfficeOf(db: Knex, type: string, id: string): Promise<string | null> {
  const table = DIRECTORY_TABLE[type];
  if (!table) return null;
  const row = await db(table).where({ id }).first('office_id');
  return (row?.office_id as string | undefined) ?? null;
}
