import type { Priority } from '@temporalio/common';

/**
 * The three Temporal task queues, all named from TEMPORAL_TASK_QUEUE (the base). Each has its own
 * worker in the worker process (src/temporal/workers.ts), with its own slots, so the live calls'
 * steps never wait behind the other two kinds of work:
 *
 * - `calls` (the base name itself, unchanged): call runs (`dialpad-call-<call_id>`) and their
 *   Postgres steps, and the short runs a person waits for (retro-match of a record, contact push-back);
 * - `dialpad` (`<base>-dialpad`): the call runs' requests to Dialpad's API (transcript, recap,
 *   contact push-back), which can wait minutes for the company's shared rate budget. Activities only;
 * - `sync` (`<base>-sync`): the directory and contact syncs, backfills and the periodic sweeps,
 *   workflows and activities (their long paging activities call Dialpad too, but here, where they
 *   cannot hold the slots the live calls' fetches need).
 *
 * Workflow-safe (no Node built-ins, no I/O): a call run names its Dialpad queue from its own queue.
 */
export type QueueRole = 'calls' | 'dialpad' | 'sync';

export const QUEUE_ROLES: readonly QueueRole[] = ['calls', 'dialpad', 'sync'];

export type TaskQueues = Readonly<Record<QueueRole, string>>;

export function taskQueuesOf(base: string): TaskQueues {
  return { calls: base, dialpad: `${base}-dialpad`, sync: `${base}-sync` };
}

/**
 * Work that can wait for the live calls: backfills and the call runs they start. Temporal hands out
 * a queue's tasks in priority order (1 first, 3 when unset, 5 last), and a run's activities inherit
 * its priority, so a backfilled call's Dialpad fetches come after the live calls' on the dialpad queue.
 */
export const BACKGROUND_PRIORITY: Priority = { priorityKey: 5 };
