import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app';
import { requireRole } from '../auth';
import { backfillRoutes } from './backfills';
import { adminContext } from './context';
import { deliveryRoutes } from './deliveries';
import { doctorRoutes } from './doctor';
import { officeRoutes } from './office';
import { scheduleRoutes } from './schedules';
import { webhookRegistrationRoutes } from './webhooks';

/**
 * Administrator operations over HTTP, the same logic as the CLI (src/ops, src/schedules), one
 * module per resource: the account's office, Dialpad webhook registrations, backfills, stored
 * deliveries (dead letters, replays), the account's schedules and syncs, and the doctor.
 * ADMIN_TOKEN only (the API token gets 403), checked onRequest, so a request without a token is a
 * 401 before its parameters are validated. Every change is written to admin_audit_log with the
 * token's role and the caller's address.
 */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.addHook(
    'onRequest',
    requireRole('admin', { apiToken: deps.config.apiToken, adminToken: deps.config.adminToken }),
  );
  const ctx = adminContext(deps);
  for (const routes of [
    officeRoutes,
    webhookRegistrationRoutes,
    backfillRoutes,
    deliveryRoutes,
    scheduleRoutes,
    doctorRoutes,
  ]) {
    await routes(app, ctx);
  }
}
