import { loggableError } from '../db/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app';
import { recordAudit, type Actor } from '../ops/audit';
import { OpsError } from '../ops/errors';
import { clearAccountOffice, setAccountOffice } from '../ops/office';
import { ensureSyncSchedules, triggerSync } from '../schedules';
import { SYNC_KINDS, type SyncKind } from '../sync/types';
import { requireRole } from './auth';
import { findAccount } from '../accounts/repository';

/**
 * Administrator actions: linking a Navigator account to its Dialpad office, which also creates,
 * updates or removes the account's sync schedules (src/schedules/sync.ts), and running a sync now.
 */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const admin = requireRole('admin', { apiToken: deps.config.apiToken, adminToken: deps.config.adminToken });
  const target = { client: deps.temporal.client, taskQueue: deps.config.temporal.taskQueue };
  const actor = (req: FastifyRequest): Actor => ({ actor: req.actor ?? 'admin', sourceAddress: req.ip });

  app.put<{ Params: { id: string }; Body: { officeId?: unknown } }>(
    '/api/accounts/:id/dialpad-office',
    {
      onRequest: admin, // before schema validation: no token is a 401, not a 400
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
        body: {
          type: 'object',
          properties: { officeId: { type: 'string', pattern: '^[0-9]{1,32}$' } },
          required: ['officeId'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      // The same change as the CLI's set-office (src/ops/office.ts): update, audit row, release of
      // the deliveries that waited for this office, and the account's sync schedules (a new or
      // changed office syncs at once, so the account is usable without waiting 6 hours).
      const change = await opsCall(reply, () =>
        setAccountOffice(
          deps.db,
          { accountId: req.params.id, officeId: String(req.body.officeId) },
          actor(req),
          target,
        ),
      );
      if (!change) return reply;
      req.log.info(
        { accountId: change.accountId, officeId: change.officeId, released: change.releasedDeliveries },
        'Dialpad office linked',
      );
      if (change.schedulesError) return schedulesUnavailable(req, reply, change.schedulesError, 'linked');
      return change;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/accounts/:id/dialpad-office',
    {
      onRequest: admin, // before schema validation: no token is a 401, not a 400
      schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } },
    },
    async (req, reply) => {
      const change = await opsCall(reply, () =>
        clearAccountOffice(deps.db, { accountId: req.params.id }, actor(req), target),
      );
      if (!change) return reply;
      req.log.info(
        { accountId: change.accountId, previousOfficeId: change.previousOfficeId },
        'Dialpad office unlinked',
      );
      if (change.schedulesError) return schedulesUnavailable(req, reply, change.schedulesError, 'unlinked');
      const { releasedDeliveries: _none, ...body } = change;
      return body;
    },
  );

  app.post<{ Params: { id: string; kind: SyncKind } }>(
    '/api/accounts/:id/sync/:kind',
    {
      onRequest: admin, // before schema validation: no token is a 401, not a 400
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', format: 'uuid' }, kind: { type: 'string', enum: [...SYNC_KINDS] } },
          required: ['id', 'kind'],
        },
      },
    },
    async (req, reply) => {
      const { id: accountId, kind } = req.params;
      const account = await findAccount(deps.db, accountId);
      if (!account) return reply.code(404).send({ error: 'not_found', message: 'no such account' });
      const officeId = account.officeId;
      if (!officeId) {
        return reply.code(409).send({ error: 'conflict', message: 'the account has no Dialpad office to sync' });
      }
      try {
        // Schedules missing (an account linked before they existed) are created, and run at once;
        // otherwise a trigger while a run is going queues one run after it.
        const schedules = await ensureSyncSchedules(
          deps.temporal.client,
          { accountId, officeId, taskQueue: deps.config.temporal.taskQueue },
          { officeChanged: false },
        );
        if (schedules[kind] === 'updated') await triggerSync(deps.temporal.client, accountId, kind);
      } catch (err) {
        req.log.error({ err: loggableError(err), accountId, kind }, 'could not trigger the sync');
        return reply
          .code(503)
          .send({ error: 'temporal_unavailable', message: 'the sync could not be started: Temporal did not answer' });
      }
      await recordAudit(deps.db, actor(req), {
        action: `trigger_${kind}_sync`,
        accountId,
        oldValue: null,
        newValue: officeId,
      });
      return reply.code(202).send({ accountId, kind, officeId, status: 'triggered' });
    },
  );
}

/** Runs an ops action; an OpsError becomes its status and message (undefined is returned then). */
async function opsCall<T>(reply: FastifyReply, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof OpsError)) throw err;
    await reply.code(err.statusCode).send({ error: err.code, message: err.message });
    return undefined;
  }
}

/**
 * The office change is saved, but Temporal did not take the schedule change: say so, so the
 * administrator repeats the request (it is idempotent) rather than believe the sync is set up.
 */
function schedulesUnavailable(req: FastifyRequest, reply: FastifyReply, reason: string, change: 'linked' | 'unlinked') {
  req.log.error({ err: reason, accountId: (req.params as { id: string }).id }, 'sync schedules not updated');
  return reply.code(503).send({
    error: 'schedules_not_updated',
    message: `the office was ${change}, but its sync schedules could not be updated (Temporal did not answer); repeat this request`,
  });
}
