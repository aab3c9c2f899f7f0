import { certificatesIn, readPem } from '../temporal/security';
import { optionalString, postgresUrl, type VarsOf } from './fields';

/** Postgres: unset DATABASE_URL in dev means an embedded Postgres. */
export const databaseFields = {
  DATABASE_URL: postgresUrl,
  DATABASE_CA: optionalString,
};

/** DATABASE_CA: a path or the PEM text of the CA that signed Postgres's certificate. */
export function readDatabaseCa(v: VarsOf<typeof databaseFields>, problems: string[]): Buffer | undefined {
  if (!v.DATABASE_CA) return undefined;
  if (!v.DATABASE_URL) {
    problems.push('DATABASE_CA: only meaningful together with DATABASE_URL');
    return undefined;
  }
  const pem = readPem('DATABASE_CA', v.DATABASE_CA, problems);
  if (!pem || certificatesIn('DATABASE_CA', pem, problems).length === 0) return undefined;
  const mode = new URL(v.DATABASE_URL).searchParams.get('sslmode');
  if (mode === 'disable') problems.push('DATABASE_CA: DATABASE_URL has sslmode=disable, so the CA would never be used');
  return pem.text;
}
