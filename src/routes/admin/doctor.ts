import { runDoctor } from '../../ops';
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
        {
          db,
          dialpad: ctx.dialpad,
          temporal: {
            client: temporal.client,
            namespace: config.temporal.namespace,
            taskQueue: config.temporal.taskQueue,
          },
          webhookSecret: config.dialpad.webhookSecret,
          webhookSecretPrevious: config.dialpad.webhookSecretPrevious,
          webhookSecretPreviousUntil: config.dialpad.webhookSecretPreviousUntil,
          // The URL Dialpad should deliver to.
          hookUrl: req.query.webhookUrl ?? config.dialpad.publicWebhookUrl,
        },
        req.query.accountId ? { accountId: req.query.accountId } : {},
      ),
  );
};
