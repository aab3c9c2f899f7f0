import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { callRunSweepWorkflow, retroMatchSweepWorkflow } from '../../workflows';
import { CALL_RUN_SWEEP_SCHEDULE_ID, RETRO_MATCH_SWEEP_SCHEDULE_ID } from '../../workflows/shared/ids';
import { taskQueuesOf } from '../../workflows/shared/task-queues';
import type { CallRunSweepInput, RetroMatchSweepInput } from '../../workflows/shared/types';

export { CALL_RUN_SWEEP_SCHEDULE_ID, RETRO_MATCH_SWEEP_SCHEDULE_ID };

/**
 * A schedule every worker ensures at start (the retro-match sweep, the call-run sweep): created
 * when missing; when present, an operator's pause, interval and note are kept and only the action
 * (task queue, input) is brought up to date: a schedule made before the sync queue moves onto it.
 * Runs never overlap.
 */
export async function ensureSweepScheduleOf(
  client: Client,
  s: {
    scheduleId: string;
    every: string;
    /** The workflow function (started by reference, so its type name cannot drift). */
    workflowType: Workflow;
    args: unknown[];
    /** The queue its runs start on (the sync queue for both sweeps). */
    taskQueue: string;
    workflowExecutionTimeout: string;
    note: string;
  },
): Promise<'created' | 'updated'> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: s.workflowType,
    args: s.args,
    taskQueue: s.taskQueue,
    workflowId: s.scheduleId,
    workflowExecutionTimeout: s.workflowExecutionTimeout,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '5m', pauseOnFailure: false } as const;
  try {
    await client.schedule.create({
      scheduleId: s.scheduleId,
      spec: { intervals: [{ every: s.every }] },
      action,
      policies,
      state: { note: s.note },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(s.scheduleId).update((previous) => ({
    spec: previous.spec,
    action,
    policies,
    state: { paused: previous.state.paused, note: previous.state.note ?? s.note },
  }));
  return 'updated';
}

/**
 * The retro-matching safety net, one schedule for all accounts: every 15 minutes it links
 * stand-alone calls from numbers normalised in the last hour (src/matching/retro.ts,
 * retroMatchSweep). The API's retro-match call does this at once for a record a person edited; the
 * sweep catches numbers written any other way (a contact import, a direct database write, an API
 * call that failed). The window is four intervals, so a sweep skipped while Temporal or the worker
 * was down is covered by the next one.
 */
export const RETRO_MATCH_SWEEP_EVERY = '15m';
export const RETRO_MATCH_SWEEP_WINDOW_MINUTES = 60;

/** `taskQueue`: TEMPORAL_TASK_QUEUE, the base name; the sweep runs on `<base>-sync`. */
export async function ensureRetroMatchSweepSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  const input: RetroMatchSweepInput = { sinceMinutes: RETRO_MATCH_SWEEP_WINDOW_MINUTES };
  return ensureSweepScheduleOf(client, {
    scheduleId: RETRO_MATCH_SWEEP_SCHEDULE_ID,
    every: RETRO_MATCH_SWEEP_EVERY,
    workflowType: retroMatchSweepWorkflow,
    args: [input],
    taskQueue: taskQueuesOf(taskQueue).sync,
    workflowExecutionTimeout: '30 minutes',
    note:
      'Links stand-alone calls from phone numbers added or changed in the last hour, for every account. ' +
      'Pausing it leaves only the retro-matching the API triggers on record edits.',
  });
}

/**
 * The sweep of call runs that ended badly (src/calls/run-sweep.ts, sweepFailedCallRuns), one
 * schedule for all accounts. Its window is several intervals, so a sweep missed while down is covered.
 */
export const CALL_RUN_SWEEP_EVERY = '5m';
export const CALL_RUN_SWEEP_WINDOW_MINUTES = 60;

/** `taskQueue`: TEMPORAL_TASK_QUEUE, the base name; the sweep runs on `<base>-sync`. */
export async function ensureCallRunSweepSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  const input: CallRunSweepInput = { sinceMinutes: CALL_RUN_SWEEP_WINDOW_MINUTES };
  return ensureSweepScheduleOf(client, {
    scheduleId: CALL_RUN_SWEEP_SCHEDULE_ID,
    every: CALL_RUN_SWEEP_EVERY,
    workflowType: callRunSweepWorkflow,
    args: [input],
    taskQueue: taskQueuesOf(taskQueue).sync,
    workflowExecutionTimeout: '10 minutes',
    note:
      'Puts the deliveries of call runs that ended Failed, Terminated or TimedOut back in the relay queue, ' +
      'so no event they held is lost. Pausing it leaves such events unapplied.',
  });
}
