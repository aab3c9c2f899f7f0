import fp from 'fastify-plugin';
import type { Knex } from 'knex';

export interface KnexPluginOptions {
  db: Knex;
  /** The app owns the pool (the ingress process): destroyed when the app closes. Tests keep theirs. */
  destroyOnClose?: boolean;
}

/** The Postgres pool as `app.db`. Registered first, so its onClose runs last (hooks close LIFO). */
export const knexPlugin = fp<KnexPluginOptions>(
  async (app, opts) => {
    app.decorate('db', opts.db);
    if (opts.destroyOnClose) app.addHook('onClose', async () => opts.db.destroy());
  },
  { name: 'knex', fastify: '5.x' },
);

declare module 'fastify' {
  interface FastifyInstance {
    db: Knex;
  }
}
