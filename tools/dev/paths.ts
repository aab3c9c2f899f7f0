import { join, resolve } from 'node:path';

/** The project root (tools run from source, under tsx). */
export const PROJECT_ROOT = resolve(__dirname, '../..');
/** Git-ignored local state: embedded Postgres data, Temporal's SQLite file, logs. */
export const DATA_DIR = join(PROJECT_ROOT, '.data');
