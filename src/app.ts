import { loggableError } from './db/errors';
import type { TemporalHandles } from './temporal/connection';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Knex } from 'knex';
import type { Config } from './config';
import type { Tracing } from './telemetry/tracing';
import { attachStateMetrics, createMetrics, type Metrics } from './plugins/metrics';
import type { StateMetricsOptions } from './plugins/state-metrics';
import { DeliveryStore } from './ingress/delivery-repository';
import { DeliveryRelay } from './ingress/relay';
import { signalOptionsFromConfig, TemporalBreaker } from './ingress/signal';
import { healthRoutes } from './routes/health';
import { webhookRoutes } from './routes/webhooks';
import { adminRoutes } from './routes/admin';
import { opsRoutes } from './routes/ops';
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
  /** The gauges read from Postgres at scrape time (src/plugins/state-metrics.ts). */
  stateMetrics?: StateMetricsOptions;
}

/**
 * The largest event the text limits allow must fit: a 200,000-character transcription written as
 * \uXXXX escapes (6 bytes a character) is 1.2 MB of JSON, 1.6 MB once base64-encoded in a JWS.
 */
export const WEBHOOK_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * The HTTP application as a plugin-composed Fastify instance, without listening: the process
 * (src/server.ts) listens; tests use `inject`.
 */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Dialpad waits 5 s; we answer long before.
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });
  // First, so that every route and hook registered below runs inside the request's span.
  if (opts.tracing) await app.register(opts.tracing.fastifyPlugin());

  const deps: AppDeps = {
    config: opts.config,
    db: opts.db,
    temporal: opts.temporal,
    metrics: opts.metrics ?? createMetrics(),
    log: app.log,
  };
  attachStateMetrics(deps.metrics, opts.db, opts.stateMetrics);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err: loggableError(err), method: req.method, url: req.url }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'Internal server error' });
    }
    return reply.code(status).send({ error: err.name === 'Error' ? 'bad_request' : err.name, message: err.message });
  });

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpRequestDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  healthRoutes(app, deps);
  // Shared by the webhook route and the relay: Temporal is skipped for a moment after it failed,
  // and used directly again as soon as the relay reaches it.
  const breaker = new TemporalBreaker();
  await app.register(async (scope) => webhookRoutes(scope, deps, { breaker }));
  await app.register(async (scope) => adminRoutes(scope, deps));
  await app.register(async (scope) => opsRoutes(scope, deps));
  await app.register(async (scope) => apiRoutes(scope, deps));

  const relay = new DeliveryRelay(
    new DeliveryStore(opts.db),
    opts.temporal.client,
    { ...signalOptionsFromConfig(opts.config), timeoutMs: 5_000 },
    app.log,
    deps.metrics,
    { ...opts.relay, onTemporalReached: () => breaker.succeeded() },
  );
  app.decorate('deliveryRelay', relay);
  if (!opts.relay?.disabled) {
    app.addHook('onReady', async () => relay.start());
    app.addHook('onClose', async () => relay.stop());
  }
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    deliveryRelay: DeliveryRelay;
  }
}
