import fp from 'fastify-plugin';
import type { TemporalHandles } from '../temporal/connection';

export interface TemporalPluginOptions {
  temporal: TemporalHandles;
  /** The app owns the connection (the ingress process): closed when the app closes. */
  closeOnClose?: boolean;
}

/** The Temporal client (and its probe connection) as `app.temporal`. */
export const temporalPlugin = fp<TemporalPluginOptions>(
  async (app, opts) => {
    app.decorate('temporal', opts.temporal);
    if (opts.closeOnClose) app.addHook('onClose', async () => opts.temporal.close());
  },
  { name: 'temporal', fastify: '5.x' },
);

declare module 'fastify' {
  interface FastifyInstance {
    temporal: TemporalHandles;
  }
}
