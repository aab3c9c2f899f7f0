import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { WebhookPressureConfig } from '../config/pressure';
import { errorBody } from '../routes/errors';
import type { Metrics } from '../telemetry/metrics';

export interface WebhookPressureOptions {
  limits: WebhookPressureConfig;
  metrics: Metrics;
}

/**
 * Dialpad's retries start 2 s after a 503 whatever we say; the header is for any other client and
 * for whoever reads the answer: by then the requests ahead have been answered.
 */
export const SHED_RETRY_AFTER_SECONDS = 2;
/** The event-loop figures are over this window. */
const SAMPLE_INTERVAL_MS = 500;
/** A shed is logged at most once per this long, with the counts since the last line. */
const LOG_EVERY_MS = 10_000;

export type ShedReason = 'in_flight' | 'event_loop_delay' | 'event_loop_utilization' | 'other';

const SHED_ANSWER = errorBody('under_pressure', 'the service is under pressure; please retry');

/**
 * Load shedding for the scope it is registered in (the webhook route's, src/app.ts; never the
 * health, readiness or metrics routes): overloaded, the ingress answers 503 with Retry-After at
 * once, in `onRequest`, before the body is read or verified, so a refused delivery stores
 * nothing and Dialpad retries it (2, 4, 8 s later), instead of the delivery waiting past Dialpad's
 * 5 s and counting as failed.
 *
 * - In flight: more than `maxInFlight` webhook requests being handled (counted from `onRequest`
 *   to the answer being sent, also when the client has gone): a new one would wait behind them.
 * - Event loop (`@fastify/under-pressure`, both limits off by default): the mean delay, or the
 *   utilisation, over the last half second past its limit; every delivery is refused until the
 *   next sample.
 *
 * Counted in `dialpad_webhook_deliveries_total{outcome="shed", reason}`; the number in flight is
 * `dialpad_webhook_requests_in_flight`.
 */
export const webhookPressurePlugin = fp<WebhookPressureOptions>(
  async (scope, { limits, metrics }) => {
    const log = scope.log.child({ component: 'webhook-pressure' });
    const unlogged = new Map<ShedReason, number>();
    let loggedAt = 0;
    const shed = (reply: FastifyReply, reason: ShedReason, value?: number): typeof SHED_ANSWER => {
      metrics.webhookDeliveries.inc({ outcome: 'shed', reason });
      unlogged.set(reason, (unlogged.get(reason) ?? 0) + 1);
      const now = Date.now();
      if (now - loggedAt >= LOG_EVERY_MS) {
        log.warn(
          { shed: Object.fromEntries(unlogged), reason, value, inFlight, limits },
          'under pressure: webhooks answered 503 before being read (Dialpad retries them)',
        );
        unlogged.clear();
        loggedAt = now;
      }
      reply.code(503).header('retry-after', String(SHED_RETRY_AFTER_SECONDS));
      return SHED_ANSWER;
    };

    if (limits.maxEventLoopDelayMs > 0 || limits.maxEventLoopUtilization > 0) {
      await scope.register(underPressure, {
        maxEventLoopDelay: limits.maxEventLoopDelayMs,
        maxEventLoopUtilization: limits.maxEventLoopUtilization,
        eventLoopUtilizationMode: 'interval',
        sampleInterval: SAMPLE_INTERVAL_MS,
        retryAfter: SHED_RETRY_AFTER_SECONDS,
        // under-pressure sends what the handler returns, and lets the request through on undefined
        // (its README; its types say void).
        pressureHandler: ((_req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) =>
          // A sample without a reading (one block spanning the whole half second, now over) is
          // read as an infinite delay: not a loop that is still slow.
          type === underPressure.TYPE_EVENT_LOOP_DELAY && !Number.isFinite(value)
            ? undefined
            : shed(reply, reasonOf(type), value)) as unknown as FastifyUnderPressureOptions['pressureHandler'],
      });
    }

    let inFlight = 0;
    const admitted = new WeakSet<FastifyRequest>();
    const release = (req: FastifyRequest) => {
      if (!admitted.delete(req)) return;
      inFlight--;
      metrics.webhooksInFlight.dec();
    };
    // After under-pressure's own hook: a request it refused never reaches this one.
    scope.addHook('onRequest', (req, reply, done) => {
      if (limits.maxInFlight > 0 && inFlight >= limits.maxInFlight) {
        reply.send(shed(reply, 'in_flight', inFlight));
        return;
      }
      inFlight++;
      metrics.webhooksInFlight.inc();
      admitted.add(req);
      done();
    });
    // onSend runs for every answer, also one whose client has gone (Dialpad's timeout) while the
    // handler still worked; onResponse does not then. Either releases the slot, once.
    scope.addHook('onSend', (req, _reply, payload, done) => {
      release(req);
      done(null, payload);
    });
    scope.addHook('onResponse', (req, _reply, done) => {
      release(req);
      done();
    });
  },
  { name: 'webhook-pressure', fastify: '5.x' },
);

function reasonOf(type: string): ShedReason {
  if (type === underPressure.TYPE_EVENT_LOOP_DELAY) return 'event_loop_delay';
  if (type === underPressure.TYPE_EVENT_LOOP_UTILIZATION) return 'event_loop_utilization';
  return 'other';
}
