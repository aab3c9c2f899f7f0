import {
  listRegistrations,
  registerOfficeWebhook,
  removeCallSubscription,
  removeWebhook,
  resolveOfficeTarget,
  unregisterOfficeWebhook,
} from '../../ops';
import { dialpadId, uuid, type AdminRoutes } from './context';

/** Dialpad's side: the webhook that signs and delivers events, and the offices' call subscriptions. */
export const webhookRegistrationRoutes: AdminRoutes = (app, ctx) => {
  const { db } = ctx.deps;

  app.get<{ Querystring: { url?: string } }>(
    '/api/admin/dialpad/webhooks',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { url: { type: 'string', maxLength: 2000 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => listRegistrations(ctx.needDialpad(), db, req.query.url ? { hookUrl: req.query.url } : {}),
  );

  /** The office comes from the account, or is given directly (an office not linked yet). */
  const officeOf = (body: { accountId?: string; officeId?: string }) =>
    resolveOfficeTarget(db, body, 'give accountId or officeId');
  const registrationBody = {
    type: 'object',
    properties: { url: { type: 'string', minLength: 8, maxLength: 2000 }, accountId: uuid, officeId: dialpadId },
    required: ['url'],
    additionalProperties: false,
  } as const;

  app.post<{ Body: { url: string; accountId?: string; officeId?: string } }>(
    '/api/admin/dialpad/webhooks',
    { schema: { body: registrationBody } },
    async (req, reply) => {
      const target = await officeOf(req.body);
      const result = await registerOfficeWebhook(
        ctx.needDialpad(),
        db,
        { hookUrl: req.body.url, ...target },
        ctx.actor(req),
      );
      req.log.info(
        { officeId: target.officeId, webhookId: result.webhook.id, changed: result.changed },
        'Dialpad webhook registration',
      );
      // The secret is in this one answer only; the audit log and our logs never see it.
      return reply.code(result.changed ? 201 : 200).send(result);
    },
  );

  app.post<{ Body: { url: string; accountId?: string; officeId?: string } }>(
    '/api/admin/dialpad/webhooks/unregister',
    { schema: { body: registrationBody } },
    async (req) => {
      const target = await officeOf(req.body);
      return unregisterOfficeWebhook(ctx.needDialpad(), db, { hookUrl: req.body.url, ...target }, ctx.actor(req));
    },
  );

  const idParams = { type: 'object', properties: { id: dialpadId }, required: ['id'] } as const;
  app.delete<{ Params: { id: string } }>(
    '/api/admin/dialpad/webhooks/:id',
    { schema: { params: idParams } },
    async (req) => removeWebhook(ctx.needDialpad(), db, req.params.id, ctx.actor(req)),
  );
  app.delete<{ Params: { id: string } }>(
    '/api/admin/dialpad/subscriptions/:id',
    { schema: { params: idParams } },
    async (req) => removeCallSubscription(ctx.needDialpad(), db, req.params.id, ctx.actor(req)),
  );
};
