import {
  cloudInstructions,
  searchAttributeState,
  type SearchAttributeState,
} from '../../temporal/search-attribute-setup';
import {
  describeSchedule,
  isFailedRun,
  SCHEDULE_KIND_NAMES as SCHEDULE_KINDS,
  scheduleId,
  type ScheduleKindName as ScheduleKind,
} from '../../schedules';
import { sleep } from '../../dialpad/rate-limit';
import { QUEUE_ROLES, taskQueuesOf, type QueueRole } from '../../../workflows/shared/task-queues';
import { CLI, fail, message, pass, warn } from './common';
import type { DoctorCheck, DoctorDeps } from './types';

// Temporal's side: workers polling the task queues, the search attributes, each account's schedules.

/**
 * A read asked twice before it is reported as unanswered: a server busy for a moment (a deadline
 * passed, a connection reset) is not a finding, and every read here is safe to repeat.
 */
async function readTwice<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    await sleep(500);
    return read();
  }
}

/** What waits when no worker polls a queue, and which kind of task its workers poll (1 workflow, 2 activity). */
const QUEUE_WORK: Record<QueueRole, { type: 1 | 2; waits: string }> = {
  calls: { type: 1, waits: 'calls are recorded and wait' },
  dialpad: {
    type: 2,
    waits:
      "call runs wait for their Ai data and contact push-back (a worker of an older version polls only the live calls' queue)",
  },
  sync: { type: 1, waits: 'syncs, backfills and sweeps wait' },
};

export async function temporalCheck(deps: DoctorDeps): Promise<DoctorCheck> {
  const title = 'Temporal and a worker';
  if (!deps.temporal) return warn('temporal', title, 'not checked: no Temporal connection here');
  const { client, namespace, taskQueue } = deps.temporal;
  const queues = taskQueuesOf(taskQueue);
  try {
    const pollers = await Promise.all(
      QUEUE_ROLES.map(async (role) => {
        const res = await client.connection.withDeadline(Date.now() + 5_000, () =>
          client.workflowService.describeTaskQueue({
            namespace,
            // TASK_QUEUE_KIND_NORMAL; TASK_QUEUE_TYPE_WORKFLOW or _ACTIVITY
            taskQueue: { name: queues[role], kind: 1 },
            taskQueueType: QUEUE_WORK[role].type,
          }),
        );
        return { role, count: res.pollers?.length ?? 0 };
      }),
    );
    const idle = pollers.filter((p) => p.count === 0);
    if (idle.length > 0) {
      return fail(
        'temporal',
        title,
        `Temporal answers, but no worker polls ${idle.map((p) => `task queue ${queues[p.role]} (${QUEUE_WORK[p.role].waits})`).join('; ')}`,
        `start a worker of this version (npm run start:worker) with TEMPORAL_TASK_QUEUE=${taskQueue} and TEMPORAL_NAMESPACE=${namespace}: it polls all three queues`,
      );
    }
    const [calls, ...others] = pollers;
    return pass(
      'temporal',
      title,
      `${calls!.count} worker poller(s) on task queue ${taskQueue}, ${others.map((p) => `${p.count} on ${queues[p.role]}`).join(', ')} (namespace ${namespace})`,
    );
  } catch (err) {
    return fail(
      'temporal',
      title,
      `Temporal unreachable: ${message(err)}`,
      'check TEMPORAL_ADDRESS and that the cluster is up; the ingress keeps recording events meanwhile and its relay sends them later',
    );
  }
}

export async function searchAttributesCheck(deps: DoctorDeps): Promise<DoctorCheck> {
  const id = 'temporal_search_attributes';
  const title = 'Temporal search attributes';
  if (!deps.temporal) return warn(id, title, 'not checked: no Temporal connection here');
  const { client, namespace } = deps.temporal;
  let state: SearchAttributeState;
  try {
    state = await readTwice(() => searchAttributeState(client, namespace));
  } catch (err) {
    return warn(id, title, `could not be listed: ${message(err)}`);
  }
  if (state.missing.length === 0 && state.wrongType.length === 0) {
    return pass(id, title, `${state.present.join(', ')} registered on ${namespace}`);
  }
  const problems = [
    state.missing.length ? `missing on ${namespace}: ${state.missing.join(', ')}` : '',
    state.wrongType.length ? `not of type Keyword: ${state.wrongType.join(', ')}` : '',
  ].filter(Boolean);
  return fail(
    id,
    title,
    `${problems.join('; ')}: Temporal refuses to start call runs that set them, so calls wait in Postgres`,
    `${CLI} temporal setup where this connection may (a self-hosted cluster). ${cloudInstructions(namespace, state.missing)}`,
  );
}

export async function scheduleChecks(deps: DoctorDeps, accountId: string): Promise<DoctorCheck[]> {
  return Promise.all(SCHEDULE_KINDS.map((kind) => scheduleCheck(deps, accountId, kind)));
}

async function scheduleCheck(deps: DoctorDeps, accountId: string, kind: ScheduleKind): Promise<DoctorCheck> {
  const id = `schedule_${kind}`;
  const title = `Schedule ${kind} sync`;
  if (!deps.temporal) return warn(id, title, 'not checked: no Temporal connection here');
  const { client } = deps.temporal;
  let s;
  try {
    s = await readTwice(() => describeSchedule(client, accountId, kind));
  } catch (err) {
    return warn(id, title, `could not describe ${scheduleId(kind, accountId)}: ${message(err)}`);
  }
  if (!s.present) {
    return warn(
      id,
      title,
      `${s.scheduleId} is not created`,
      "the account's sync schedules are created when its sync is set up; until then the directory and contacts are not kept in step",
    );
  }
  if (s.paused) {
    return warn(
      id,
      title,
      `${s.scheduleId} is paused${s.note ? ` (${s.note})` : ''}`,
      `${CLI} schedules unpause --account ${accountId} --kind ${kind}`,
    );
  }
  const failed = s.recentRuns.filter(isFailedRun);
  const latest = s.recentRuns[0];
  if (latest && isFailedRun(latest)) {
    return fail(
      id,
      title,
      `the last run (${latest.workflowId}) ended ${latest.status}; ${failed.length} of the last ${s.recentRuns.length} failed`,
      `open ${latest.workflowId} in the Temporal UI for the error; run it again with ${CLI} schedules trigger --account ${accountId} --kind ${kind}`,
    );
  }
  const next = s.nextRunAt ? `next run ${s.nextRunAt}` : 'no next run';
  if (failed.length > 0) {
    return warn(
      id,
      title,
      `${failed.length} of the last ${s.recentRuns.length} runs failed, the latest succeeded; ${next}`,
      `see the failed runs of ${s.scheduleId} in the Temporal UI`,
    );
  }
  return pass(id, title, `${s.recentRuns.length ? `last run ${latest!.status.toLowerCase()}` : 'no run yet'}; ${next}`);
}
