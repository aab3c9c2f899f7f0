import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';
import { DeliveryStore } from '../ingress/deliveries';
import { requireRole } from './auth';

/** Administrator actions: linking a Navigator account to its Dialpad office. */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const admin = requireRole('admin', { apiToken: deps.config.apiToken, adminToken: deps.config.adminToken });
  const store = new DeliveryStore(deps.db);

  app.put<{ Params: { id: string }; Body: { officeId?: unknown } }>(
    '/api/accounts/:id/dialpad-office',
    {
      preHandler: admin,
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
      return { accountId: req.params.id, officeId, previousOfficeId: result.previous, releasedDeliveries: released };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/accounts/:id/dialpad-office',
    {
      preHandler: admin,
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
      return { accountId: req.params.id, officeId: null, previousOfficeId: previous.officeId };
    },
  );
}
