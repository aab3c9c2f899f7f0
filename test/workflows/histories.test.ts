import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal as proto } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createDialpadClient } from '../../src/worker';
import { generateConversations, type CallEvent } from '../../tools/simulator/calls';
import { callRecords } from '../../tools/simulator/emitter';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import type { CallWorkflowState } from '../../workflows';
import { ACTED_ON_STATES } from '../../workflows/shared/call-event';
import { callWorkflowId } from '../../workflows/shared/ids';
import { taskQueuesOf, type QueueRole, type TaskQueues } from '../../workflows/shared/task-queues';
import { createContact } from '../matching/support';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { postWebhook } from '../support/signing';
import { startTestWorker, testConfig, workflowBundle, type RunningWorker } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * Recorded histories of the call workflow's current shape, and the run they come from.
 *
 * test/workflows/conversation.test.ts replays every histories/*.json against the current workflow
 * code, so a change that would break runs in flight fails there. That only protects the shapes that
 * were recorded: whenever callWorkflow (or what it calls: call-ai-collection, call-durable,
 * call-activities) changes the commands a run issues — a new `patched(...)` path, a step added,
 * removed or moved, an activity made local — record new histories with the new code and commit them
 * next to the old ones. Never replace or delete an old file: runs started with that shape may still
 * be open (a call leg's run lives for its Ai wait, a never-ending leg's for 24 h), and its file is
 * what proves the new code still replays them. Record with
 *
 *   RECORD_HISTORY=answered-contact-ai-<yyyy-mm> npx jest test/workflows/histories.test.ts
 *
 * (RECORD_HISTORY_DIR writes elsewhere). It writes `<name>.json`, the first run, and
 * `<name>-continued.json`, the run it continued as. Without RECORD_HISTORY the case is an ordinary
 * test of that call's outcome.
 *
 * The call is chosen to take every patched path of callWorkflow in one run: an answered inbound call
 * on an office with Dialpad Ai, from the number of a Navigator contact, delivered as Dialpad signs
 * it to the ingress, with the worker's Dialpad client on the simulator. The ingress folds every
 * event into the row, derives the interim insights from the recap itself, and signals only the
 * transitions (hangup, transcript) with what the fold found. The first run takes the hangup in its
 * first workflow task (`local-db-activities`, `events-never-dropped`: local activities, a durable
 * event key; `activity-task-queues`: its Dialpad requests on the Dialpad queue), links the call as
 * the leg has ended, waits out a short Ai window, pushes the linked contact back to Dialpad
 * (`contact-push-back`) — held open here until the transcript's event has been signalled — and then,
 * with an event waiting, fetches no Ai data and continues as a new run with the event
 * (`apply-late-signals`). The
 * continued run takes the transcript event, matches again, pushes back again (the contact is in
 * Dialpad now) and collects the Ai data it lacks (`skip-stored-ai-fetch`: a local read of what the
 * webhooks stored, so only the transcript is fetched, the recap having come with its event) and the
 * insights.
 */
const SECRET = 'histories-webhook-secret-0123456789abcdef';
const HISTORIES = process.env.RECORD_HISTORY_DIR ?? join(__dirname, 'histories');

type History = proto.api.history.v1.IHistory;
/** The states of this call the run hears of (src/ingress/transitions.ts): the rest are only folded. */
const RUN_HEARS = new Set(['hangup', 'call_transcription']);

describe('recorded histories: an answered call from a contact, with Ai data, through every patched path', () => {
  let sim: RunningSimulator;
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let worker: RunningWorker | undefined;
  let accountId: string;
  // pushLinkedContact waits here, once, until the test lets it go.
  let holdPush = false;
  let pushEntered: () => void = () => undefined;
  let releasePush: () => void = () => undefined;

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'histories',
      size: { offices: 2, departments: 1, callCenters: 1, users: 6, contacts: 10 },
    });
    tdb = await createTestDatabase();
    config = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      CALL_AI_WAIT_SECONDS: '3',
      CALL_AI_FETCH_ATTEMPTS: '1',
    });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
  });

  afterAll(async () => {
    releasePush();
    await app?.close();
    await worker?.stop();
    await temporal?.close();
    await tdb?.drop();
    await sim?.close();
  });

  /** The worker, started once the test has delivered the events it wants in one workflow task. */
  const startWorker = async () => {
    worker = await startTestWorker(
      config,
      tdb.db,
      createDialpadClient(config, tdb.db, pino({ level: 'silent' })),
      (real) => ({
        ...real,
        pushLinkedContact: async (input: { legCallId: string }) => {
          if (holdPush) {
            holdPush = false;
            const released = new Promise<void>((resolve) => {
              releasePush = resolve;
            });
            pushEntered();
            await released;
          }
          return real.pushLinkedContact(input);
        },
      }),
    );
  };

  const post = async (e: CallEvent) => {
    expect((await postWebhook(app, e.payload, SECRET)).statusCode).toBe(200);
  };

  it('links the call to the contact, pushes the contact back, applies an event signalled while finishing, and collects the Ai data', async () => {
    const aiOffice = [...sim.state.aiOffices][0]!;
    const conv = generateConversations(
      {
        company: sim.state.company,
        seed: 'histories-1',
        aiOfficeIds: new Set([aiOffice]),
        kinds: ['inbound_answered'],
        placeAt: () => Date.now() - 900_000,
      },
      12,
    ).find((c) => c.ai !== null && c.legs.length === 1 && c.officeId === aiOffice);
    expect(conv).toBeDefined();
    const call = conv!;
    sim.state.registerCalls(callRecords([call], () => 0));
    const [account] = await tdb
      .db('accounts')
      .insert({ name: 'Histories', dialpad_office_id: aiOffice })
      .returning('id');
    accountId = (account as { id: string }).id;
    const contactId = await createContact(tdb.db, accountId, {
      firstName: 'Rowan',
      lastName: 'Castellano',
      phone: call.expected.externalNumber,
    });
    const legId = call.legs[0]!.call_id;
    const transcriptEvent = call.events.find((e) => e.state === 'call_transcription')!;
    expect(call.events.some((e) => e.state === 'recap_summary')).toBe(true);

    holdPush = true;
    const entered = new Promise<void>((resolve) => {
      pushEntered = resolve;
    });
    // Every event but the transcript's, in Dialpad's order, before a worker runs: the ingress folds
    // them all and derives the interim insights from the recap; the run's first workflow task takes
    // the hangup and links the call. It then waits out its Ai window for the transcript.
    for (const e of call.events) if (e !== transcriptEvent) await post(e);
    const interim = await tdb.db('calls').where({ dialpad_call_id: call.expected.key }).first();
    expect(interim).toMatchObject({
      status: 'answered',
      ai_summary: call.expected.recap!.summary,
      ai_checked_at: null,
    });
    expect(interim.sentiment).not.toBeNull();
    await startWorker();
    await entered; // the window passed, the call is linked to the contact, the push-back is running
    const handle = temporal.client.workflow.getHandle(callWorkflowId(legId));
    const firstRunId = (await handle.describe()).runId;
    const firstRun = temporal.client.workflow.getHandle(callWorkflowId(legId), firstRunId);
    await post(transcriptEvent);
    // The run has taken the signal (a workflow task completed after it) before the push-back ends.
    await waitFor(
      async () => {
        const events = (await firstRun.fetchHistory()).events ?? [];
        const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes);
        const lastSignal = events.lastIndexOf(signals.at(-1)!);
        return events.slice(lastSignal).some((e) => e.workflowTaskCompletedEventAttributes);
      },
      20_000,
      'the transcript event taken by the finishing run',
    );
    releasePush();

    const final: CallWorkflowState = await handle.result();
    const firstHistory = await firstRun.fetchHistory();
    const continued = await handle.describe();
    expect(continued.runId).not.toBe(firstRunId);
    const continuedHistory = await temporal.client.workflow
      .getHandle(callWorkflowId(legId), continued.runId)
      .fetchHistory();

    // The first run continued with the event instead of ending without it.
    const continuedAsNew = firstHistory.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes;
    expect(continuedAsNew).toBeTruthy();
    expect(markers(firstHistory)).toEqual(
      expect.arrayContaining([
        'local-db-activities',
        'events-never-dropped',
        'activity-task-queues',
        'contact-push-back',
        'apply-late-signals',
      ]),
    );
    // The ingress folded every event into the row; the run heard of the transitions only (the
    // hangup, later the transcript), each with what the fold found, so it applies none again. One
    // workflow task links the call (the leg has ended); after the Ai window the contact is pushed
    // back, and with the transcript's event waiting the run continues instead of fetching. Its requests to Dialpad go to the Dialpad
    // queue; its Postgres steps are local, in the live calls' workflow tasks.
    const heard = call.events.filter((e) => RUN_HEARS.has(e.state));
    expect(new Set(heard.map((e) => e.state))).toEqual(RUN_HEARS);
    expect(call.events.filter((e) => ACTED_ON_STATES.has(e.state)).length).toBeGreaterThan(heard.length);
    const steps = (history: History) => stepsOf(history, taskQueuesOf(config.temporal.taskQueue));
    expect(steps(firstHistory)).toEqual([
      'patch:local-db-activities',
      'patch:events-never-dropped',
      'patch:activity-task-queues',
      'local:matchConversation',
      'patch:contact-push-back',
      'pushLinkedContact@dialpad',
      'local:checkAiOffice',
      'patch:skip-stored-ai-fetch',
      'local:aiPartsStored',
      'patch:apply-late-signals',
    ]);
    // The continued run applies the event, matches, pushes back and collects the Ai data it lacks.
    expect(steps(continuedHistory)).toEqual([
      'patch:local-db-activities',
      'patch:events-never-dropped',
      'patch:activity-task-queues',
      'local:matchConversation',
      'patch:contact-push-back',
      'pushLinkedContact@dialpad',
      'local:checkAiOffice',
      'patch:skip-stored-ai-fetch',
      'local:aiPartsStored',
      // The recap's webhook brought its text: only the transcript is asked of Dialpad.
      'fetchCallTranscript@dialpad',
      'local:deriveCallInsights',
    ]);
    expect(final).toMatchObject({
      endReason: 'ai_complete',
      match: 'linked',
      contactPushBack: 'already_in_dialpad',
      ai: 'complete',
      eventsApplied: heard.length,
    });
    expect(final.aiStates).toContain('call_transcription');

    const row = await tdb.db('calls').where({ id: final.callRowId! }).first();
    expect(row).toMatchObject({
      status: 'answered',
      linked_entity_type: 'contact',
      linked_entity_id: contactId,
      ai_status: 'complete',
      ai_summary: call.expected.recap!.summary,
    });
    expect(row.transcript).not.toBeNull();
    expect(row.sentiment).not.toBeNull();
    // Dialpad knows the contact now, under its Navigator id.
    expect(sim.state.contacts.findByUid(contactId)).toBeDefined();

    // Both runs replay against the code that made them.
    const bundle = await workflowBundle();
    await Worker.runReplayHistory({ workflowBundle: bundle }, firstHistory, 'first run');
    await Worker.runReplayHistory({ workflowBundle: bundle }, continuedHistory, 'continued run');

    const name = process.env.RECORD_HISTORY;
    if (name) {
      mkdirSync(HISTORIES, { recursive: true });
      writeFileSync(join(HISTORIES, `${name}.json`), historyToJSON(firstHistory));
      writeFileSync(join(HISTORIES, `${name}-continued.json`), historyToJSON(continuedHistory));
    }
  });
});

/** A marker's payload under `key`, decoded. */
function markerPayload(m: proto.api.history.v1.IMarkerRecordedEventAttributes, key: string): unknown {
  const data = m.details?.[key]?.payloads?.[0]?.data;
  return data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
}

/** The patch ids of a history's `core_patch` markers, in order. */
function markers(history: History): string[] {
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => (markerPayload(m!, 'patch-data') as { id: string }).id);
}

/**
 * What a history ran, in order: `patch:<id>`, local activities, and the activities it scheduled,
 * each with the role of the queue it was scheduled on (`fetchCallRecap@dialpad`).
 */
function stepsOf(history: History, queues: TaskQueues): string[] {
  const roleOf = (name: string | null | undefined) =>
    (Object.keys(queues) as QueueRole[]).find((r) => queues[r] === name) ?? name;
  return (history.events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName === 'core_patch') return [`patch:${(markerPayload(m, 'patch-data') as { id: string }).id}`];
    if (m?.markerName === 'core_local_activity') {
      return [`local:${(markerPayload(m, 'data') as { activity_type: string }).activity_type}`];
    }
    const scheduled = e.activityTaskScheduledEventAttributes;
    return scheduled ? [`${scheduled.activityType?.name}@${roleOf(scheduled.taskQueue?.name)}`] : [];
  });
}
