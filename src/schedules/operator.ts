import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../ops/audit-repository';
import { OpsError } from '../ops/errors';
import { scheduleId, scheduleKindName, type ScheduleKindName, type SyncKind } from './kinds';
import { findAccount } from '../accounts/repository';
import { ensureSyncSchedules, runSyncNow, triggerSync } from './sync';

/**
 * The per-account sync schedules (`dialpad-directory-sync-<account_id>`,
 * `dialpad-contact-sync-<account_id>`) as an operator sees them: present, paused, last runs; and
 * the operator's pause, unpause and trigger (audited). Their creation is in ./sync.
 */

const FAILED_RUN = new Set(['FAILED', 'TIMED_OUT', 'TERMINATED']);

export interface ScheduleRun {
  workflowId: string;
  runId: string;
  scheduledAt: string;
  /** Temporal's execution status (RUNNING, COMPLETED, FAILED, …), or UNKNOWN once retention removed it. */
  status: string;
}

export interface ScheduleStatus {
  /** The operator's name for the kind (`directory`, `contact`). */
  kind: ScheduleKindName;
  scheduleId: string;
  present: boolean;
  paused: boolean;
  note: string | null;
  /** Newest first; at most the last five actions. */
  recentRuns: ScheduleRun[];
  nextRunAt: string | null;
}

export async function describeSchedule(
  client: Client,
  accountId: string,
  kindGiven: SyncKind | ScheduleKindName,
): Promise<ScheduleStatus> {
  const kind = scheduleKindName(kindGiven);
  const id = scheduleId(kind, accountId);
  let desc;
  try {
    desc = await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      return { kind, scheduleId: id, present: false, paused: false, note: null, recentRuns: [], nextRunAt: null };
    }
    throw err;
  }
  const actions = [...desc.info.recentActions].sort((a, b) => b.scheduledAt.getTime() - a.scheduledAt.getTime());
  const recentRuns: ScheduleRun[] = [];
  for (const a of actions.slice(0, 5)) {
    const { workflowId, firstExecutionRunId } = a.action.workflow;
    let status = 'UNKNOWN';
    try {
      status = (await client.workflow.getHandle(workflowId, firstExecutionRunId).describe()).status.name;
    } catch {
      // Past the namespace's retention the run is gone; its outcome no longer matters here.
    }
    recentRuns.push({ workflowId, runId: firstExecutionRunId, scheduledAt: a.scheduledAt.toISOString(), status });
  }
  return {
    kind,
    scheduleId: id,
    present: true,
    paused: desc.state.paused,
    note: desc.state.note ?? null,
    recentRuns,
    nextRunAt: desc.info.nextActionTimes[0]?.toISOString() ?? null,
  };
}

export function isFailedRun(run: ScheduleRun): boolean {
  return FAILED_RUN.has(run.status);
}

export type ScheduleAction = 'pause' | 'unpause' | 'trigger';

/** Pause, resume or run now; audited, with the operator's reason as the schedule's note. */
export async function changeSchedule(
  client: Client,
  db: Knex,
  input: { accountId: string; kind: SyncKind | ScheduleKindName; action: ScheduleAction; reason?: string },
  who: Actor,
): Promise<ScheduleStatus> {
  const id = scheduleId(input.kind, input.accountId);
  const handle = client.schedule.getHandle(id);
  const note = `${input.reason ?? `${input.action}d by an administrator`} (${who.actor})`;
  try {
    if (input.action === 'pause') await handle.pause(note);
    else if (input.action === 'unpause') await handle.unpause(note);
    // Asked for during a run, one more pass follows it rather than being skipped.
    else await runSyncNow(client, handle);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      throw new OpsError('not_found', `schedule ${id} does not exist (the account's sync has not been set up)`);
    }
    throw err;
  }
  await recordAudit(db, who, {
    action: `${input.action}_schedule`,
    accountId: input.accountId,
    oldValue: null,
    newValue: { scheduleId: id, ...(input.reason ? { reason: input.reason } : {}) },
  });
  return describeSchedule(client, input.accountId, input.kind);
}

/**
 * Runs an account's sync now, first creating its schedules when they are missing (an account
 * linked before they existed, or by a direct write; a created schedule runs at once): the sync
 * API's POST /api/accounts/:id/sync/:kind. A trigger while a run is going asks that run for one
 * more pass (runSyncNow), as `schedules trigger` does.
 */
export async function triggerAccountSync(
  client: Client,
  db: Knex,
  input: { accountId: string; kind: SyncKind; taskQueue: string },
  who: Actor,
): Promise<{ accountId: string; kind: SyncKind; officeId: string; status: 'triggered' }> {
  const { accountId, kind } = input;
  const account = await findAccount(db, accountId);
  if (!account) throw new OpsError('not_found', 'no such account');
  const officeId = account.officeId;
  if (!officeId) throw new OpsError('conflict', 'the account has no Dialpad office to sync');
  try {
    const schedules = await ensureSyncSchedules(
      client,
      { accountId, officeId, taskQueue: input.taskQueue },
      { officeChanged: false },
    );
    if (schedules[kind] === 'updated') await triggerSync(client, accountId, kind);
  } catch (err) {
    throw new OpsError('temporal_unavailable', 'the sync could not be started: Temporal did not answer', {
      cause: err,
    });
  }
  await recordAudit(db, who, { action: `trigger_${kind}_sync`, accountId, oldValue: null, newValue: officeId });
  return { accountId, kind, officeId, status: 'triggered' };
}
