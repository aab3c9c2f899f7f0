import { findAccount } from '../../accounts/repository';
import { loggableError } from '../../db/errors';
import { getAccount, recordAudit } from '../../ops';
import {
  changeSchedule,
  describeSchedule,
  ensureSyncSchedules,
  parseScheduleKinds,
  SCHEDULE_KIND_NAMES,
  SYNC_KINDS,
  triggerSync,
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
 * kept as an alias of …/schedules/:kind/trigger: the same run-now (src/schedules, runSyncNow via
 * triggerSync), which first creates the schedules of an account linked without them, answers 202
 * `{ accountId, kind, officeId, status: 'triggered' }` and 503 when Temporal does not answer.
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
      const account = await findAccount(db, accountId);
      if (!account) return reply.code(404).send({ error: 'not_found', message: 'no such account' });
      const officeId = account.officeId;
      if (!officeId) {
        return reply.code(409).send({ error: 'conflict', message: 'the account has no Dialpad office to sync' });
      }
      try {
        // Schedules missing (an account linked before they existed) are created, and run at once;
        // otherwise a trigger while a run is going queues one run after it.
        const schedules = await ensureSyncSchedules(
          temporal.client,
          { accountId, officeId, taskQueue: config.temporal.taskQueue },
          { officeChanged: false },
        );
        if (schedules[kind] === 'updated') await triggerSync(temporal.client, accountId, kind);
      } catch (err) {
        req.log.error({ err: loggableError(err), accountId, kind }, 'could not trigger the sync');
        return reply
          .code(503)
          .send({ error: 'temporal_unavailable', message: 'the sync could not be started: Temporal did not answer' });
      }
      await recordAudit(db, ctx.actor(req), {
        action: `trigger_${kind}_sync`,
        accountId,
        oldValue: null,
        newValue: officeId,
      });
      return reply.code(202).send({ accountId, kind, officeId, status: 'triggered' });
    },
  );
};
