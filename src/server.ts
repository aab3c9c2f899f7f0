import type { FastifyInstance } from 'fastify';
import { buildApp, LISTEN_BACKLOG } from './app';
import { loadConfigOrExit, type Config } from './config';
import { createKnex } from './db/knex';
import { loggerOptions } from './logger';
import { startMetricsServer } from './metrics-server';
import { createMetrics, type Metrics } from './telemetry/metrics';
import { tracingFromConfig } from './telemetry/tracing';
import { checkTemporalSecurity, createTemporalClient, TemporalConfigError } from './temporal/connection';

/** The ingress process: the app, listening, with graceful close on SIGINT/SIGTERM. */
export async function startIngress(config: Config, opts: { metrics?: Metrics } = {}): Promise<FastifyInstance> {
  const tracing = tracingFromConfig(config, 'navigator-dialpad-ingress');
  const db = createKnex(config.databaseUrl!, { ca: config.databaseCa });
  const temporal = createTemporalClient(config.temporal, tracing?.clientInterceptors());
  try {
    await checkTemporalSecurity(temporal, config.temporal);
  } catch (err) {
    await temporal.close();
    await db.destroy();
    throw err;
  }
  const metrics = opts.metrics ?? createMetrics();
  const app = await buildApp({
    config,
    db,
    temporal,
    metrics,
    tracing,
    closeConnections: true,
    logger: loggerOptions(config.logLevel, 'ingress', { traceIds: tracing !== undefined }),
  });
  const metricsServer =
    config.metrics.port === undefined
      ? undefined
      : await startMetricsServer([metrics.registry], config.metrics.host, config.metrics.port);
  // Before the plugins' own (onClose hooks run last-registered first): the connections close after.
  app.addHook('onClose', async () => {
    await metricsServer?.close();
    await tracing?.shutdown();
  });
  await app.listen({ host: config.http.host, port: config.http.port, backlog: LISTEN_BACKLOG });
  return app;
}

/** A start that cannot succeed: configuration problems exit 78 (EX_CONFIG) naming the variable. */
export function exitOnStartFailure(processName: string, err: unknown): never {
  if (err instanceof TemporalConfigError) {
    process.stderr.write(`Invalid configuration:\n  - ${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`${processName} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

export function closeOnSignals(close: () => Promise<void>, boundMs = 25_000): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      const timer = setTimeout(() => process.exit(1), boundMs);
      timer.unref();
      close()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    });
  }
}

if (require.main === module) {
  const config = loadConfigOrExit('production');
  startIngress(config)
    .then((app) => closeOnSignals(() => app.close()))
    .catch((err: unknown) => exitOnStartFailure('ingress', err));
}
