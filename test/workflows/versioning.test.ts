import { randomBytes } from 'node:crypto';
import { WorkflowIdReusePolicy, type WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { temporalCheck } from '../../src/ops/doctor/temporal-checks';
import { doctorDeps } from '../../src/ops/doctor/types';
import { deploymentStanding } from '../../src/temporal/deployment';
import type { WorkerDeps } from '../../src/worker';
import { callEventSignal, callStateQuery, callWorkflow, retroMatchSweepWorkflow } from '../../workflows';
import type { CallEventWithPayload, CallLegEvent } from '../../workflows/shared/call-event';
import { callWorkflowId } from '../../workflows/shared/ids';
import { taskQueuesOf } from '../../workflows/shared/task-queues';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { legEvent, newDialpadId, OFFICE_ID } from '../support/legs';
import { startTestWorker, temporalClient, testConfig, uniqueTaskQueue, type RunningWorker } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * Worker Deployment versioning (TEMPORAL_WORKER_BUILD_ID; docs/operations.md, "Rolling out workflow
 * code") through a real Temporal dev server and Postgres: build A is current and a call run starts
 * on it; build B is deployed beside it and made current; a new call run goes to B while the one
 * started on A (PINNED, the calls queue's behaviour: src/temporal/workers.ts) finishes on A, and a
 * sweep started on A (AUTO_UPGRADE, the sync queue's) moves to B. Without the variable the worker is
 * unversioned, as before.
 */
const { VersioningBehavior } = proto.api.enums.v1;

describe('worker deployment versioning', () => {
  let tdb: TestDatabase;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let accountId: string;
  const workers: RunningWorker[] = [];
  /** Which build's worker ran each activity, for which call. */
  const ran: { build: string; activity: string; callId: string | undefined }[] = [];
  /** Build A's worker holds the retro-match sweep's activity here until the test lets it go. */
  let releaseSweep: () => void = () => undefined;
  const sweepHeld = new Promise<void>((resolve) => (releaseSweep = resolve));

  beforeAll(async () => {
    tdb = await createTestDatabase();
    temporal = await temporalClient();
    const [account] = await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE_ID }).returning('id');
    accountId = (account as { id: string }).id;
  });

  afterAll(async () => {
    for (const w of workers.reverse()) await w.stop();
    await temporal?.connection.close();
    await tdb?.drop();
  });

  /** Records the build of the worker that ran each activity. */
  const recording =
    (build: string): NonNullable<WorkerDeps['wrapActivities']> =>
    (activities) =>
      Object.fromEntries(
        Object.entries(activities).map(([name, fn]) => [
          name,
          async (...args: unknown[]) => {
            ran.push({ build, activity: name, callId: callIdOf(args[0]) });
            if (build === 'A' && name === 'runRetroMatchSweep') await sweepHeld;
            return (fn as (...a: unknown[]) => unknown)(...args);
          },
        ]),
      ) as ReturnType<NonNullable<WorkerDeps['wrapActivities']>>;

  async function worker(env: NodeJS.ProcessEnv, build: string) {
    const config = testConfig(tdb.url, { CALL_AI_WAIT_SECONDS: '1', ...env });
    const w = await startTestWorker(config, tdb.db, undefined, recording(build));
    workers.push(w);
    return { config, worker: w };
  }

  async function send(taskQueue: string, event: CallLegEvent): Promise<WorkflowHandle<typeof callWorkflow>> {
    const sig: CallEventWithPayload = { deliveryId: null, accountId, officeId: OFFICE_ID, event };
    return temporal.client.workflow.signalWithStart(callWorkflow, {
      workflowId: callWorkflowId(event.callId),
      taskQueue,
      args: [{ callId: event.callId, accountId, officeId: OFFICE_ID, aiWaitSeconds: 1 }],
      signal: callEventSignal,
      signalArgs: [sig],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  }

  /** Makes a build the deployment's current version, once its workers' polls have registered it. */
  async function makeCurrent(deploymentName: string, buildId: string): Promise<void> {
    await waitFor(
      async () => {
        try {
          await temporal.client.workflowService.setWorkerDeploymentCurrentVersion({
            namespace: temporal.client.options.namespace,
            deploymentName,
            buildId,
            identity: 'versioning.test',
          });
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      `${deploymentName} / ${buildId} current`,
    );
  }

  async function versioningOf(handle: WorkflowHandle) {
    const { raw } = await handle.describe();
    const info = raw.workflowExecutionInfo?.versioningInfo;
    return { behavior: info?.behavior ?? 0, buildId: info?.deploymentVersion?.buildId ?? null };
  }

  const answered = (callId: string, state: string, eventTimestamp: number) =>
    legEvent({ callId, state, eventTimestamp, dateConnected: 1764241206000, talkTimeMs: 189000 });

  it('a pinned call run stays on the build it started on, new runs and AUTO_UPGRADE runs go to the new current build', async () => {
    const deploymentName = `nd-test-${randomBytes(4).toString('hex')}`;
    const taskQueue = uniqueTaskQueue('versioning');
    const env = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_DEPLOYMENT_NAME: deploymentName };
    const buildA = `a-${randomBytes(3).toString('hex')}`;
    const buildB = `b-${randomBytes(3).toString('hex')}`;

    const a = await worker({ ...env, TEMPORAL_WORKER_BUILD_ID: buildA }, 'A');
    expect(a.config.temporal.deployment).toEqual({ deploymentName, buildId: buildA });
    await makeCurrent(deploymentName, buildA);
    const namespace = temporal.client.options.namespace;
    expect(await deploymentStanding(temporal.client, namespace, { deploymentName, buildId: buildA })).toEqual({
      standing: 'current',
    });

    // A leg that is still ringing: its run stays open, waiting for the leg's next events.
    const oldCall = newDialpadId();
    const oldRun = await send(
      taskQueue,
      legEvent({ callId: oldCall, state: 'ringing', eventTimestamp: 1764241201000 }),
    );
    await waitFor(async () => (await oldRun.query(callStateQuery)).eventsApplied === 1, 30_000, 'first event on A');
    expect(await versioningOf(oldRun)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
      buildId: buildA,
    });

    // A sweep on the sync queue (AUTO_UPGRADE), its activity held on A's worker.
    const sweep = await temporal.client.workflow.start(retroMatchSweepWorkflow, {
      workflowId: `versioning-sweep-${randomBytes(4).toString('hex')}`,
      taskQueue: taskQueuesOf(taskQueue).sync,
      args: [{ sinceMinutes: 30 }],
    });
    await waitFor(async () => ran.some((r) => r.activity === 'runRetroMatchSweep'), 30_000, 'the sweep on A');
    expect(await versioningOf(sweep)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
      buildId: buildA,
    });

    // Build B beside A, then current.
    await worker({ ...env, TEMPORAL_WORKER_BUILD_ID: buildB }, 'B');
    await makeCurrent(deploymentName, buildB);
    // The doctor sees the versioned workers polling all three queues.
    const doctor = doctorDeps(a.config, { db: tdb.db, dialpad: undefined, temporalClient: temporal.client });
    const check = await waitFor(
      async () => {
        const c = await temporalCheck(doctor);
        return c.status === 'pass' && c;
      },
      30_000,
      'the doctor passing',
    );
    expect(check.detail).toContain(`task queue ${taskQueue}`);
    // What each worker logs at start (logDeploymentStanding).
    expect(await deploymentStanding(temporal.client, namespace, { deploymentName, buildId: buildA })).toEqual({
      standing: 'not current',
      currentBuildId: buildB,
    });
    expect(await deploymentStanding(temporal.client, namespace, { deploymentName, buildId: buildB })).toEqual({
      standing: 'current',
    });

    const newCall = newDialpadId();
    const newRun = await send(taskQueue, answered(newCall, 'hangup', 1764241396100));
    expect((await newRun.result()).endReason).toBe('ai_window_passed');
    expect(await versioningOf(newRun)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
      buildId: buildB,
    });

    // The old run's next events, sent after B became current, are still handled by A.
    await send(taskQueue, answered(oldCall, 'connected', 1764241206000));
    await send(taskQueue, answered(oldCall, 'hangup', 1764241396100));
    const old = await oldRun.result();
    expect(old).toMatchObject({ final: true, eventsApplied: 3, endReason: 'ai_window_passed' });
    expect(await versioningOf(oldRun)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
      buildId: buildA,
    });

    // The sweep, AUTO_UPGRADE, finishes on B: its workflow task after the held activity went there.
    releaseSweep();
    await sweep.result();
    expect(await versioningOf(sweep)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
      buildId: buildB,
    });

    const buildsOf = (callId: string) => [...new Set(ran.filter((r) => r.callId === callId).map((r) => r.build))];
    expect(ran.filter((r) => r.callId === oldCall && r.activity === 'recordCallEvent')).toHaveLength(3);
    expect(buildsOf(oldCall)).toEqual(['A']);
    expect(buildsOf(newCall)).toEqual(['B']);
    const rows = await tdb.db('calls').whereIn('dialpad_call_id', [oldCall, newCall]).select('status');
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['answered', 'answered']);
  });

  it('without TEMPORAL_WORKER_BUILD_ID the worker is unversioned and call runs work as before', async () => {
    const taskQueue = uniqueTaskQueue('unversioned');
    const u = await worker({ TEMPORAL_TASK_QUEUE: taskQueue }, 'unversioned');
    expect(u.config.temporal.deployment).toBeUndefined();
    // A deployment no versioned worker has polled as yet: no current build.
    expect(
      await deploymentStanding(temporal.client, temporal.client.options.namespace, {
        deploymentName: `nd-none-${randomBytes(4).toString('hex')}`,
        buildId: 'x',
      }),
    ).toEqual({ standing: 'not current', currentBuildId: null });
    const callId = newDialpadId();
    const run = await send(taskQueue, answered(callId, 'hangup', 1764241396100));
    expect(await run.result()).toMatchObject({ final: true, eventsApplied: 1, endReason: 'ai_window_passed' });
    expect(await versioningOf(run)).toEqual({
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_UNSPECIFIED,
      buildId: null,
    });
    expect(ran.filter((r) => r.callId === callId).every((r) => r.build === 'unversioned')).toBe(true);
    expect((await tdb.db('calls').where({ dialpad_call_id: callId }).first()).status).toBe('answered');
  });
});

/** The call leg an activity's input names, if any (recordCallEvent's event, or the leg's id). */
function callIdOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const o = input as { legCallId?: unknown; event?: { callId?: unknown }; ref?: { callId?: unknown } };
  const id = o.legCallId ?? o.event?.callId ?? o.ref?.callId;
  return typeof id === 'string' ? id : undefined;
}
