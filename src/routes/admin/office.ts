import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearAccountOffice, setAccountOffice } from '../../ops/office';
import { accountParams, type AdminRoutes } from './context';

/**
 * An account's Dialpad office: PUT links it, DELETE unlinks it — the same change as the CLI's
 * set-office / clear-office (src/ops/office.ts): update, audit row, release of the deliveries that
 * waited for this office, and the account's sync schedules (a new or changed office syncs at once,
 * so the account is usable without waiting 6 hours).
 */
export const officeRoutes: AdminRoutes = (app, ctx) => {
  const { deps } = ctx;
  const target = { client: deps.temporal.client, taskQueue: deps.config.temporal.taskQueue };

  app.put<{ Params: { id: string }; Body: { officeId?: unknown } }>(
    '/api/accounts/:id/dialpad-office',
    {
      schema: {
        params: accountParams,
        body: {
          type: 'object',
          properties: { officeId: { type: 'string', pattern: '^[0-9]{1,32}$' } },
          required: ['officeId'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const change = await setAccountOffice(
        deps.db,
        { accountId: req.params.id, officeId: String(req.body.officeId) },
        ctx.actor(req),
        target,
      );
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
    { schema: { params: accountParams } },
    async (req, reply) => {
      const change = await clearAccountOffice(deps.db, { accountId: req.params.id }, ctx.actor(req), target);
      req.log.info(
        { accountId: change.accountId, previousOfficeId: change.previousOfficeId },
        'Dialpad office unlinked',
      );
      if (change.schedulesError) return schedulesUnavailable(req, reply, change.schedulesError, 'unlinked');
      const { releasedDeliveries: _none, ...body } = change;
      return body;
    },
  );
};

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
