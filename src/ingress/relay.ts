import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../telemetry/metrics';
import { inStoredTrace } from '../telemetry/context';
import type { CallEventSignal } from '../../workflows/shared/call-event';
import type { DeliveryStore, PendingDelivery } from './delivery-repository';
import { signalCallWorkflow, type SignalOptions } from './signal';

/**
 * Sends recorded deliveries that have not reached Temporal yet: those accepted while Temporal was
 * down, and those waiting for an office that an administrator has since linked. Runs in every
 * ingress process; SKIP LOCKED keeps them from sending the same delivery twice.
 */
export class DeliveryRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: DeliveryStore,
    private readonly client: Client,
    private readonly signalOpts: SignalOptions,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: Metrics,
    private readonly opts: {
      intervalMs?: number;
      /** Signals in flight at once (a serial relay drains far slower than deliveries arrive). */
      concurrency?: number;
      /** Called after a pass reached Temporal (the ingress then signals directly again). */
      onTemporalReached?: () => void;
    } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.opts.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; returns how many deliveries reached Temporal. */
  async runOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const result = await this.store.relayPending(async (batch) => {
        const done: string[] = [];
        const failed: { id: string; error: string }[] = [];
        let down: string | undefined;
        let next = 0;
        const lane = async () => {
          while (next < batch.length) {
            const d = batch[next++]!;
            if (down) {
              failed.push({ id: d.id, error: down });
              continue;
            }
            try {
              // In the trace of the request that recorded it (when tracing is on): the Temporal client's
              // interceptor carries it on into the workflow.
              await inStoredTrace(
                'relay signal',
                d.traceparent,
                { 'navigator.delivery_id': d.id, 'dialpad.call_id': d.ref.callId, 'dialpad.call_state': d.ref.state },
                () => signalCallWorkflow(this.client, signalFromDelivery(d), this.signalOpts),
              );
              done.push(d.id);
            } catch (err) {
              // Temporal is most likely down: stop this batch rather than time out on each delivery.
              down = err instanceof Error ? err.message.split('\n')[0]! : String(err);
              failed.push({ id: d.id, error: down });
            }
          }
        };
        // Signals for one call may go out in any order: the workflow's merge does not depend on it.
        await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, batch.length) }, lane));
        return { done, failed };
      });
      sent += result.done;
      if (result.done) this.opts.onTemporalReached?.();
      if (result.done) this.metrics.relaySignals.inc({ result: 'signalled' }, result.done);
      if (result.failed) this.metrics.relaySignals.inc({ result: 'failed' }, result.failed);
      if (result.claimed === 0 || result.failed > 0 || this.stopped) break;
    }
    if (sent) this.log.info({ sent }, 'relay delivered recorded events to Temporal');
    return sent;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) =>
          this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'relay pass failed'),
        )
        .finally(() => this.schedule(this.opts.intervalMs ?? 1000));
    }, delayMs);
    this.timer.unref();
  }
}

export function signalFromDelivery(d: PendingDelivery): CallEventSignal {
  return {
    deliveryId: d.id,
    accountId: d.accountId,
    officeId: d.officeId,
    ref: d.ref,
    ...(d.replays > 0 ? { replay: d.replays } : {}),
  };
}
