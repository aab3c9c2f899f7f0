import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../tools/lib/processes';
import pg from 'pg';
import { createKnex, migrateLatest } from '../src/db/knex';
import { DATA_DIR } from '../tools/dev/paths';
import { startLocalPostgres, type LocalPostgres } from '../tools/dev/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../tools/dev/temporal-server';
import { runDir, type TestRunInfo } from './support/run-info';

/**
 * Starts one real Postgres and one real Temporal dev server for the whole run, unless the
 * environment names existing ones (DATABASE_URL / TEMPORAL_ADDRESS), and migrates a template
 * database from which each test file clones its own.
 */
declare global {
  var __NAVIGATOR_TEST_SERVICES__: { postgres?: LocalPostgres; temporal?: TemporalDevServer } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  removeStaleRunDirs();
  const dir = runDir();
  mkdirSync(dir, { recursive: true });
  const services: { postgres?: LocalPostgres; temporal?: TemporalDevServer } = {};
  globalThis.__NAVIGATOR_TEST_SERVICES__ = services;

  let adminDatabaseUrl = process.env.DATABASE_URL;
  if (!adminDatabaseUrl) {
    const dataDir = join(dir, 'postgres');
    rmSync(dataDir, { recursive: true, force: true });
    services.postgres = await withPortRetry((port) => startLocalPostgres({ dataDir, port }));
    adminDatabaseUrl = services.postgres.url;
  }

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  const temporalNamespace = process.env.TEMPORAL_NAMESPACE || 'default';
  if (!temporalAddress) {
    services.temporal = await withPortRetry((port) =>
      startTemporalDevServer({
        port,
        namespace: temporalNamespace,
        logFile: join(dir, 'temporal.log'),
        log: () => undefined,
      }),
    );
    temporalAddress = services.temporal.address;
  }

  const templateDatabase = `navigator_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${templateDatabase} with (force)`);
    await admin.query(`create database ${templateDatabase}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(adminDatabaseUrl);
  templateUrl.pathname = `/${templateDatabase}`;
  const db = createKnex(templateUrl.toString(), { max: 1 });
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }

  const info: TestRunInfo = { adminDatabaseUrl, templateDatabase, temporalAddress, temporalNamespace };
  const infoFile = join(dir, 'run-info.json');
  writeFileSync(infoFile, JSON.stringify(info, null, 2));
  // Jest starts its workers after the global setup, so they inherit this.
  process.env.NAVIGATOR_TEST_RUN_INFO = infoFile;
  process.stderr.write(`\n[test] Postgres and Temporal ready in ${Date.now() - started} ms\n`);
}

export { freePort };

/** Directories of earlier runs whose process is gone (killed runs never reach the teardown). */
function removeStaleRunDirs(): void {
  const parent = join(DATA_DIR, 'test');
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    const m = /^run-(\d+)$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
}

/** A free port can be taken by another process before we bind it; try a few. */
async function withPortRetry<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}
