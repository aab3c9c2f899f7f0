import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { DeliveryStore } from '../ingress/deliveries';
import { deleteSyncSchedules, ensureSyncSchedules } from '../sync/schedules';
import { recordAudit, type Actor } from './audit';
import { OpsError } from './errors';

/**
 * Linking an account to its Dialpad office, for the CLI. It does what
 * `PUT/DELETE /api/accounts/:id/dialpad-office` (src/routes/admin.ts) does — update, audit row,
 * release of the deliveries that waited for the office and, given Temporal, the account's sync
 * schedules (src/sync/schedules.ts) — so both paths leave the same trace.
 */
export const OFFICE_ID_PATTERN = /^[0-9]{1,32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OfficeChange {
  accountId: string;
  officeId: string | null;
  previousOfficeId: string | null;
  /** Deliveries that had waited for this office and are now on their way to Temporal. */
  releasedDeliveries: number;
  /** What became of the sync schedules; absent when not asked to manage them. */
  syncSchedules?: Record<string, string>;
  /**
   * The office change is saved but Temporal did not take the schedule change: repeat the command
   * (it is idempotent) rather than believe the sync is set up.
   */
  schedulesError?: string;
}

/** Temporal, for keeping the account's sync schedules in step with its office. */
export interface ScheduleTarget {
  client: Client;
  taskQueue: string;
}

async function syncSchedules(change: OfficeChange, schedules: ScheduleTarget | undefined): Promise<OfficeChange> {
  if (!schedules) return change;
  try {
    const result = change.officeId
      ? await ensureSyncSchedules(
          schedules.client,
          { accountId: change.accountId, officeId: change.officeId, taskQueue: schedules.taskQueue },
          { officeChanged: change.previousOfficeId !== change.officeId },
        )
      : await deleteSyncSchedules(schedules.client, change.accountId);
    return { ...change, syncSchedules: result };
  } catch (err) {
    return { ...change, schedulesError: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

export function assertAccountId(accountId: string): void {
  if (!UUID.test(accountId))
    throw new OpsError('bad_request', `account id must be a UUID (got ${JSON.stringify(accountId)})`);
}

export async function setAccountOffice(
  db: Knex,
  input: { accountId: string; officeId: string },
  who: Actor,
  schedules?: ScheduleTarget,
): Promise<OfficeChange> {
  assertAccountId(input.accountId);
  if (!OFFICE_ID_PATTERN.test(input.officeId)) {
    throw new OpsError('bad_request', `office id must be Dialpad's numeric id (got ${JSON.stringify(input.officeId)})`);
  }
  const previous = await db.transaction(async (trx) => {
    const account = await trx('accounts').where({ id: input.accountId }).forUpdate().first('id', 'dialpad_office_id');
    if (!account) throw new OpsError('not_found', `no account ${input.accountId}`);
    const holder = await trx('accounts')
      .where({ dialpad_office_id: input.officeId })
      .whereNot({ id: input.accountId })
      .first('id', 'name');
    if (holder) {
      throw new OpsError(
        'conflict',
        `office ${input.officeId} is already linked to account ${holder.id} (${holder.name}); clear it there first`,
      );
    }
    await trx('accounts')
      .where({ id: input.accountId })
      .update({ dialpad_office_id: input.officeId, updated_at: trx.fn.now() });
    await recordAudit(trx, who, {
      action: 'set_dialpad_office',
      accountId: input.accountId,
      oldValue: account.dialpad_office_id,
      newValue: input.officeId,
    });
    return account.dialpad_office_id as string | null;
  });
  const released = await new DeliveryStore(db).routeWaiting(input.officeId, input.accountId);
  return syncSchedules(
    { accountId: input.accountId, officeId: input.officeId, previousOfficeId: previous, releasedDeliveries: released },
    schedules,
  );
}

export async function clearAccountOffice(
  db: Knex,
  input: { accountId: string },
  who: Actor,
  schedules?: ScheduleTarget,
): Promise<OfficeChange> {
  assertAccountId(input.accountId);
  const previous = await db.transaction(async (trx) => {
    const account = await trx('accounts').where({ id: input.accountId }).forUpdate().first('dialpad_office_id');
    if (!account) throw new OpsError('not_found', `no account ${input.accountId}`);
    await trx('accounts').where({ id: input.accountId }).update({ dialpad_office_id: null, updated_at: trx.fn.now() });
    await recordAudit(trx, who, {
      action: 'clear_dialpad_office',
      accountId: input.accountId,
      oldValue: account.dialpad_office_id,
      newValue: null,
    });
    return account.dialpad_office_id as string | null;
  });
  return syncSchedules(
    { accountId: input.accountId, officeId: null, previousOfficeId: previous, releasedDeliveries: 0 },
    schedules,
  );
}

export interface AccountSummary {
  id: string;
  name: string;
  officeId: string | null;
}

export async function listAccounts(db: Knex): Promise<AccountSummary[]> {
  const rows: { id: string; name: string; dialpad_office_id: string | null }[] = await db('accounts')
    .orderBy('name')
    .select('id', 'name', 'dialpad_office_id');
  return rows.map((r) => ({ id: r.id, name: r.name, officeId: r.dialpad_office_id }));
}

export async function getAccount(db: Knex, accountId: string): Promise<AccountSummary> {
  assertAccountId(accountId);
  const row = await db('accounts').where({ id: accountId }).first('id', 'name', 'dialpad_office_id');
  if (!row) throw new OpsError('not_found', `no account ${accountId}`);
  return { id: row.id as string, name: row.name as string, officeId: row.dialpad_office_id as string | null };
}
