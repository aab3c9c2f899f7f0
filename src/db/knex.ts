import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations';

// int8 (bigint) columns hold Dialpad's epoch-ms timestamps and counters; all fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface KnexOptions {
  min?: number;
  max?: number;
  /** PEM of the CA Postgres's certificate must chain to (DATABASE_CA). */
  ca?: Buffer;
}

export function createKnex(databaseUrl: string, options: KnexOptions = {}): Knex {
  const pool = options;
  return knexFactory({
    client: 'pg',
    connection: { ...pgConnection(databaseUrl, options.ca), application_name: 'navigator-dialpad' },
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    acquireConnectionTimeout: 10_000,
    migrations: { migrationSource, tableName: 'knex_migrations' },
    // Never let knex write a query's values into its error messages (they reach logs, dead letters
    // and Temporal's failure records; for a delivery that is the whole event). knex 3.3 with pg
    // reports placeholders either way; this keeps it so. pg's own error fields (`detail`) do carry
    // values: src/db/errors.ts's loggableError and dbErrorSummary are what is logged.
    compileSqlOnError: false,
    // knex's own logger prints with console.log; its errors reach callers as exceptions anyway.
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
  });
}

type PgSsl = false | (ConnectionOptions & { ca?: Buffer });

/**
 * The URL's TLS parameters read the way libpq reads them, so that a managed service's documented
 * URL works as written, and DATABASE_CA can be added to it:
 * - `sslmode=disable`: no TLS; `verify-full` (and `require`, `prefer`, as node-postgres treats them):
 *   TLS, certificate chain and host name checked; `verify-ca`: chain checked, not the host name;
 *   `no-verify`: TLS without any check (node-postgres's own mode, for a trusted network only);
 * - `sslrootcert`, `sslcert`, `sslkey`: file paths of the CA and of a client certificate pair;
 * - DATABASE_CA (a PEM) stands for `sslrootcert` and, without an `sslmode`, means `verify-full`.
 * node-postgres would let the URL's own TLS parameters override the `ssl` object given beside it,
 * so they are taken out of the URL and applied here.
 */
export function pgConnection(databaseUrl: string, ca?: Buffer): { connectionString: string; ssl?: PgSsl } {
  const url = new URL(databaseUrl);
  const params = url.searchParams;
  const mode = params.get('sslmode');
  const rootCert = params.get('sslrootcert');
  const cert = params.get('sslcert');
  const key = params.get('sslkey');
  if (!mode && !rootCert && !cert && !key && !ca && params.get('ssl') === null)
    return { connectionString: databaseUrl };
  for (const name of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl']) params.delete(name);
  const connectionString = url.toString();
  if (mode === 'disable') return { connectionString, ssl: false };
  const ssl: Exclude<PgSsl, false> = {};
  const rootCa = ca ?? (rootCert && rootCert !== 'system' ? readFileSync(rootCert) : undefined);
  if (rootCa) ssl.ca = rootCa;
  if (cert) ssl.cert = readFileSync(cert);
  if (key) ssl.key = readFileSync(key);
  if (mode === 'no-verify') ssl.rejectUnauthorized = false;
  if (mode === 'verify-ca') ssl.checkServerIdentity = () => undefined;
  return { connectionString, ssl };
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Knex): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(undefined, true)) as [number, string[]];
  return rolledBack;
}
