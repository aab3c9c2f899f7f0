import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { createKnex } from '../../src/db/knex';
import { readRunInfo } from './run-info';

export interface TestDatabase {
  db: Knex;
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: readRunInfo().adminDatabaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database with every migration applied, cloned from the run's migrated template, so each
 * test file (or test) starts from an empty schema on the real Postgres server.
 */
export async function createTestDatabase(pool: { max?: number } = {}): Promise<TestDatabase> {
  const info = readRunInfo();
  const name = `navigator_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${name} template ${info.templateDatabase}`));
  const url = new URL(info.adminDatabaseUrl);
  url.pathname = `/${name}`;
  const db = createKnex(url.toString(), { max: pool.max ?? 10 });
  return {
    db,
    url: url.toString(),
    name,
    drop: async () => {
      await db.destroy();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** An empty database with no migrations, for migration tests. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const info = readRunInfo();
  const name = `navigator_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(info.adminDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
