import { join } from 'node:path';
import { connectWorkerToTemporal } from '../../src/temporal/native-connection';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { buildApp, LISTEN_BACKLOG } from '../../src/app';
import type { Config } from '../../src/config';
import { createKnex, migrateLatest } from '../../src/db/knex';
import { createLogger, loggerOptions, type Logger } from '../../src/logger';
import { tracingFromConfig } from '../../src/telemetry/tracing';
import { startMetricsServer } from '../../src/metrics-server';
import { createMetrics, createWorkerMetrics } from '../../src/telemetry/metrics';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import type { QueueWorkers } from '../../src/temporal/workers';
import { createTemporalClient } from '../../src/temporal/connection';
import { reconcileSyncSchedules } from '../../src/schedules';
import { randomBytes } from 'node:crypto';
import { startSimulatedDialpad, type SimulatedDialpad } from '../simulator';
import {
  bundleWorkflows,
  createDialpadClient,
  createWorkers,
  ensureSweepSchedule,
  logInsightsModel,
} from '../../src/worker';
import { Teardown } from '../lib/processes';
import { DATA_DIR } from './paths';
import { startLocalPostgres, type LocalPostgres } from './postgres';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-server';

/**
 * The whole system on one machine: Postgres (embedded when DATABASE_URL is unset), a Temporal dev
 * server with its UI (when TEMPORAL_ADDRESS is unset), migrations, worker and ingress. Used by
 * `npm run dev` and the benchmarks; `stop()` stops everything it started, in reverse order.
 */
export interface LocalStack {
  config: Config;
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  ingressUrl: string;
  db: Knex;
  app: FastifyInstance;
  /** The worker of each task queue (the live calls', Dialpad's, the syncs'). */
  worker: QueueWorkers;
  postgres?: LocalPostgres;
  temporal?: TemporalDevServer;
  /** The Dialpad simulator standing in for Dialpad when no DIALPAD_API_KEY is set. */
  simulator?: SimulatedDialpad;
  log: Logger;
  stop(): Promise<void>;
}

export interface StackOptions {
  config: Config;
  dataDir?: string;
  /** Keep Temporal's state in a file across restarts (default) or in memory. */
  temporalDb?: 'file' | 'memory';
  temporalUi?: boolean;
  log?: Logger;
}

export async function startLocalStack(opts: StackOptions): Promise<LocalStack> {
  const dataDir = opts.dataDir ?? DATA_DIR;
  const log = opts.log ?? createLogger(opts.config.logLevel, 'dev');
  // Each part gets a bounded time, so one that hangs cannot keep the others (and the servers we
  // started) running.
  const teardown = new Teardown({
    stepTimeoutMs: 8_000,
    onError: (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'error while stopping'),
  });

  try {
    let databaseUrl = opts.config.databaseUrl;
    let postgres: LocalPostgres | undefined;
    if (!databaseUrl) {
      log.info('starting an embedded Postgres');
      postgres = await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), port: opts.config.dev.postgresPort });
      teardown.add(() => postgres!.stop());
      await postgres.createDatabase('navigator');
      databaseUrl = postgres.urlFor('navigator');
    }

    let temporalAddress = opts.config.temporal.address;
    let temporal: TemporalDevServer | undefined;
    if (!temporalAddress) {
      log.info('starting a Temporal dev server');
      temporal = await startTemporalDevServer({
        port: opts.config.dev.temporalPort,
        uiPort: opts.temporalUi === false ? undefined : opts.config.dev.temporalUiPort,
        namespace: opts.config.temporal.namespace,
        dbFile: opts.temporalDb === 'memory' ? undefined : join(dataDir, 'temporal', 'temporal.db'),
        logFile: join(dataDir, 'temporal', 'server.log'),
        log: (m) => log.info(m),
      });
      teardown.add(() => temporal!.stop());
      temporalAddress = temporal.address;
    }

    let dialpadConfig = opts.config.dialpad;
    let simulator: SimulatedDialpad | undefined;
    if (!dialpadConfig.apiKey) {
      log.info('no DIALPAD_API_KEY: starting the Dialpad simulator');
      simulator = await startSimulatedDialpad({ port: dialpadConfig.simulatorPort, seed: 'dev' });
      teardown.add(() => simulator!.close());
      dialpadConfig = {
        ...dialpadConfig,
        apiKey: 'dialpad-simulator-key',
        apiBaseUrl: simulator.url,
        // A per-run secret shared by the simulator's emitter and the ingress.
        webhookSecret: dialpadConfig.webhookSecret ?? randomBytes(32).toString('base64url'),
      };
    }

    const config: Config = {
      ...opts.config,
      databaseUrl,
      temporal: { ...opts.config.temporal, address: temporalAddress },
      dialpad: dialpadConfig,
    };

    // With OTEL_EXPORTER_OTLP_ENDPOINT set, the ingress and the worker trace into one provider.
    const tracing = tracingFromConfig(config, 'navigator-dialpad');
    if (tracing) teardown.add(() => tracing.shutdown());
    const traceIds = tracing !== undefined;

    const db = createKnex(databaseUrl);
    teardown.add(() => db.destroy());
    const applied = await migrateLatest(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    if (simulator) await linkDemoAccounts(db, simulator);

    // The SDK's metrics when TEMPORAL_METRICS_PORT is set; the app's and the worker's share one
    // registry, served at the ingress's /metrics.
    const sdkMetrics = installTemporalRuntime(config);
    if (sdkMetrics) log.info(`Temporal SDK metrics on http://${sdkMetrics}/metrics`);
    const metrics = createMetrics();
    const workerMetrics = createWorkerMetrics({ registry: metrics.registry });
    const connection = await connectWorkerToTemporal(config.temporal);
    teardown.add(() => connection.close());
    const workerLog = createLogger(config.logLevel, 'worker', { traceIds });
    const worker = await createWorkers({
      config,
      db,
      log: workerLog,
      connection,
      workflowBundle: await bundleWorkflows({ tracing: traceIds }),
      dialpad: createDialpadClient(config, db, workerLog, workerMetrics),
      tracing,
      metrics: workerMetrics,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
    });
    logInsightsModel(config, workerLog);
    const workerRun = worker.run();
    teardown.add(async () => {
      worker.shutdown();
      await workerRun;
    });

    const temporalClient = createTemporalClient(config.temporal, tracing?.clientInterceptors());
    teardown.add(() => temporalClient.close());
    // Every linked account gets its directory and contact sync schedules (the demo accounts were
    // linked by a direct insert, and an account linked while Temporal was down may lack them).
    const schedules = await reconcileSyncSchedules(temporalClient.client, db, config.temporal.taskQueue);
    log.info(schedules, 'sync schedules reconciled');
    await ensureSweepSchedule(config, log);
    const app = await buildApp({
      config,
      db,
      metrics,
      temporal: temporalClient,
      tracing,
      logger: loggerOptions(config.logLevel, 'ingress', { traceIds }),
    });
    await app.listen({ host: config.http.host, port: config.http.port, backlog: LISTEN_BACKLOG });
    teardown.add(() => app.close());
    if (config.metrics.port !== undefined) {
      // With METRICS_PORT the app does not serve /metrics: this does, as the ingress process would.
      const metricsServer = await startMetricsServer([metrics.registry], config.metrics.host, config.metrics.port);
      teardown.add(() => metricsServer.close());
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;

    return {
      config,
      databaseUrl,
      temporalAddress,
      temporalUiUrl: temporal?.uiUrl,
      ingressUrl: `http://${config.http.host}:${port}`,
      db,
      app,
      worker,
      postgres,
      temporal,
      simulator,
      log,
      stop: teardown.run,
    };
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

/** One Navigator account per simulated office, so the simulated calls route somewhere. */
async function linkDemoAccounts(db: Knex, simulator: SimulatedDialpad): Promise<void> {
  for (const office of simulator.state.company.offices) {
    const exists = await db('accounts').where({ dialpad_office_id: office.id }).first('id');
    if (!exists) await db('accounts').insert({ name: `Demo: ${office.name}`, dialpad_office_id: office.id });
  }
}
