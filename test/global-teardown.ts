import pg from 'pg';
import { rmSync } from 'node:fs';
import { readRunInfo, runDir } from './support/run-info';

export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__NAVIGATOR_TEST_SERVICES__;
  try {
    const info = readRunInfo();
    if (!services?.postgres) {
      // An external server: remove what this run created there.
      const admin = new pg.Client({ connectionString: info.adminDatabaseUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ datname: string }>(
          "select datname from pg_database where datname like 'navigator_test_%'",
        );
        for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
      } finally {
        await admin.end();
      }
    }
  } finally {
    await services?.temporal?.stop();
    await services?.postgres?.stop();
    rmSync(runDir(), { recursive: true, force: true });
  }
}
