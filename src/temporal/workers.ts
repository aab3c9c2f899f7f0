import {
  type NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { VersioningBehavior } from '@temporalio/common';
import type { WorkerSlots } from '../config/process';
import type { WorkerDeploymentConfig } from '../config/temporal';
import type { Tracing } from '../telemetry/tracing';
import { QUEUE_ROLES, taskQueuesOf, type QueueRole } from '../../workflows/shared/task-queues';

/**
 * One Temporal Worker per task queue (workflows/shared/task-queues.ts), in one process, each with
 * slots of its own: a queue's tasks wait only for that queue's slots, so the sync's half-hour
 * activities and the Dialpad fetches waiting for the rate budget can fill theirs and the live
 * calls' steps still find theirs free.
 *
 * - calls: the workflows and every activity. Its own activities are few (the retro-match of a
 *   record, and the Postgres steps of runs started before they became local activities); the call
 *   runs' Postgres steps are local activities, inside its workflow tasks.
 * - dialpad: activities only; it polls no workflow tasks.
 * - sync: the workflows and every activity.
 *
 * Every worker registers every activity: a run started before the queues were split schedules all
 * its activities on the live calls' queue (workflows/call-activities.ts, dialpadTaskQueue), and a
 * sync schedule not yet moved starts its run there too; neither is stranded.
 */

/** Workflows kept between their tasks by the sync worker: its runs are few (two per account at most, and the sweeps). */
export const SYNC_MAX_CACHED_WORKFLOWS = 100;

/**
 * Postgres connections of each queue's pool in the worker process. The live calls keep the 10 the
 * one pool had; the Dialpad fetches touch Postgres only briefly (a rate reservation, storing what
 * came), so 4 serve their 20 slots; a sync activity may hold one while it commits a page, so the
 * sync pool has one per slot. 18 a process with the defaults.
 */
export function poolSizes(slots: WorkerSlots): Record<QueueRole, number> {
  return { calls: 10, dialpad: 4, sync: slots.sync.activities };
}

export interface QueueWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  /** TEMPORAL_TASK_QUEUE: the live calls' queue and the base of the other two names. */
  taskQueue: string;
  /** Which queues get a worker (all three in the product). */
  roles: readonly QueueRole[];
  slots: WorkerSlots;
  /** The calls worker's sticky cache. */
  maxCachedWorkflows: number;
  workflows: { workflowBundle: WorkflowBundleWithSourceMap } | { workflowsPath: string };
  /** The activities a queue's worker runs (every activity, built on that queue's pool). */
  activitiesFor: (role: QueueRole) => object;
  tracing?: Tracing | undefined;
  /**
   * The Worker Deployment Version every queue's worker polls as (TEMPORAL_WORKER_BUILD_ID);
   * undefined: unversioned workers.
   */
  deployment?: WorkerDeploymentConfig | undefined;
}

/**
 * Each queue's Worker Deployment versioning behaviour, given as its worker's default (docs/operations.md,
 * "Rolling out workflow code"). The queues split the workflow types by how long they live:
 *
 * - calls, PINNED: call runs (a leg's events, then at most the Ai wait window, 15 minutes), a
 *   person's retro-match of one record, a contact push-back (minutes of retries at most). A run
 *   finishes on the build it started on, so a new shape of its commands reaches only runs started
 *   after that build became current and needs no patch. An old build keeps running until its
 *   pinned runs have ended (the version is drained).
 * - sync, AUTO_UPGRADE: the directory and contact syncs and backfills (hours, continue-as-new) and
 *   the sweeps their schedules start every few minutes, which would otherwise keep old builds
 *   alive. A run moves to the current build at its next workflow task, so it must replay on the new
 *   code: every change to its commands still goes behind patched().
 * - dialpad: activities only; a pinned call run's fetches go to its own build's worker here.
 *
 * Not per workflow type (setWorkflowOptions): SDK 1.24's core refuses a workflow task completed with
 * a behaviour by an unversioned worker ("versioning behavior cannot be specified without deployment
 * options being set with versioned mode"), and workflow code cannot tell its worker's mode (on
 * replay workflowInfo().currentDeploymentVersion comes from the history), so every unversioned
 * worker (npm run dev, the tests, a rollback to unversioned) would stall on it.
 */
export const QUEUE_VERSIONING_BEHAVIOR: Readonly<Record<QueueRole, VersioningBehavior>> = {
  calls: 'PINNED',
  dialpad: 'AUTO_UPGRADE',
  sync: 'AUTO_UPGRADE',
};

/**
 * A versioned worker's options: one version for all three queues' workers, so a pinned call run's
 * activities on the Dialpad queue go to the same build as its workflow tasks. None unversioned.
 */
export function deploymentOptions(
  role: QueueRole,
  deployment: WorkerDeploymentConfig | undefined,
): Partial<WorkerOptions> {
  if (!deployment) return {};
  return {
    workerDeploymentOptions: {
      version: { deploymentName: deployment.deploymentName, buildId: deployment.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: QUEUE_VERSIONING_BEHAVIOR[role],
    },
  };
}

/** The workers of one process: run together, stopped together. */
export interface QueueWorkers {
  readonly workers: Readonly<Partial<Record<QueueRole, Worker>>>;
  /** Runs every worker until all have stopped; one failing stops the others and its error is thrown. */
  run(): Promise<void>;
  /** Begins a graceful stop of every running worker (each drains its tasks for up to 20 s). */
  shutdown(): void;
}

export async function createQueueWorkers(o: QueueWorkersOptions): Promise<QueueWorkers> {
  const names = taskQueuesOf(o.taskQueue);
  const roles = QUEUE_ROLES.filter((r) => o.roles.includes(r));
  const workers: Partial<Record<QueueRole, Worker>> = {};
  for (const role of roles) {
    workers[role] = await Worker.create({
      connection: o.connection,
      namespace: o.namespace,
      taskQueue: names[role],
      activities: o.activitiesFor(role),
      shutdownGraceTime: '20 seconds',
      ...deploymentOptions(role, o.deployment),
      ...sizing(role, o),
    });
  }
  let stopping = false;
  const shutdown = () => {
    stopping = true;
    for (const w of Object.values(workers)) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    shutdown,
    run: async () => {
      if (stopping) return;
      const runs = Object.values(workers).map((w) =>
        w.run().catch((err: unknown) => {
          shutdown();
          throw err;
        }),
      );
      const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/** A queue's slots, its cache, and whether it runs workflows (the Dialpad queue does not). */
function sizing(role: QueueRole, o: QueueWorkersOptions): Partial<WorkerOptions> {
  const interceptors = o.tracing?.workerOptions();
  if (role === 'dialpad') {
    return {
      maxConcurrentActivityTaskExecutions: o.slots.dialpad.activities,
      ...(interceptors ? { interceptors: { activity: interceptors.interceptors?.activity ?? [] } } : {}),
    };
  }
  const own = role === 'calls' ? o.slots.calls : o.slots.sync;
  const cache = role === 'calls' ? o.maxCachedWorkflows : Math.max(SYNC_MAX_CACHED_WORKFLOWS, own.workflowTasks);
  return {
    ...o.workflows,
    // More than the cache holds, the SDK lowers it to the cache's size (and says so in its log).
    maxConcurrentWorkflowTaskExecutions: own.workflowTasks,
    maxConcurrentActivityTaskExecutions: own.activities,
    maxCachedWorkflows: cache,
    ...interceptors,
  };
}
