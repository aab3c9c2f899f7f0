import type { TemporalHandles } from './temporal/connection';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Knex } from 'knex';
import type { Config } from './config';
import { createMetrics, type Metrics } from './plugins/metrics';
import { healthRoutes } from './routes/health';

export interface AppDeps {
  config: Config;
  db: Knex;
  temporal: TemporalHandles;
  metrics: Metrics;
}

export interface BuildAppOptions {
  config: Config;
  db: Knex;
  temporal: TemporalHandles;
  metrics?: Metrics;
  logger?: FastifyServerOptions['logger'];
}

/**
 * The HTTP application as a plugin-composed Fastify instance, without listening: the process
 * (src/server.ts) listens; tests use `inject`.
 */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const deps: AppDeps = {
    config: opts.config,
    db: opts.db,
    temporal: opts.temporal,
    metrics: opts.metrics ?? createMetrics(),
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    // Dialpad waits 5 s; we answer long before. Bodies are small JWS strings.
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
    bodyLimit: 256 * 1024,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, method: req.method, url: req.url }, 'request failed');
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
  return app;
}
