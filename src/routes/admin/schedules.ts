import { getAccount } from '../../ops';
import {
  changeSchedule,
  describeSchedule,
  parseScheduleKinds,
  SCHEDULE_KIND_NAMES,
  SYNC_KINDS,
  triggerAccountSync,
  type ScheduleAction,
  type SyncKind,
} from '../../schedules';
import { accountParams, uuid, type AdminRoutes } from './context';

/**
 * An account's sync schedules (src/schedules): listed, paused, resumed and run now — the CLI's
 * `schedules list|pause|unpause|trigger`. `:kind` is `directory` or `contact` as operators write
 * it (docs/operations.md); `contacts` is accepted too.
 *
 * POST /api/accounts/:id/sync/:kind is the sync API's way to run a sync now (docs/architecture.md),
 * kept as an alias of …/schedules/:kind/trigger (both run the schedule now through runSyncNow):
 * triggerAccountSync also creates the schedules of an account linked without them, and answers
 * 202 `{ accountId, kind, officeId, status: 'triggered' }` as this route always has.
 */
export const scheduleRoutes: AdminRoutes = (app, ctx) => {
  const { config, db, temporal } = ctx.deps;

  app.get<{ Params: { id: string } }>(
    '/api/admin/accounts/:id/schedules',
    { schema: { params: accountParams } },
    async (req) => {
      await getAccount(db, req.params.id);
      return {
        items: await Promise.all(SYNC_KINDS.map((k) => describeSchedule(temporal.client, req.params.id, k))),
      };
    },
  );

  app.post<{ Params: { id: string; kind: string; action: ScheduleAction }; Body: { reason?: string } | undefined }>(
    '/api/admin/accounts/:id/schedules/:kind/:action',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            id: uuid,
            kind: { type: 'string', enum: [...SCHEDULE_KIND_NAMES, 'contacts'] },
            action: { type: 'string', enum: ['pause', 'unpause', 'trigger'] },
          },
          required: ['id', 'kind', 'action'],
        },
        body: {
          type: ['object', 'null'],
          properties: { reason: { type: 'string', maxLength: 500 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      await getAccount(db, req.params.id);
      const [kind] = parseScheduleKinds(req.params.kind);
      return changeSchedule(
        temporal.client,
        db,
        {
          accountId: req.params.id,
          kind: kind!,
          action: req.params.action,
          ...(req.body?.reason ? { reason: req.body.reason } : {}),
        },
        ctx.actor(req),
      );
    },
  );

  app.post<{ Params: { id: string; kind: SyncKind } }>(
    '/api/accounts/:id/sync/:kind',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: uuid, kind: { type: 'string', enum: [...SYNC_KINDS] } },
          required: ['id', 'kind'],
        },
      },
    },
    async (req, reply) => {
      const { id: accountId, kind } = req.params;
      const triggered = await triggerAccountSync(
        temporal.client,
        db,
        { accountId, kind, taskQueue: config.temporal.taskQueue },
        ctx.actor(req),
      );
      return reply.code(202).send(triggered);
    },
  );
};
