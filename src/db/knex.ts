import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations';

// int8 (bigint) columns hold Dialpad's epoch-ms timestamps and counters; all fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createKnex(databaseUrl: string, pool: { min?: number; max?: number } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl, application_name: 'navigator-dialpad' },
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

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Knex): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(undefined, true)) as [number, string[]];
  return rolledBack;
}
