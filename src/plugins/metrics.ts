import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics for one process. A registry per app instance keeps tests independent.
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
      help: 'Dialpad webhook deliveries by outcome (accepted, duplicate, ignored, unrouted, rejected) and reason',
      labelNames: ['outcome', 'reason'] as const,
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
    relaySignals: new Counter({
      name: 'dialpad_relay_signals_total',
      help: 'Stored deliveries signalled to Temporal by the relay, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
