import { join } from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { buildApp } from '../app';
import type { Config } from '../config';
import { createKnex, migrateLatest } from '../db/knex';
import { createLogger, loggerOptions, type Logger } from '../logger';
import { createTemporalClient } from '../temporal/connection';
import { bundleWorkflows, createWorker } from '../worker';
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
  worker: Worker;
  postgres?: LocalPostgres;
  temporal?: TemporalDevServer;
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
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn({ err }, 'error while stopping');
      }
    }
  };

  try {
    let databaseUrl = opts.config.databaseUrl;
    let postgres: LocalPostgres | undefined;
    if (!databaseUrl) {
      log.info('starting an embedded Postgres');
      postgres = await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), port: opts.config.dev.postgresPort });
      stops.push(() => postgres!.stop());
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
      stops.push(() => temporal!.stop());
      temporalAddress = temporal.address;
    }

    const config: Config = {
      ...opts.config,
      databaseUrl,
      temporal: { ...opts.config.temporal, address: temporalAddress },
    };

    const db = createKnex(databaseUrl);
    stops.push(() => db.destroy());
    const applied = await migrateLatest(db);
    if (applied.length) log.info({ applied }, 'migrations applied');

    const connection = await NativeConnection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const worker = await createWorker({
      config,
      db,
      log: createLogger(config.logLevel, 'worker'),
      connection,
      workflowBundle: await bundleWorkflows(),
    });
    const workerRun = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await workerRun;
    });

    const temporalClient = createTemporalClient(temporalAddress, config.temporal.namespace);
    stops.push(() => temporalClient.close());
    const app = await buildApp({
      config,
      db,
      temporal: temporalClient,
      logger: loggerOptions(config.logLevel, 'ingress'),
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    stops.push(() => app.close());
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
      log,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
