import { getHeapStatistics } from 'node:v8';
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../../../src/config';
import { createKnex } from '../../../src/db/knex';
import { createLogger } from '../../../src/logger';
import { createDialpadClient, createWorkers } from '../../../src/worker';

/**
 * Experiment (not part of `npm run bench`): the worker exactly as src/worker.ts builds it, with its
 * sticky cache sized by MAX_CACHED_WORKFLOWS: a number, or `sdk-default` for what the Temporal SDK
 * would choose by itself (`(heap limit − 200 MB) × 600 / 1024 MB`, about 2,300 with a 4 GB heap).
 * Used by tools/bench/experiments/worker-memory.ts.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('production');
  const log = createLogger(config.logLevel, 'worker');
  const db = createKnex(config.databaseUrl!);
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  const wanted = process.env.MAX_CACHED_WORKFLOWS ?? 'sdk-default';
  const heapMb = getHeapStatistics().heap_size_limit / 1024 / 1024;
  const maxCachedWorkflows =
    wanted === 'sdk-default' ? Math.max(10, Math.floor((Math.max(heapMb - 200, 0) * 600) / 1024)) : Number(wanted);
  log.info({ maxCachedWorkflows }, 'worker cache size');
  const worker = await createWorkers({
    config,
    db,
    log,
    connection,
    dialpad: createDialpadClient(config, db, log),
    maxCachedWorkflows,
  });
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
  await db.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-cache failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
