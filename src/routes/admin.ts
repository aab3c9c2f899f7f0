import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app';
import { DeliveryStore } from '../ingress/deliveries';
import { deleteSyncSchedules, ensureSyncSchedules, triggerSync } from '../sync/schedules';
import { SYNC_KINDS, type SyncKind } from '../sync/types';
import { requireRole } from './auth';

/**
 * Administrator actions: linking a Navigator account to its Dialpad office, which also creates,
 * updates or removes the account's sync schedules (src/sync/schedules.ts), and running a sync now.
 */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const admin = requireRole('admin', { apiToken: deps.config.apiToken, adminToken: deps.config.adminToken });
  const store = new DeliveryStore(deps.db);

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
      const officeId = String(req.body.officeId);
      const result = await deps.db.transaction(async (trx) => {
        const account = await trx('accounts').where({ id: req.params.id }).forUpdate().first('id', 'dialpad_office_id');
        if (!account) return { status: 404 as const };
        const holder = await trx('accounts')
          .where({ dialpad_office_id: officeId })
          .whereNot({ id: req.params.id })
          .first('id');
        if (holder) return { status: 409 as const };
        await trx('accounts')
          .where({ id: req.params.id })
          .update({ dialpad_office_id: officeId, updated_at: trx.fn.now() });
        await trx('admin_audit_log').insert({
          actor: req.actor,
          action: 'set_dialpad_office',
          account_id: req.params.id,
          old_value: account.dialpad_office_id,
          new_value: officeId,
          source_address: req.ip,
        });
        return { status: 200 as const, previous: account.dialpad_office_id as string | null };
      });
      if (result.status === 404) return reply.code(404).send({ error: 'not_found', message: 'no such account' });
      if (result.status === 409) {
        return reply
          .code(409)
          .send({ error: 'conflict', message: `office ${officeId} is already linked to another account` });
      }
      // Events that arrived before the office was linked are now routed; the relay sends them.
      const released = await store.routeWaiting(officeId, req.params.id);
      req.log.info({ accountId: req.params.id, officeId, released }, 'Dialpad office linked');
      let schedules;
      try {
        // A new or changed office syncs at once, so the account is usable without waiting 6 hours.
        schedules = await ensureSyncSchedules(
          deps.temporal.client,
          { accountId: req.params.id, officeId, taskQueue: deps.config.temporal.taskQueue },
          { officeChanged: result.previous !== officeId },
        );
      } catch (err) {
        return schedulesUnavailable(req, reply, err, 'linked');
      }
      return {
        accountId: req.params.id,
        officeId,
        previousOfficeId: result.previous,
        releasedDeliveries: released,
        syncSchedules: schedules,
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/accounts/:id/dialpad-office',
    {
      onRequest: admin, // before schema validation: no token is a 401, not a 400
      schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } },
    },
    async (req, reply) => {
      const previous = await deps.db.transaction(async (trx) => {
        const account = await trx('accounts').where({ id: req.params.id }).forUpdate().first('dialpad_office_id');
        if (!account) return undefined;
        await trx('accounts')
          .where({ id: req.params.id })
          .update({ dialpad_office_id: null, updated_at: trx.fn.now() });
        await trx('admin_audit_log').insert({
          actor: req.actor,
          action: 'clear_dialpad_office',
          account_id: req.params.id,
          old_value: account.dialpad_office_id,
          new_value: null,
          source_address: req.ip,
        });
        return { officeId: account.dialpad_office_id as string | null };
      });
      if (!previous) return reply.code(404).send({ error: 'not_found', message: 'no such account' });
      let schedules;
      try {
        schedules = await deleteSyncSchedules(deps.temporal.client, req.params.id);
      } catch (err) {
        return schedulesUnavailable(req, reply, err, 'unlinked');
      }
      return {
        accountId: req.params.id,
        officeId: null,
        previousOfficeId: previous.officeId,
        syncSchedules: schedules,
      };
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
      const account = await deps.db('accounts').where({ id: accountId }).first('dialpad_office_id');
      if (!account) return reply.code(404).send({ error: 'not_found', message: 'no such account' });
      const officeId = account.dialpad_office_id as string | null;
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
        req.log.error({ err, accountId, kind }, 'could not trigger the sync');
        return reply
          .code(503)
          .send({ error: 'temporal_unavailable', message: 'the sync could not be started: Temporal did not answer' });
      }
      await deps.db('admin_audit_log').insert({
        actor: req.actor,
        action: `trigger_${kind}_sync`,
        account_id: accountId,
        new_value: officeId,
        source_address: req.ip,
      });
      return reply.code(202).send({ accountId, kind, officeId, status: 'triggered' });
    },
  );
}

/**
 * The office change is saved, but Temporal did not take the schedule change: say so, so the
 * administrator repeats the request (it is idempotent) rather than believe the sync is set up.
 */
function schedulesUnavailable(req: FastifyRequest, reply: FastifyReply, err: unknown, change: 'linked' | 'unlinked') {
  req.log.error({ err, accountId: (req.params as { id: string }).id }, 'sync schedules not updated');
  return reply.code(503).send({
    error: 'schedules_not_updated',
    message: `the office was ${change}, but its sync schedules could not be updated (Temporal did not answer); repeat this request`,
  });
}
