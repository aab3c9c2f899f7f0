import fp from 'fastify-plugin';
import type { Config } from '../config';
import { DeliveryStore } from '../ingress/delivery-repository';
import { DeliveryRelay } from '../ingress/relay';
import { signalOptionsFromConfig, TemporalBreaker } from '../ingress/signal';

export interface RelayPluginOptions {
  config: Config;
  intervalMs?: number;
  /** Tests may drive the relay by hand (`app.deliveryRelay`) instead of its timer. */
  disabled?: boolean;
}

/**
 * The relay of recorded deliveries to Temporal (`app.deliveryRelay`), started when the app is
 * ready and stopped when it closes, and the breaker it shares with the webhook route
 * (`app.temporalBreaker`): Temporal is skipped for a moment after it failed, and used directly
 * again as soon as the relay reaches it.
 */
export const relayPlugin = fp<RelayPluginOptions>(
  async (app, opts) => {
    const breaker = new TemporalBreaker();
    const relay = new DeliveryRelay(
      new DeliveryStore(app.db),
      app.temporal.client,
      { ...signalOptionsFromConfig(opts.config), timeoutMs: 5_000 },
      app.log,
      app.metrics,
      {
        ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
        onTemporalReached: () => breaker.succeeded(),
      },
    );
    app.decorate('temporalBreaker', breaker);
    app.decorate('deliveryRelay', relay);
    if (!opts.disabled) {
      app.addHook('onReady', async () => relay.start());
      app.addHook('onClose', async () => relay.stop());
    }
  },
  { name: 'relay', fastify: '5.x', dependencies: ['knex', 'temporal', 'metrics'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    deliveryRelay: DeliveryRelay;
    temporalBreaker: TemporalBreaker;
  }
}
