import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DialpadAttempt } from '../dialpad/client';
import { registerStateMetrics, type StateMetricsOptions } from './state-metrics';

/**
 * Prometheus metrics for one process. A registry per app instance keeps tests independent.
 * Every name is listed, with its meaning, in docs/observability.md; the dashboard and the alert
 * rules (deploy/) use only these and the Temporal SDK's (test/ops/observability.test.ts checks).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'dialpad_webhook_deliveries_total',
      help: 'Dialpad webhook deliveries by outcome (accepted, duplicate, ignored, unrouted, rejected, unavailable, shed: refused early with 503 because the ingress is under pressure) and reason',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    }),
    webhookRejections: new Counter({
      name: 'dialpad_webhook_rejections_total',
      help: 'Webhook deliveries refused before verification, by reason and by whether the body looked like a Dialpad call event (shape call_event: Dialpad signing with a secret we do not know; other: scanners, forgeries)',
      labelNames: ['reason', 'shape'] as const,
      registers: [registry],
    }),
    webhookVerifiedWith: new Counter({
      name: 'dialpad_webhook_verified_total',
      help: 'Verified deliveries by the secret that verified them (current, previous, unsigned)',
      labelNames: ['secret'] as const,
      registers: [registry],
    }),
    webhookFieldsLeftOut: new Counter({
      name: 'dialpad_webhook_fields_left_out_total',
      help: 'Fields of accepted Dialpad events that did not fit the typed event and were left out (listed on the delivery)',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    webhookLatency: new Histogram({
      name: 'dialpad_webhook_duration_seconds',
      help: 'Time from request to answer for Dialpad webhooks',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhooksInFlight: new Gauge({
      name: 'dialpad_webhook_requests_in_flight',
      help: 'Webhook requests this ingress is handling now; past WEBHOOK_MAX_IN_FLIGHT it sheds (503)',
      registers: [registry],
    }),
    relaySignals: new Counter({
      name: 'dialpad_relay_signals_total',
      help: 'Stored deliveries signalled to Temporal by the relay, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    ingressFolds: new Counter({
      name: 'dialpad_ingress_folds_total',
      help: 'Accepted events the ingress folded into their calls row itself, by outcome: folded, failed (its call run applies it), busy or late (skipped under load: its call run applies it)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    callEventE2e: callEventE2eHistogram(registry),
    ...dialpadApiMetrics(registry),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The ingress's gauges read from Postgres at scrape time (relay backlog, dead letters, sync
 * health…): src/telemetry/state-metrics.ts. Once per registry.
 */
export function attachStateMetrics(metrics: Metrics, db: Knex, opts: StateMetricsOptions = {}): void {
  if (metrics.registry.getSingleMetric('dialpad_relay_backlog')) return;
  registerStateMetrics(metrics.registry, db, opts);
}

/**
 * Metrics of the worker: observed where the work happens (activities, the Dialpad client). A
 * worker process has a registry of its own, served on METRICS_PORT; `npm start` (ingress and
 * worker in one process) and the dev stack register them beside the ingress's.
 */
export function createWorkerMetrics(opts: { registry?: Registry } = {}) {
  const registry = opts.registry ?? new Registry();
  if (!opts.registry) collectDefaultMetrics({ register: registry });
  return {
    registry,
    callEventE2e: callEventE2eHistogram(registry),
    conversationMatches:
      existing<Counter<'result'>>(registry, 'dialpad_conversation_matches_total') ??
      new Counter({
        name: 'dialpad_conversation_matches_total',
        help: "Call runs matching their leg's conversation to a Navigator record, by result: matched (the records were looked up), unchanged (the conversation read as when it was last matched: that outcome reused, no lookup)",
        labelNames: ['result'] as const,
        registers: [registry],
      }),
    ...dialpadApiMetrics(registry),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

/**
 * Arrival at the ingress to the event folded into its row. The ingress observes the events it folds
 * itself; the worker, those its call runs apply (Postgres was down at the ingress, the relay sent it).
 */
function callEventE2eHistogram(registry: Registry) {
  return (
    existing<Histogram<'state'>>(registry, 'dialpad_call_event_e2e_seconds') ??
    new Histogram({
      name: 'dialpad_call_event_e2e_seconds',
      help: "From a webhook delivery's arrival at the ingress to its event folded into the conversation's calls row, by state (replays excluded): by the ingress as it accepts the event, or by the call run when the ingress could not",
      labelNames: ['state'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
      registers: [registry],
    })
  );
}

/** Dialpad API attempts; the ingress (doctor, registration) and the worker both call Dialpad. */
function dialpadApiMetrics(registry: Registry) {
  const requests =
    existing<Counter<'endpoint' | 'result'>>(registry, 'dialpad_api_requests_total') ??
    new Counter({
      name: 'dialpad_api_requests_total',
      help: 'Attempts at Dialpad API requests by endpoint (method and path template) and result (ok, rate_limited = 429, unauthorized = 401/403, not_found = 404, client_error = other 4xx, server_error = 5xx, network_error = timeout or connection failure); retries count again',
      labelNames: ['endpoint', 'result'] as const,
      registers: [registry],
    });
  const duration =
    existing<Histogram<'endpoint'>>(registry, 'dialpad_api_request_duration_seconds') ??
    new Histogram({
      name: 'dialpad_api_request_duration_seconds',
      help: 'Time of each Dialpad API attempt, from sending to the last byte of the answer, by endpoint',
      labelNames: ['endpoint'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    });
  return {
    dialpadApiRequests: requests,
    dialpadApiDuration: duration,
    /** For DialpadClientOptions.onAttempt. */
    observeDialpadAttempt: (a: DialpadAttempt) => {
      requests.inc({ endpoint: a.endpoint, result: a.result });
      duration.observe({ endpoint: a.endpoint }, a.seconds);
    },
  };
}
