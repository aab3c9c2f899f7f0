import { signalOptionsFromConfig } from '../../ingress/signal';
import { backfillStatus, parseInstant, startBackfill } from '../../ops';
import { isoTime, uuid, type AdminRoutes } from './context';

/** Backfills of an account's concluded calls over a range (a Temporal workflow each). */
export const backfillRoutes: AdminRoutes = (app, ctx) => {
  const { config, db, temporal } = ctx.deps;
  const signalSettings = signalOptionsFromConfig(config);

  app.post<{ Body: { accountId: string; from: string; to: string; windowHours?: number } }>(
    '/api/admin/backfills',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            accountId: uuid,
            from: isoTime,
            to: isoTime,
            windowHours: { type: 'number', minimum: 0.02, maximum: 744 },
          },
          required: ['accountId', 'from', 'to'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const started = await startBackfill(
        temporal.client,
        db,
        {
          accountId: req.body.accountId,
          from: parseInstant(req.body.from, 'from'),
          to: parseInstant(req.body.to, 'to'),
          ...(req.body.windowHours !== undefined ? { windowMinutes: Math.round(req.body.windowHours * 60) } : {}),
        },
        signalSettings,
        ctx.actor(req),
      );
      return reply.code(202).send(started);
    },
  );

  app.get<{ Params: { workflowId: string } }>(
    '/api/admin/backfills/:workflowId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { workflowId: { type: 'string', maxLength: 200 } },
          required: ['workflowId'],
        },
      },
    },
    async (req) => backfillStatus(temporal.client, req.params.workflowId),
  );
};
