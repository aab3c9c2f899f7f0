import { type NativeConnection, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities, type ActivityDeps } from '../activities';
import { QUEUE_ROLES, taskQueuesOf, type QueueRole } from '../workflows/shared/task-queues';
import { loadConfigOrExit, type Config } from './config';
import { DEFAULT_WORKER_SLOTS } from './config/process';
import { createKnex } from './db/knex';
import { DialpadClient } from './dialpad/client';
import { PostgresRateLimiter } from './dialpad/pg-rate-limiter';
import { createLogger, type Logger } from './logger';
import {
  CALL_RUN_SWEEP_SCHEDULE_ID,
  ensureCallRunSweepSchedule,
  ensureRetroMatchSweepSchedule,
  RETRO_MATCH_SWEEP_SCHEDULE_ID,
  retargetSyncSchedules,
} from './schedules';
import { startMetricsServer } from './metrics-server';
import { createWorkerMetrics, type WorkerMetrics } from './telemetry/metrics';
import { createTemporalClient, TemporalConfigError } from './temporal/connection';
import { deploymentStanding, setCurrentCommand } from './temporal/deployment';
import { connectWorkerToTemporal } from './temporal/native-connection';
import { installTemporalRuntime } from './temporal/runtime';
import { createQueueWorkers, poolSizes, type QueueWorkers } from './temporal/workers';
import { tracingFromConfig, WORKFLOW_TRACING_INTERCEPTORS, type Tracing } from './telemetry/tracing';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Bundles the workflow code once; tests and the dev runner reuse the bundle across workers. A
 * worker with tracing needs a bundle made with `tracing`: the workflow interceptors that make the
 * workflow's spans are compiled into it.
 */
export function bundleWorkflows(opts: { tracing?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: silentBundlerLogger,
    ...(opts.tracing ? { workflowInterceptorModules: [WORKFLOW_TRACING_INTERCEPTORS] } : {}),
  });
}

const noop = () => undefined;
const silentBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

export interface WorkerDeps {
  /**
   * `insightsLlm`: the optional language model for call insights (absent or null: the rules only).
   * `worker`: the slots of each queue's worker (absent: DEFAULT_WORKER_SLOTS).
   */
  config: Pick<Config, 'temporal'> & Partial<Pick<Config, 'insightsLlm' | 'worker'>>;
  /** Postgres for every queue's activities, unless `queueDbs` gives a queue its own. */
  db: Knex;
  /**
   * A queue's own pool and Dialpad client (the process gives the Dialpad and sync queues theirs,
   * so that their work cannot take the live calls' connections); tests share `db`.
   */
  queueDbs?: Partial<Record<QueueRole, { db: Knex; dialpad?: DialpadClient | undefined }>>;
  log: Logger;
  connection: NativeConnection;
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Dialpad's API (or the simulator); without it, Ai fetches are skipped as not configured. */
  dialpad?: DialpadClient | undefined;
  /** Size of the calls worker's sticky workflow cache (default WORKER_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number | undefined;
  /**
   * Wraps each queue's worker's activities (tests hold one open to stretch a window, or see which
   * worker ran it); the product passes none.
   */
  wrapActivities?: ((activities: Activities, queue: QueueRole) => Activities) | undefined;
  /**
   * With tracing on: activity and workflow interceptors and the workflow span sink. A given
   * `workflowBundle` must then come from `bundleWorkflows({ tracing: true })`.
   */
  tracing?: Tracing | undefined;
  /** Where the activities' metrics go (e2e latency); none, none observed. */
  metrics?: WorkerMetrics | undefined;
  /** Tests shorten the insights model's timeout; the product passes none. */
  insightsModelOptions?: ActivityDeps['insightsModelOptions'];
  /**
   * The queues that get a worker (default all three, as the product runs): tests leave one out to
   * see the live calls go on without it.
   */
  queues?: readonly QueueRole[];
}

type Activities = ReturnType<typeof createActivities>;

/**
 * How many workflows the worker keeps in memory between their tasks. The SDK's default is sized
 * from the heap limit (about 2,300 with Node's 4 GB heap), and call workflows stay open for the Ai
 * wait window (15 minutes) after their leg ends, so under a steady call rate the worker's memory
 * grows for as long as that cache is filling. A workflow evicted from the cache is replayed from its
 * short history when its next signal or timer comes (a few ms); a leg's webhooks arrive within
 * seconds of each other, so those hit the cache, and the Ai events and the end of the wait window,
 * minutes later, are the replays. Bounded here, the worker's memory stays flat; the measurements
 * before and after are in tools/bench/README.md ("Fixes, before and after").
 */
export const WORKER_MAX_CACHED_WORKFLOWS = 500;

/**
 * The Dialpad client every worker uses: its request budget lives in Postgres, so all processes of
 * the company share Dialpad's 20 requests/s and per-endpoint limits.
 */
export function createDialpadClient(
  config: Pick<Config, 'dialpad'>,
  db: Knex,
  log: Logger,
  metrics?: Pick<WorkerMetrics, 'observeDialpadAttempt'>,
): DialpadClient | undefined {
  if (!config.dialpad.apiKey) return undefined;
  return new DialpadClient({
    apiKey: config.dialpad.apiKey,
    baseUrl: config.dialpad.apiBaseUrl,
    rateLimiter: new PostgresRateLimiter(db),
    logger: log,
    ...(metrics ? { onAttempt: metrics.observeDialpadAttempt } : {}),
  });
}

/**
 * Builds the process's Temporal workers, one per task queue (src/temporal/workers.ts), each with
 * the real activities on its queue's pool (the composition root).
 */
export async function createWorkers(deps: WorkerDeps): Promise<QueueWorkers> {
  const wrap = deps.wrapActivities ?? ((a) => a);
  return createQueueWorkers({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    roles: deps.queues ?? QUEUE_ROLES,
    slots: deps.config.worker?.slots ?? DEFAULT_WORKER_SLOTS,
    maxCachedWorkflows: deps.maxCachedWorkflows ?? WORKER_MAX_CACHED_WORKFLOWS,
    workflows: deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH },
    tracing: deps.tracing,
    deployment: deps.config.temporal.deployment,
    activitiesFor: (queue) => {
      const own = deps.queueDbs?.[queue];
      return wrap(
        createActivities({
          db: own?.db ?? deps.db,
          log: deps.log,
          dialpad: own ? own.dialpad : deps.dialpad,
          metrics: deps.metrics,
          insightsLlm: deps.config.insightsLlm ?? null,
          callTaskQueue: deps.config.temporal.taskQueue,
          ...(deps.insightsModelOptions ? { insightsModelOptions: deps.insightsModelOptions } : {}),
        }),
        queue,
      );
    },
  });
}

/**
 * `npm run start:worker`: the worker against configured services. Its metrics are served on
 * METRICS_PORT and the Temporal SDK's on TEMPORAL_METRICS_PORT; `npm start`, which runs the
 * ingress beside it, passes `metrics` registered with the ingress's (served there) instead.
 */
export async function runWorkerProcess(config: Config, opts: { metrics?: WorkerMetrics } = {}): Promise<void> {
  const tracing = tracingFromConfig(config, 'navigator-dialpad-worker');
  const log = createLogger(config.logLevel, 'worker', { traceIds: tracing !== undefined });
  // Before any NativeConnection: the SDK's runtime is created once, with its metrics exporter.
  const sdkMetrics = installTemporalRuntime(config);
  const metrics = opts.metrics ?? createWorkerMetrics();
  const metricsServer =
    opts.metrics || config.metrics.port === undefined
      ? undefined
      : await startMetricsServer([metrics.registry], config.metrics.host, config.metrics.port);
  // The live calls' pool, and one each for the Dialpad and sync queues (poolSizes).
  const sizes = poolSizes(config.worker.slots);
  const pool = (max: number) => createKnex(config.databaseUrl!, { ca: config.databaseCa, max });
  const db = pool(sizes.calls);
  const dialpadDb = pool(sizes.dialpad);
  const syncDb = pool(sizes.sync);
  const closePools = () => Promise.all([db.destroy(), dialpadDb.destroy(), syncDb.destroy()]);
  const connection = await connectWorkerToTemporal(config.temporal).catch(async (err: unknown) => {
    await closePools();
    await metricsServer?.close();
    throw err;
  });
  const workers = await createWorkers({
    config,
    db,
    queueDbs: {
      dialpad: { db: dialpadDb, dialpad: createDialpadClient(config, dialpadDb, log, metrics) },
      sync: { db: syncDb, dialpad: createDialpadClient(config, syncDb, log, metrics) },
    },
    log,
    connection,
    dialpad: createDialpadClient(config, db, log, metrics),
    metrics,
    tracing,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
  });
  log.info(
    {
      taskQueues: taskQueuesOf(config.temporal.taskQueue),
      slots: config.worker.slots,
      postgresPools: sizes,
      namespace: config.temporal.namespace,
      deployment: config.temporal.deployment ?? 'unversioned (TEMPORAL_WORKER_BUILD_ID not set)',
      ...(metricsServer ? { metrics: `${config.metrics.host}:${config.metrics.port}` } : {}),
      ...(sdkMetrics ? { sdkMetrics } : {}),
    },
    'worker started',
  );
  logInsightsModel(config, log);
  await ensureSweepSchedule(config, log);
  await logDeploymentStanding(config, log);
  // Not awaited before polling: one describe per account's schedule can take a while.
  const retargeted = moveSyncSchedules(config, syncDb, log);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'worker draining');
      workers.shutdown();
    });
  }
  try {
    await workers.run();
  } finally {
    await retargeted;
    await connection.close();
    await closePools();
    await metricsServer?.close();
    await tracing?.shutdown();
    log.info('worker stopped');
  }
}

/**
 * Says at start whether call transcripts go to a language model (the host and model name, never the
 * key): with INSIGHTS_LLM_URL unset, the insights come from the rules and no call text leaves.
 */
export function logInsightsModel(config: Pick<Config, 'insightsLlm'>, log: Logger): void {
  const llm = config.insightsLlm;
  if (!llm) {
    log.info('call insights from the rules (INSIGHTS_LLM_URL not set)');
    return;
  }
  log.info(
    { host: new URL(llm.endpoint).host, model: llm.model },
    'call insights from a language model, the rules as fallback: transcripts and recaps are sent to it',
  );
}

/**
 * Every worker makes sure the retro-match and call-run sweep schedules exist and start their runs
 * on the sync queue (idempotent; an operator's pause is kept). A failure is logged, not fatal: the
 * next worker start tries again, and the API's retro-matching does not depend on it.
 */
export async function ensureSweepSchedule(config: Config, log: Logger): Promise<void> {
  const temporal = createTemporalClient(config.temporal);
  try {
    const outcome = await ensureRetroMatchSweepSchedule(temporal.client, config.temporal.taskQueue);
    log.info({ scheduleId: RETRO_MATCH_SWEEP_SCHEDULE_ID, outcome }, 'retro-match sweep schedule ensured');
    const callRuns = await ensureCallRunSweepSchedule(temporal.client, config.temporal.taskQueue);
    log.info({ scheduleId: CALL_RUN_SWEEP_SCHEDULE_ID, outcome: callRuns }, 'call run sweep schedule ensured');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'sweep schedules not ensured');
  } finally {
    await temporal.close();
  }
}

/**
 * A versioned worker (TEMPORAL_WORKER_BUILD_ID) says whether its build is current: until it is made
 * current (or ramping), it takes no new runs, which is the point of deploying it beside the old one.
 * Logged only; a failure to ask is not fatal.
 */
export async function logDeploymentStanding(config: Config, log: Logger): Promise<void> {
  const deployment = config.temporal.deployment;
  if (!deployment) return;
  const temporal = createTemporalClient(config.temporal);
  try {
    const found = await deploymentStanding(temporal.client, config.temporal.namespace, deployment);
    if (found.standing === 'not current')
      log.info(
        { ...deployment, ...found, toMakeCurrent: setCurrentCommand(deployment) },
        'worker build not current: it takes no new runs until it is made current (docs/operations.md)',
      );
    else log.info({ ...deployment, ...found }, `worker build ${found.standing}`);
  } catch (err) {
    log.warn({ err: (err as Error).message, ...deployment }, 'worker deployment not described');
  } finally {
    await temporal.close();
  }
}

/**
 * Every worker moves the accounts' sync schedules still starting their runs on the live calls'
 * queue (made before the sync queue) onto the sync queue (retargetSyncSchedules). Until then such
 * a run works where it is, since every worker runs every workflow and activity. A failure is
 * logged, not fatal: the next worker start tries again.
 */
export async function moveSyncSchedules(config: Config, db: Knex, log: Logger): Promise<void> {
  const temporal = createTemporalClient(config.temporal);
  try {
    const result = await retargetSyncSchedules(temporal.client, db, config.temporal.taskQueue);
    log.info(
      { ...result, taskQueue: taskQueuesOf(config.temporal.taskQueue).sync },
      'sync schedules on the sync queue',
    );
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'sync schedules not moved to the sync queue');
  } finally {
    await temporal.close();
  }
}

if (require.main === module) {
  runWorkerProcess(loadConfigOrExit('production')).catch((err: unknown) => {
    if (err instanceof TemporalConfigError) {
      process.stderr.write(`Invalid configuration:\n  - ${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
