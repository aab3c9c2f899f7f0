import { join, resolve } from 'node:path';

/** The project root (works from src/ under tsx and from dist/src/ when compiled). */
export const PROJECT_ROOT = resolve(__dirname, __dirname.includes(`${join('dist', 'src')}`) ? '../../..' : '../..');
/** Git-ignored local state: embedded Postgres data, Temporal's SQLite file, logs. */
export const DATA_DIR = join(PROJECT_ROOT, '.data');
