import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * A schedule every worker ensures at start (the retro-match sweep, the call-run sweep): created
 * when missing; when present, an operator's pause, interval and note are kept and only the action
 * (task queue, input) is brought up to date. Runs never overlap.
 */
export async function ensureSweepScheduleOf(
  client: Client,
  s: {
    scheduleId: string;
    every: string;
    /** The workflow function (started by reference, so its type name cannot drift). */
    workflowType: Workflow;
    args: unknown[];
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
