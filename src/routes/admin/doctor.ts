import { doctorDeps, runDoctor } from '../../ops';
import { uuid, type AdminRoutes } from './context';

/** "Why aren't my calls syncing?": the CLI's doctor over HTTP (src/ops/doctor/). */
export const doctorRoutes: AdminRoutes = (app, ctx) => {
  const { config, db, temporal } = ctx.deps;
  app.get<{ Querystring: { accountId?: string; webhookUrl?: string } }>(
    '/api/admin/doctor',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { accountId: uuid, webhookUrl: { type: 'string', minLength: 8, maxLength: 2000 } },
          additionalProperties: false,
        },
      },
    },
    async (req) =>
      runDoctor(
        // The URL Dialpad should deliver to: the query's, else PUBLIC_WEBHOOK_URL.
        doctorDeps(config, {
          db,
          dialpad: ctx.dialpad,
          temporalClient: temporal.client,
          hookUrl: req.query.webhookUrl,
        }),
        req.query.accountId ? { accountId: req.query.accountId } : {},
      ),
  );
};
