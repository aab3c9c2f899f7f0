import { z } from 'zod';

import { boundedWholeNumber, emptyToUndefined, type VarsOf } from './fields';

/**
 * When the ingress refuses a webhook early (503 with Retry-After, before reading it) instead of
 * answering it late: Dialpad retries a 503, while a delivery that waits past its 5 s is a failed
 * one. Per ingress process; 0 turns a limit off. The plugin: src/plugins/webhook-pressure.ts.
 */
export const pressureFields = {
  /**
   * Webhook requests being handled at once. Past it a delivery would wait behind the others: at
   * the ~50–150 requests/s an ingress on a shared core gets through, 64 ahead is 0.4–1.3 s.
   */
  WEBHOOK_MAX_IN_FLIGHT: boundedWholeNumber(/^\d{1,5}$/, 'expected a whole number from 0 (off) to 99999', 64),
  /**
   * Mean event-loop delay over the last half second, off by default. A webhook takes about five
   * turns of the loop, so 500 ms each would be 2.5 s, the recorded event's own answer budget. Off
   * because it did not fire in the overload it was meant for (the wait was before the process read
   * the requests) and did fire on a single pause: a block spanning a whole sample reads as an
   * infinite delay in @fastify/under-pressure, so the first webhooks after a start were refused.
   */
  WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: boundedWholeNumber(
    /^\d{1,5}$/,
    'expected a whole number of ms from 0 (off) to 99999',
    0,
  ),
  /**
   * Event-loop utilisation over the last half second, off by default: a loop busy with a bounded
   * queue answers in time, and refusing on it refuses every delivery for the whole half second.
   */
  WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(?:0(?:\.\d{1,4})?|\.\d{1,4})$/, 'expected 0 (off) or a fraction below 1, e.g. 0.98')
        .optional(),
    )
    .transform((v) => (v === undefined ? 0 : Number(v))),
};

export interface WebhookPressureConfig {
  /** 0: no cap. */
  maxInFlight: number;
  /** 0: not checked. */
  maxEventLoopDelayMs: number;
  /** 0: not checked. */
  maxEventLoopUtilization: number;
}

export function webhookPressureConfig(v: VarsOf<typeof pressureFields>): WebhookPressureConfig {
  return {
    maxInFlight: v.WEBHOOK_MAX_IN_FLIGHT,
    maxEventLoopDelayMs: v.WEBHOOK_MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: v.WEBHOOK_MAX_EVENT_LOOP_UTILIZATION,
  };
}
