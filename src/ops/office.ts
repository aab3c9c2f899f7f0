import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import {
  findAccount,
  findAccountByOffice,
  listAccountRows,
  lockAccount,
  otherHolderOfOffice,
  updateAccountOffice,
} from '../accounts/repository';
import { DeliveryStore } from '../ingress/delivery-repository';
import { deleteSyncSchedules, ensureSyncSchedules } from '../schedules';
import { recordAudit, type Actor } from './audit-repository';
import { OpsError } from './errors';

/**
 * Linking an account to its Dialpad office, for the CLI. It does what
 * `PUT/DELETE /api/accounts/:id/dialpad-office` (src/routes/admin/office.ts) does — update, audit row,
 * release of the deliveries that waited for the office and, given Temporal, the account's sync
 * schedules (src/schedules/sync.ts) — so both paths leave the same trace.
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
    const account = await lockAccount(trx, input.accountId);
    if (!account) throw new OpsError('not_found', `no account ${input.accountId}`);
    const holder = await otherHolderOfOffice(trx, input.officeId, input.accountId);
    if (holder) {
      throw new OpsError(
        'conflict',
        `office ${input.officeId} is already linked to account ${holder.id} (${holder.name}); clear it there first`,
      );
    }
    await updateAccountOffice(trx, input.accountId, input.officeId);
    await recordAudit(trx, who, {
      action: 'set_dialpad_office',
      accountId: input.accountId,
      oldValue: account.officeId,
      newValue: input.officeId,
    });
    return account.officeId;
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
    const account = await lockAccount(trx, input.accountId);
    if (!account) throw new OpsError('not_found', `no account ${input.accountId}`);
    await updateAccountOffice(trx, input.accountId, null);
    await recordAudit(trx, who, {
      action: 'clear_dialpad_office',
      accountId: input.accountId,
      oldValue: account.officeId,
      newValue: null,
    });
    return account.officeId;
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
  return (await listAccountRows(db)).map((r) => ({ id: r.id, name: r.name, officeId: r.officeId }));
}

export async function getAccount(db: Knex, accountId: string): Promise<AccountSummary> {
  assertAccountId(accountId);
  const row = await findAccount(db, accountId);
  if (!row) throw new OpsError('not_found', `no account ${accountId}`);
  return { id: row.id, name: row.name, officeId: row.officeId };
}

/**
 * The office a webhook registration acts on: the account's (which must have one), or an office
 * given directly (perhaps not linked yet), with the account linked to it if any. Shared by the
 * CLI and the admin API.
 */
export async function resolveOfficeTarget(
  db: Knex,
  target: { accountId?: string | undefined; officeId?: string | undefined },
  missing: string,
): Promise<{ officeId: string; accountId: string | null }> {
  if (target.accountId) {
    const account = await getAccount(db, target.accountId);
    if (!account.officeId)
      throw new OpsError('bad_request', `account ${account.id} has no Dialpad office ID: set it first`);
    return { officeId: account.officeId, accountId: account.id };
  }
  if (target.officeId) {
    const linked = await findAccountByOffice(db, target.officeId);
    return { officeId: target.officeId, accountId: linked?.id ?? null };
  }
  throw new OpsError('bad_request', missing);
}
