import {
  type ActivityOptions,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { CALL_DATABASE_NON_RETRYABLE, CALL_DIALPAD_FETCH_NON_RETRYABLE } from './shared/errors';
import { taskQueuesOf } from './shared/task-queues';

// The call run's activity proxies: which steps run as local activities, and their timeouts and retries.

const databaseActivityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 50,
    nonRetryableErrorTypes: [...CALL_DATABASE_NON_RETRYABLE],
  },
};

/**
 * The short Postgres steps (record an event, match, check the office, derive insights). Runs
 * started before `local-db-activities` run them as ordinary activities; later runs as local
 * activities, inside the workflow task that applies the signal: no activity task to schedule,
 * dispatch and complete on the server for each webhook, which halves the server's work per event.
 * Same retries and timeouts; each step is idempotent, so a retried workflow task may run it again.
 */
export function databaseActivities(local: boolean) {
  return local
    ? proxyLocalActivities<CallActivities>(databaseActivityOptions)
    : proxyActivities<CallActivities>(databaseActivityOptions);
}

/**
 * The same Postgres steps for runs that never drop an event: each try retries for at most the
 * budget, then the run decides (workflows/shared/errors.ts): an outage is waited out on a durable timer,
 * an event that cannot be applied becomes a dead letter. Only local activities: the run's events
 * are applied inside the workflow task that received them.
 */
export function durableDatabaseActivities(budgetSeconds: number) {
  return proxyLocalActivities<CallActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: `${Math.max(1, budgetSeconds)} seconds`,
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
  });
}

/** The Postgres steps of a call run, whichever proxy runs them. */
export type CallDatabaseActivities = ReturnType<typeof databaseActivities>;

/**
 * Where this run's requests to Dialpad's API go: the Dialpad queue named from the run's own queue
 * (`<base>-dialpad`, workflows/shared/task-queues.ts), so that waiting for the shared rate budget
 * holds none of the live calls' slots. Runs started before `activity-task-queues` keep scheduling
 * them on their own queue, as their histories say (every worker still runs every activity).
 * Called once, before the run's first activity, so a run never mixes the two.
 */
export function dialpadTaskQueue(): string | undefined {
  return patched('activity-task-queues') ? taskQueuesOf(workflowInfo().taskQueue).dialpad : undefined;
}

/**
 * Dialpad API calls: bounded retries, since a call must complete even when Dialpad will not answer.
 * `taskQueue`: dialpadTaskQueue(); undefined, the run's own queue.
 */
export function dialpadFetchActivities(maximumAttempts: number, taskQueue: string | undefined) {
  return proxyActivities<CallActivities>({
    ...(taskQueue ? { taskQueue } : {}),
    startToCloseTimeout: '3 minutes',
    // The activities heartbeat every 5 s (activities/heartbeat.ts): one lost with its worker is
    // retried after this, not after the 3 minutes.
    heartbeatTimeout: '20 seconds',
    retry: {
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts,
      nonRetryableErrorTypes: [...CALL_DIALPAD_FETCH_NON_RETRYABLE],
    },
  });
}
