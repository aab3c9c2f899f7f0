import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from '../../tools/dev/paths';

/** What the global setup started for this test run, shared with every jest worker through a file. */
export interface TestRunInfo {
  /** URL of a maintenance database on the test Postgres server (used to create per-test databases). */
  adminDatabaseUrl: string;
  /** A migrated database used as the template for fast per-test databases. */
  templateDatabase: string;
  temporalAddress: string;
  temporalNamespace: string;
}

/** Each jest run has its own directory, so concurrent runs on one machine never share state. */
export function runDir(pid: number = process.pid): string {
  return join(DATA_DIR, 'test', `run-${pid}`);
}

let cached: TestRunInfo | undefined;
export function readRunInfo(): TestRunInfo {
  const file = process.env.NAVIGATOR_TEST_RUN_INFO;
  if (!file) throw new Error('NAVIGATOR_TEST_RUN_INFO is not set: run the tests through jest (test/global-setup.ts)');
  cached ??= JSON.parse(readFileSync(file, 'utf8')) as TestRunInfo;
  return cached;
}
