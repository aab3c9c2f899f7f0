import type { TemporalHandles } from './temporal/connection';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import type { Knex } from 'knex';
import type { Config } from './config';
import type { Tracing } from './telemetry/tracing';
import type { Metrics } from './telemetry/metrics';
import type { StateMetricsOptions } from './telemetry/state-metrics';
import { knexPlugin } from './plugins/knex';
import { metricsPlugin } from './plugins/metrics';
import { relayPlugin } from './plugins/relay';
import { temporalPlugin } from './plugins/temporal';
import { webhookPressurePlugin } from './plugins/webhook-pressure';
import { errorHandler } from './routes/errors';
import { healthRoutes } from './routes/health';
import { webhookRoutes } from './routes/webhooks';
import { adminRoutes } from './routes/admin';
import { apiRoutes } from './routes/api';

export interface AppDeps {
  config: Config;
  db: Knex;
  temporal: TemporalHandles;
  metrics: Metrics;
  log: FastifyBaseLogger;
}

export interface BuildAppOptions {
  config: Config;
  db: Knex;
  temporal: TemporalHandles;
  metrics?: Metrics;
  logger?: FastifyServerOptions['logger'];
  /** With tracing on: a span per request, continued by the signal, the workflow and its activities. */
  tracing?: Tracing;
  /** The relay of recorded deliveries to Temporal; tests may drive it by hand. */
  relay?: { intervalMs?: number; disabled?: boolean };
  /** The gauges read from Postgres at scrape time (src/telemetry/state-metrics.ts). */
  stateMetrics?: StateMetricsOptions;
  /** The app owns `db` and `temporal` (the ingress process): closed with it. Tests keep theirs. */
  closeConnections?: boolean;
}

/**
 * The largest event the text limits allow must fit: a 200,000-character transcription written as
 * \uXXXX escapes (6 bytes a character) is 1.2 MB of JSON, 1.6 MB once base64-encoded in a JWS.
 */
export const WEBHOOK_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * The listening socket's queue of connections not yet accepted (Node's default is 511; the kernel
 * caps it at net.core.somaxconn, 4096 by default since Linux 5.4). In a burst the process cannot
 * accept as fast as connections arrive; past the queue the kernel drops the handshake and the
 * sender retries it 1, 3 and 7 s later, so the delivery times out before the ingress sees it and
 * can answer, or shed, it. In the e2e benchmark at 100 calls/s the ingress answered within 2.6 s
 * of reading a request, yet 1,052 senders gave up before its answer: they had waited before it.
 * tools/bench/experiments/listen-backlog.ts measures the drops.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * One access line per request instead of Fastify's two ("incoming request", then "request completed"): the
 * completed line carries the request too (method, path), its status and time taken. At 100 webhooks/s the
 * ingress spent about a fifth of its busy CPU writing log lines.
 */
class OneLineAccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * The HTTP application as a plugin-composed Fastify instance, without listening: the process
 * (src/server.ts) listens; tests use `inject`. The connections, the metrics and the relay are
 * plugins (src/plugins/), decorating the instance; the routes (src/routes/) are encapsulated
 * scopes; one error handler (src/routes/errors.ts) answers for all of them.
 */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Dialpad waits 5 s; we answer long before.
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    logController: new OneLineAccessLog(),
  });
  // First, so that every route and hook registered below runs inside the request's span.
  if (opts.tracing) await app.register(opts.tracing.fastifyPlugin());

  // onClose hooks run last-registered first: the connections close after the relay and the routes.
  await app.register(knexPlugin, { db: opts.db, destroyOnClose: opts.closeConnections ?? false });
  await app.register(temporalPlugin, { temporal: opts.temporal, closeOnClose: opts.closeConnections ?? false });
  await app.register(metricsPlugin, {
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.stateMetrics ? { stateMetrics: opts.stateMetrics } : {}),
  });
  await app.register(relayPlugin, { config: opts.config, ...opts.relay });

  app.setErrorHandler(errorHandler);

  const deps: AppDeps = { config: opts.config, db: app.db, temporal: app.temporal, metrics: app.metrics, log: app.log };
  healthRoutes(app, deps);
  await app.register(async (scope) => {
    // Overloaded, the webhook route answers 503 before reading a delivery (Dialpad retries it)
    // rather than late; the health, readiness and metrics routes above are never shed.
    await scope.register(webhookPressurePlugin, { limits: opts.config.webhookPressure, metrics: app.metrics });
    await webhookRoutes(scope, deps, { breaker: app.temporalBreaker });
  });
  await app.register(async (scope) => adminRoutes(scope, deps));
  await app.register(async (scope) => apiRoutes(scope, deps));
  return app;
}
