import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import type { DialpadClient } from '../../src/dialpad/client';
import { connectWorkerToTemporal } from '../../src/temporal/native-connection';
import type { QueueWorkers } from '../../src/temporal/workers';
import { bundleWorkflows, createWorkers, type WorkerDeps } from '../../src/worker';
import { readRunInfo } from './run-info';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

/** Workflows bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A Config pointing at this run's Postgres database and Temporal server. */
export function testConfig(databaseUrl: string, overrides: NodeJS.ProcessEnv = {}): Config {
  const info = readRunInfo();
  return loadConfig(
    {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: info.temporalAddress,
      TEMPORAL_NAMESPACE: info.temporalNamespace,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue(),
      LOG_LEVEL: 'silent',
      ...overrides,
    },
    'dev',
  );
}

export async function temporalClient(): Promise<{ client: Client; connection: Connection }> {
  const info = readRunInfo();
  const connection = await Connection.connect({ address: info.temporalAddress });
  return { client: new Client({ connection, namespace: info.temporalNamespace }), connection };
}

export interface RunningWorker {
  /** The process's workers, one per task queue (all three unless `queues` said otherwise). */
  worker: QueueWorkers;
  stop(): Promise<void>;
}

/** Keeps the SDK's own logs out of test output (once per test file, before any worker). */
export function silenceTemporalRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
  runtimeInstalled = true;
}

/**
 * The real workers, as the worker process runs them, on this test's own task queues (the base from
 * `config` and its -dialpad and -sync), running until `stop()`. `queues` leaves some out.
 */
export async function startTestWorker(
  config: Config,
  db: Knex,
  dialpad?: DialpadClient,
  wrapActivities?: WorkerDeps['wrapActivities'],
  insightsModelOptions?: WorkerDeps['insightsModelOptions'],
  metrics?: WorkerDeps['metrics'],
  queues?: WorkerDeps['queues'],
): Promise<RunningWorker> {
  silenceTemporalRuntime();
  const connection = await connectWorkerToTemporal(config.temporal);
  const worker = await createWorkers({
    config,
    db,
    log: pino({ level: 'silent' }),
    connection,
    workflowBundle: await workflowBundle(),
    dialpad,
    wrapActivities,
    insightsModelOptions,
    metrics,
    queues,
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
