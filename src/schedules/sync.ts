import {
  ScheduleAlreadyRunning,
  WorkflowNotFoundError,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Duration, SearchAttributePair, Workflow } from '@temporalio/common';
import type { Knex } from 'knex';
import { DialpadOfficeId, NavigatorAccountId } from '../../workflows/shared/search-attributes';
import { syncScheduleId } from '../../workflows/shared/ids';
import { syncAgainSignal } from '../../workflows/shared/signals';
import { taskQueuesOf } from '../../workflows/shared/task-queues';
import type { SyncWorkflowInput } from '../../workflows/shared/types';
import { SYNC_KINDS, SYNC_WORKFLOWS, type SyncKind } from '../sync/types';
import { listAccountRows } from '../accounts/repository';

/**
 * One Temporal Schedule per account and kind of sync: `dialpad-directory-sync-<account_id>` and
 * `dialpad-contact-sync-<account_id>` (ids in workflows/shared/ids.ts, docs/architecture.md). Each starts its workflow on the sync task
 * queue (`<TEMPORAL_TASK_QUEUE>-sync`, workflows/shared/task-queues.ts) with `{ accountId }`; the run reads the office from the account, so a schedule never holds
 * a stale office. Created or updated when an office is linked (with a first run at once), deleted
 * when it is unlinked, triggerable on demand, pausable in the Temporal UI (the note says what
 * pausing stops).
 */

export { syncScheduleId };

/**
 * Default intervals. Constants rather than configuration: an operator changes one account's
 * interval in the Temporal UI or CLI (`temporal schedule update`), and that change is kept when the
 * office is re-linked; `ensureSyncSchedules({ intervals })` sets them from code.
 *
 * - Directory, 6 hours: offices, departments and users change a few times a week, and calls carry
 *   their office id anyway (the directory only names who answered and routes the rare event
 *   without one). A full pass of 2,000 users is ~25 requests, so this costs nothing.
 * - Contacts, 15 minutes: a contact added on one side should be callable by name on the other
 *   within the quarter hour. A pass re-lists every contact (Dialpad has no "changed since"), about
 *   1,100 requests for 50,000 contacts, under a minute of the 20 requests/s budget, i.e. under 10 %
 *   of it. A backlog of creates (100/min) is spread over runs: each run pushes at most
 *   MAX_CREATES_PER_RUN, which fits in the interval.
 *
 * Jitter keeps every account of one Dialpad company (they share its budget) from firing together.
 */
export const SYNC_INTERVALS: Readonly<Record<SyncKind, { every: Duration; jitter: Duration }>> = {
  directory: { every: '6h', jitter: '15m' },
  contacts: { every: '15m', jitter: '1m' },
};

/** Runs missed while Temporal was down are not caught up: the next regular run covers them. */
const CATCHUP_WINDOW: Duration = '5m';

/**
 * The schedule never starts a run of an account while the previous one is still going (a slow
 * first import, a 429 storm): it skips that tick. A trigger on demand during a run asks that run
 * to go again when it is done (see `runSyncNow`), so asking for a sync during a sync is not lost;
 * the server's own buffer (BUFFER_ONE) is only the fallback for a run that starts in between.
 */
const SCHEDULED_OVERLAP = ScheduleOverlapPolicy.SKIP;
const TRIGGER_OVERLAP = ScheduleOverlapPolicy.BUFFER_ONE;

const DESCRIPTION: Record<SyncKind, string> = {
  directory: 'Dialpad directory sync (office, departments, call centres, users)',
  contacts: 'Dialpad two-way contact sync',
};

export interface SyncScheduleTarget {
  accountId: string;
  officeId: string;
  /** TEMPORAL_TASK_QUEUE, the base name: the runs start on its sync queue, `<base>-sync`. */
  taskQueue: string;
}

export interface EnsureSyncSchedulesOptions {
  /**
   * The office changed: existing schedules run once now, so the new office is read at once. A
   * schedule created here always runs at once (a newly linked account is usable right away).
   */
  officeChanged: boolean;
  /** Override the interval; when absent, an existing schedule keeps the one it has. */
  intervals?: Partial<Record<SyncKind, Duration>>;
}

function note(kind: SyncKind, t: SyncScheduleTarget): string {
  return `${DESCRIPTION[kind]} for Navigator account ${t.accountId}, Dialpad office ${t.officeId}. Pausing stops this sync for this account only; the last checkpoint is kept and the next run resumes from it.`;
}

function searchAttributes(t: SyncScheduleTarget): SearchAttributePair[] {
  return [
    { key: NavigatorAccountId, value: t.accountId },
    { key: DialpadOfficeId, value: t.officeId },
  ];
}

function spec(kind: SyncKind, every?: Duration): ScheduleSpec {
  return { intervals: [{ every: every ?? SYNC_INTERVALS[kind].every }], jitter: SYNC_INTERVALS[kind].jitter };
}

function action(kind: SyncKind, t: SyncScheduleTarget): ScheduleOptionsStartWorkflowAction<Workflow> {
  const input: SyncWorkflowInput = { accountId: t.accountId };
  return {
    type: 'startWorkflow',
    workflowType: SYNC_WORKFLOWS[kind],
    args: [input],
    taskQueue: taskQueuesOf(t.taskQueue).sync,
    // Each run is `<schedule id>-<time>`: found in the UI by the schedule's id.
    workflowId: syncScheduleId(kind, t.accountId),
    memo: { accountId: t.accountId, kind },
    typedSearchAttributes: searchAttributes(t),
  };
}

const policies = { overlap: SCHEDULED_OVERLAP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false };

/**
 * Creates both schedules, or brings existing ones up to date (task queue, office in the note and
 * search attributes), keeping a pause an operator set and an interval changed outside this code.
 */
export async function ensureSyncSchedules(
  client: Client,
  target: SyncScheduleTarget,
  options: EnsureSyncSchedulesOptions,
): Promise<Record<SyncKind, 'created' | 'updated'>> {
  const out = {} as Record<SyncKind, 'created' | 'updated'>;
  for (const kind of SYNC_KINDS) {
    const scheduleId = syncScheduleId(kind, target.accountId);
    try {
      await client.schedule.create({
        scheduleId,
        spec: spec(kind, options.intervals?.[kind]),
        action: action(kind, target),
        policies,
        memo: { accountId: target.accountId, kind, description: DESCRIPTION[kind] },
        typedSearchAttributes: searchAttributes(target),
        state: { note: note(kind, target) },
      });
      // Run at once. Not `triggerImmediately`: the Temporal server does not count a run started that
      // way as running, so the overlap policy would let a trigger moments later run beside it.
      await client.schedule.getHandle(scheduleId).trigger(TRIGGER_OVERLAP);
      out[kind] = 'created';
      continue;
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    const handle = client.schedule.getHandle(scheduleId);
    await updateSyncSchedule(handle, kind, target, options.intervals?.[kind]);
    if (options.officeChanged) await runSyncNow(client, handle);
    out[kind] = 'updated';
  }
  return out;
}

/**
 * Brings an existing schedule up to date (task queue, office in the note and search attributes),
 * keeping a pause an operator set and, unless `every` is given, its interval.
 */
async function updateSyncSchedule(
  handle: ScheduleHandle,
  kind: SyncKind,
  target: SyncScheduleTarget,
  every?: Duration,
): Promise<void> {
  await handle.update((previous) => ({
    spec: every ? spec(kind, every) : (previous.spec as ScheduleSpec),
    action: action(kind, target),
    policies,
    typedSearchAttributes: searchAttributes(target),
    state: {
      paused: previous.state.paused,
      note: note(kind, target),
      ...(previous.state.remainingActions !== undefined ? { remainingActions: previous.state.remainingActions } : {}),
    },
  }));
}

/**
 * Moves every linked account's existing sync schedules that start their runs on another queue (the
 * one queue of versions before the sync queue) onto the sync queue; the rest are only read. Every
 * worker does this at start, as it ensures the sweeps. Missing schedules are left to
 * reconcileSyncSchedules (creating one starts a run), accounts without an office to their unlinking.
 */
export async function retargetSyncSchedules(
  client: Client,
  db: Knex,
  taskQueue: string,
): Promise<{ checked: number; moved: number }> {
  const queue = taskQueuesOf(taskQueue).sync;
  let checked = 0;
  let moved = 0;
  for (const account of await listAccountRows(db)) {
    if (!account.officeId) continue;
    const target = { accountId: account.id, officeId: account.officeId, taskQueue };
    for (const kind of SYNC_KINDS) {
      const handle = syncScheduleHandle(client, account.id, kind);
      let current: string | undefined;
      try {
        const { action: a } = await handle.describe();
        current = a.type === 'startWorkflow' ? a.taskQueue : undefined;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) continue;
        throw err;
      }
      checked++;
      if (current === queue) continue;
      await updateSyncSchedule(handle, kind, target);
      moved++;
    }
  }
  return { checked, moved };
}

/**
 * Deletes both schedules (absent ones are fine) and cancels their runs in progress: the account no
 * longer has an office to sync. A cancelled run leaves a consistent checkpoint behind.
 */
export async function deleteSyncSchedules(
  client: Client,
  accountId: string,
): Promise<Record<SyncKind, 'deleted' | 'absent'>> {
  const out = {} as Record<SyncKind, 'deleted' | 'absent'>;
  for (const kind of SYNC_KINDS) {
    const handle = client.schedule.getHandle(syncScheduleId(kind, accountId));
    try {
      const running = (await handle.describe()).info.runningActions;
      await handle.delete();
      for (const run of running) {
        await client.workflow
          .getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId)
          .cancel()
          .catch(() => undefined); // Already finished: nothing to stop.
      }
      out[kind] = 'deleted';
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      out[kind] = 'absent';
    }
  }
  return out;
}

/**
 * Starts a sync of this account now (for the API and the CLI). If one is running, one more pass
 * follows it under the same run. Throws ScheduleNotFoundError when the account has no schedule
 * (no office linked).
 */
export async function triggerSync(
  client: Client,
  accountId: string,
  kind: SyncKind,
): Promise<'started' | 'after_running_sync'> {
  return runSyncNow(client, client.schedule.getHandle(syncScheduleId(kind, accountId)));
}

/**
 * A run going: it is signalled to go again when done (the Temporal server's BUFFER_ONE was seen to
 * drop a trigger buffered behind a running action under load). None going, or it ended before the
 * signal reached it: the schedule is triggered, buffering behind a run that started in between.
 */
export async function runSyncNow(client: Client, handle: ScheduleHandle): Promise<'started' | 'after_running_sync'> {
  const { info } = await handle.describe();
  for (const running of info.runningActions) {
    try {
      await client.workflow.getHandle(running.workflow.workflowId).signal(syncAgainSignal);
      return 'after_running_sync';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  await handle.trigger(TRIGGER_OVERLAP);
  return 'started';
}

export function syncScheduleHandle(client: Client, accountId: string, kind: SyncKind): ScheduleHandle {
  return client.schedule.getHandle(syncScheduleId(kind, accountId));
}

/**
 * Makes Temporal match the accounts table: schedules for every linked account (created without an
 * immediate run when missing, e.g. accounts linked before this feature or by a direct insert), and
 * none for accounts without an office. A schedule created here runs at once; existing ones are only
 * brought up to date. For the CLI, the dev runner, or a deploy step.
 */
export async function reconcileSyncSchedules(
  client: Client,
  db: Knex,
  taskQueue: string,
): Promise<{ ensured: number; deleted: number }> {
  const accounts = (await listAccountRows(db)).map((a) => ({ id: a.id, dialpad_office_id: a.officeId }));
  let ensured = 0;
  let deleted = 0;
  for (const a of accounts) {
    if (a.dialpad_office_id) {
      await ensureSyncSchedules(
        client,
        { accountId: a.id, officeId: a.dialpad_office_id, taskQueue },
        { officeChanged: false },
      );
      ensured++;
    } else {
      const result = await deleteSyncSchedules(client, a.id);
      if (Object.values(result).includes('deleted')) deleted++;
    }
  }
  return { ensured, deleted };
}
