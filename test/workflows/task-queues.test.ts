import { Context } from '@temporalio/activity';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { doctorDeps } from '../../src/ops/doctor/types';
import { temporalCheck } from '../../src/ops/doctor/temporal-checks';
import { ensureSyncSchedules, retargetSyncSchedules, syncScheduleHandle } from '../../src/schedules';
import { SYNC_WORKFLOWS } from '../../src/sync/types';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createDialpadClient, type WorkerDeps } from '../../src/worker';
import { generateConversations, type Conversation } from '../../tools/simulator/calls';
import { callRecords } from '../../tools/simulator/emitter';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { directorySyncWorkflow, type CallWorkflowState } from '../../workflows';
import { callWorkflowId, syncScheduleId } from '../../workflows/shared/ids';
import { taskQueuesOf, type QueueRole } from '../../workflows/shared/task-queues';
import { createContact } from '../matching/support';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { postWebhook } from '../support/signing';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * The three task queues (workflows/shared/task-queues.ts) through the real stack: the ingress, the
 * workers as the worker process builds them (one per queue), a real Temporal and Postgres, and the
 * Dialpad simulator. Each case has task queues of its own.
 */
const SECRET = 'task-queues-webhook-secret-0123456789abcdef';
const AI_STATES = new Set([
  'recap_summary',
  'recap_outcome',
  'recap_purposes',
  'recap_action_items',
  'call_transcription',
]);

interface Ran {
  activity: string;
  /** The queue of the worker that ran it. */
  worker: QueueRole;
  taskQueue: string;
  local: boolean;
}

/** Held until opened; an activity held here heartbeats, so it is not timed out meanwhile. */
class Gate {
  entered = 0;
  open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  async pass(): Promise<void> {
    this.entered++;
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), 1000);
    try {
      await this.opened;
    } finally {
      clearInterval(beat);
    }
  }
}

describe('task queues: live calls, Dialpad requests and syncs each on their own', () => {
  let sim: RunningSimulator;
  let tdb: TestDatabase;
  let temporal: TemporalHandles;
  let callsOffice: string;
  let callsAccount: string;
  const started: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'task-queues',
      size: { offices: 5, departments: 1, callCenters: 1, users: 8, contacts: 10 },
    });
    for (const o of sim.state.company.offices) sim.state.aiOffices.add(o.id);
    tdb = await createTestDatabase();
    temporal = createTemporalClient(testConfig(tdb.url).temporal);
    callsOffice = sim.state.company.offices[0]!.id;
    callsAccount = await account('Live calls', callsOffice);
  });

  afterAll(async () => {
    for (const s of started.reverse()) await s.stop();
    await temporal?.close();
    await tdb?.drop();
    await sim?.close();
  });

  async function account(name: string, officeId: string): Promise<string> {
    const [row] = await tdb.db('accounts').insert({ name, dialpad_office_id: officeId }).returning('id');
    return (row as { id: string }).id;
  }

  /** A config with task queues of its own, its ingress, and its workers (`queues`, wrapped by `around`). */
  async function stack(env: NodeJS.ProcessEnv = {}) {
    const config = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      CALL_AI_WAIT_SECONDS: '1',
      CALL_AI_FETCH_ATTEMPTS: '1',
      ...env,
    });
    const app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    started.push({ stop: () => app.close() });
    const ran: Ran[] = [];
    const workers = async (
      queues: readonly QueueRole[],
      around: (activity: string, worker: QueueRole) => Promise<void> | void = () => undefined,
    ): Promise<RunningWorker> => {
      const wrap: NonNullable<WorkerDeps['wrapActivities']> = (activities, worker) =>
        Object.fromEntries(
          Object.entries(activities).map(([name, fn]) => [
            name,
            async (...args: unknown[]) => {
              const info = Context.current().info;
              ran.push({ activity: name, worker, taskQueue: info.taskQueue, local: info.isLocal });
              await around(name, worker);
              return (fn as (...a: unknown[]) => unknown)(...args);
            },
          ]),
        ) as typeof activities;
      const dialpad = createDialpadClient(config, tdb.db, pino({ level: 'silent' }));
      const w = await startTestWorker(config, tdb.db, dialpad, wrap, undefined, undefined, queues);
      started.push(w);
      return w;
    };
    return { config, app, ran, workers, queues: taskQueuesOf(config.temporal.taskQueue) };
  }

  /** A call on the live calls' office, known to the simulator (its Ai data too). */
  let nextCall = 0;
  function liveCall(kind: 'inbound_answered' | 'inbound_missed'): Conversation {
    const found = generateConversations(
      {
        company: sim.state.company,
        seed: `task-queues-${kind}-${nextCall++}`,
        aiOfficeIds: sim.state.aiOffices,
        kinds: [kind],
        placeAt: () => Date.now() - 900_000,
      },
      40,
    ).find((c) => c.officeId === callsOffice && c.legs.length === 1 && (kind === 'inbound_missed' || c.ai !== null));
    expect(found).toBeDefined();
    sim.state.registerCalls(callRecords([found!], () => 0));
    return found!;
  }

  /** Delivers the call's live events as Dialpad signs them (no Ai events: its run asks the API). */
  async function deliver(app: FastifyInstance, call: Conversation) {
    for (const e of call.events.filter((x) => !AI_STATES.has(x.state)))
      expect((await postWebhook(app, e.payload, SECRET)).statusCode).toBe(200);
    return temporal.client.workflow.getHandle(callWorkflowId(call.legs[0]!.call_id));
  }

  const row = (call: Conversation) => tdb.db('calls').where({ dialpad_call_id: call.expected.key }).first();

  it("runs a call's steps on the live calls' worker, its Dialpad requests on the Dialpad worker, the syncs on the sync worker", async () => {
    const s = await stack();
    await s.workers(['calls', 'dialpad', 'sync']);
    const syncOffice = sim.state.company.offices[1]!.id;
    const syncAccount = await account('Synced', syncOffice);

    const call = liveCall('inbound_answered');
    const state: CallWorkflowState = await (await deliver(s.app, call)).result();
    expect(state).toMatchObject({ endReason: 'ai_window_passed', ai: 'complete' });
    // Its Postgres steps: local activities in the live calls' worker's workflow tasks (the events
    // themselves were folded by the ingress, so no recordCallEvent).
    const steps = s.ran.filter((r) =>
      ['recordCallEvent', 'matchConversation', 'deriveCallInsights'].includes(r.activity),
    );
    expect(steps.map((r) => r.activity)).toEqual(expect.arrayContaining(['matchConversation', 'deriveCallInsights']));
    expect(steps.every((r) => r.local && r.worker === 'calls' && r.taskQueue === s.queues.calls)).toBe(true);
    // Its requests to Dialpad: ordinary activities on the Dialpad queue, run by that queue's worker.
    for (const fetch of ['fetchCallTranscript', 'fetchCallRecap'])
      expect(s.ran.filter((r) => r.activity === fetch)).toEqual([
        { activity: fetch, worker: 'dialpad', taskQueue: s.queues.dialpad, local: false },
      ]);

    // The account's schedules start their runs on the sync queue, and its worker runs their activities.
    const target = { accountId: syncAccount, officeId: syncOffice, taskQueue: s.config.temporal.taskQueue };
    await ensureSyncSchedules(temporal.client, target, { officeChanged: false });
    for (const kind of ['directory', 'contacts'] as const) {
      const schedule = syncScheduleHandle(temporal.client, syncAccount, kind);
      expect((await schedule.describe()).action).toMatchObject({ taskQueue: s.queues.sync });
      const run = await waitFor(async () => (await schedule.describe()).info.recentActions[0], 30_000, 'a run');
      const handle = temporal.client.workflow.getHandle(run.action.workflow.workflowId);
      await handle.result();
      expect((await handle.describe()).taskQueue).toBe(s.queues.sync);
      await schedule.delete();
    }
    const synced = s.ran.filter((r) =>
      ['syncDirectory', 'prepareContactSync', 'importContactPages', 'pushContacts'].includes(r.activity),
    );
    expect(synced.length).toBeGreaterThanOrEqual(4);
    expect(synced.every((r) => r.worker === 'sync' && r.taskQueue === s.queues.sync)).toBe(true);
  });

  it('while the sync and Dialpad workers have every slot taken, a live call is recorded, linked and completes', async () => {
    const s = await stack({ WORKER_SYNC_ACTIVITY_SLOTS: '1', WORKER_DIALPAD_ACTIVITY_SLOTS: '1' });
    const syncs = new Gate();
    const fetches = new Gate();
    await s.workers(['calls', 'dialpad', 'sync'], (activity, worker) => {
      if (worker === 'sync' && activity === 'syncDirectory') return syncs.pass();
      if (worker === 'dialpad' && activity === 'fetchCallTranscript') return fetches.pass();
      return undefined;
    });
    // Two syncs for one slot: one holds it, the other waits in the sync queue.
    const syncAccount = await account('Busy sync', sim.state.company.offices[2]!.id);
    const runs = await Promise.all(
      [1, 2].map((i) =>
        temporal.client.workflow.start(directorySyncWorkflow, {
          taskQueue: s.queues.sync,
          workflowId: `${syncScheduleId('directory', syncAccount)}-busy-${i}`,
          args: [{ accountId: syncAccount }],
        }),
      ),
    );
    await waitFor(async () => syncs.entered === 1, 20_000, 'a sync holding the sync slot');
    // An answered call's transcript fetch holds the one Dialpad slot.
    const holding = liveCall('inbound_answered');
    const holdingRun = await deliver(s.app, holding);
    await waitFor(async () => fetches.entered === 1, 20_000, 'a fetch holding the Dialpad slot');

    // A missed call: recorded and its run over, with both other queues full.
    const missed = liveCall('inbound_missed');
    const missedState: CallWorkflowState = await (await deliver(s.app, missed)).result();
    expect(missedState.endReason).toBe('not_answered');
    expect(await row(missed)).toMatchObject({ status: 'missed' });
    // An answered call from a contact: recorded and linked at once; its Dialpad work waits its turn.
    const answered = liveCall('inbound_answered');
    await createContact(tdb.db, callsAccount, {
      firstName: 'Ada',
      lastName: 'Queue',
      phone: answered.expected.externalNumber,
    });
    const answeredRun = await deliver(s.app, answered);
    const linked = await waitFor(async () => (await row(answered))?.linked_entity_type, 20_000, 'the call linked');
    expect(linked).toBe('contact');
    expect(await row(answered)).toMatchObject({ status: 'answered' });
    expect(syncs.entered).toBe(1);
    expect(fetches.entered).toBe(1);

    fetches.open();
    expect(await answeredRun.result()).toMatchObject({ ai: 'complete', match: 'linked' });
    expect(await holdingRun.result()).toMatchObject({ ai: 'complete' });
    syncs.open();
    for (const r of runs) expect(await r.result()).toMatchObject({ status: 'synced' });
  });

  it("with only the live calls' worker polling, calls go on, and runs on the old single queue finish there", async () => {
    const s = await stack();
    await s.workers(['calls']);
    // The doctor names the two queues nobody polls, once the live calls' worker is seen polling.
    const deps = doctorDeps(s.config, { db: tdb.db, dialpad: undefined, temporalClient: temporal.client });
    const check = await waitFor(async () => {
      const c = await temporalCheck(deps);
      return !c.detail.includes(`${s.queues.calls} (`) && c;
    });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(s.queues.dialpad);
    expect(check.detail).toContain(s.queues.sync);

    const missed = liveCall('inbound_missed');
    expect(await (await deliver(s.app, missed)).result()).toMatchObject({ endReason: 'not_answered' });
    // A sync started on the one queue of earlier versions (a schedule not yet moved, a run in
    // flight): the live calls' worker runs every activity, so it finishes there.
    const oldAccount = await account('Old queue', sim.state.company.offices[3]!.id);
    const old = await temporal.client.workflow.execute(directorySyncWorkflow, {
      taskQueue: s.queues.calls,
      workflowId: `${syncScheduleId('directory', oldAccount)}-old-queue`,
      args: [{ accountId: oldAccount }],
    });
    expect(old.status).toBe('synced');
    expect(s.ran.find((r) => r.activity === 'syncDirectory')).toMatchObject({ worker: 'calls' });

    // An answered call is recorded; its transcript request waits on the Dialpad queue for a worker.
    const answered = liveCall('inbound_answered');
    const run = await deliver(s.app, answered);
    await waitFor(async () => (await row(answered))?.status === 'answered', 20_000, 'the call recorded');
    const scheduled = await waitFor(async () =>
      ((await run.fetchHistory()).events ?? []).find((e) => e.activityTaskScheduledEventAttributes),
    );
    expect(scheduled.activityTaskScheduledEventAttributes).toMatchObject({
      activityType: { name: 'fetchCallTranscript' },
      taskQueue: { name: s.queues.dialpad },
    });
    await s.workers(['dialpad']);
    expect(await run.result()).toMatchObject({ ai: 'complete' });
  });

  it('a worker moves a sync schedule made for the old single queue onto the sync queue, keeping its pause and interval', async () => {
    const s = await stack();
    const accountId = await account('Scheduled long ago', sim.state.company.offices[4]!.id);
    const id = syncScheduleId('directory', accountId);
    // As versions before the sync queue made it.
    await temporal.client.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '2h' }] },
      action: {
        type: 'startWorkflow',
        workflowType: SYNC_WORKFLOWS.directory,
        args: [{ accountId }],
        taskQueue: s.queues.calls,
        workflowId: id,
      },
      state: { paused: true, note: 'paused by an operator' },
    });
    try {
      const moved = await retargetSyncSchedules(temporal.client, tdb.db, s.config.temporal.taskQueue);
      expect(moved.moved).toBeGreaterThanOrEqual(1);
      const d = await syncScheduleHandle(temporal.client, accountId, 'directory').describe();
      expect(d.action).toMatchObject({ taskQueue: s.queues.sync, workflowId: id, args: [{ accountId }] });
      expect(d.state.paused).toBe(true);
      expect(d.spec.intervals?.[0]?.every).toBe(2 * 3600_000);
      // Already there: read, not written again.
      expect(await retargetSyncSchedules(temporal.client, tdb.db, s.config.temporal.taskQueue)).toMatchObject({
        moved: 0,
      });
    } finally {
      await syncScheduleHandle(temporal.client, accountId, 'directory').delete();
    }
  });
});
