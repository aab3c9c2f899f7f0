import fp from 'fastify-plugin';
import { attachStateMetrics, createMetrics, type Metrics } from '../telemetry/metrics';
import type { StateMetricsOptions } from '../telemetry/state-metrics';

export interface MetricsPluginOptions {
  /** The process's metrics (served on METRICS_PORT or /metrics); a registry of its own when absent. */
  metrics?: Metrics;
  /** The gauges read from Postgres at scrape time (src/telemetry/state-metrics.ts). */
  stateMetrics?: StateMetricsOptions;
}

/** The ingress's metrics as `app.metrics`, with every request's latency by route and status. */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app, opts) => {
    const metrics = opts.metrics ?? createMetrics();
    app.decorate('metrics', metrics);
    attachStateMetrics(metrics, app.db, opts.stateMetrics);
    app.addHook('onResponse', async (req, reply) => {
      metrics.httpRequestDuration.observe(
        { method: req.method, route: req.routeOptions.url ?? 'unknown', status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'metrics', fastify: '5.x', dependencies: ['knex'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}
