import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { CallEventWithPayload, CallLegEvent } from '../../workflows/shared/call-event';
import { callEventSignal, callStateQuery, callWorkflow } from '../../workflows';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { legEvent } from '../support/legs';
import { startTestWorker, temporalClient, testConfig, type RunningWorker } from '../support/temporal';
import { callWorkflowId } from '../../workflows/shared/ids';

/** An answered leg unless the test says otherwise. */
const leg = (overrides: Partial<CallLegEvent> & { callId: string; state: string }): CallLegEvent =>
  legEvent({ dateConnected: 1764241206000, talkTimeMs: 189000, ...overrides });

describe('call workflow through a real Temporal server and Postgres', () => {
  let tdb: TestDatabase;
  let worker: RunningWorker;
  let accountId: string;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let config: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    config = testConfig(tdb.url);
    worker = await startTestWorker(config, tdb.db);
    temporal = await temporalClient();
    const [account] = await tdb
      .db('accounts')
      .insert({ name: 'Acme', dialpad_office_id: '5527348325810176' })
      .returning('id');
    accountId = (account as { id: string }).id;
  });

  afterAll(async () => {
    await worker?.stop();
    await temporal?.connection.close();
    await tdb?.drop();
  });

  async function send(sig: CallEventWithPayload, aiWaitSeconds = 2) {
    return temporal.client.workflow.signalWithStart(callWorkflow, {
      workflowId: callWorkflowId(sig.event.callId),
      taskQueue: config.temporal.taskQueue,
      args: [{ callId: sig.event.callId, accountId, officeId: sig.officeId, aiWaitSeconds }],
      signal: callEventSignal,
      signalArgs: [sig],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  }

  it('a hangup of an answered inbound leg becomes one answered call row written by the activity', async () => {
    const callId = String(6421977457180000 + Math.floor(Math.random() * 1000));
    const sig: CallEventWithPayload = {
      deliveryId: null,
      accountId,
      officeId: '5527348325810176',
      event: leg({ callId, state: 'hangup' }),
    };
    const handle = await send(sig);
    await send(sig); // the same event again: ignored by the workflow, no second effect

    const final = await handle.result();
    expect(final.final).toBe(true);
    expect(final.connected).toBe(true);
    expect(final.duplicatesIgnored).toBe(1);
    expect(final.eventsApplied).toBe(1);
    expect(final.endReason).toBe('ai_window_passed');

    const rows = await tdb.db('calls').where({ dialpad_call_id: callId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      account_id: accountId,
      source: 'dialpad',
      direction: 'inbound',
      status: 'answered',
      external_number: '+14155550142',
      internal_number: '+15105550100',
      duration_seconds: 189,
      answered_by_dialpad_user_id: '5991398486736896',
      answered_by_name: 'Agent One',
      ai_summary: null,
    });
    const legs = await tdb.db('dialpad_call_legs').where({ call_id: callId });
    expect(legs).toHaveLength(1);
    expect(legs[0].call_row_id).toBe(rows[0].id);
  });

  it('an unanswered hangup ends at once as a missed call, and a query shows what the run knows', async () => {
    const callId = String(6421977457181000 + Math.floor(Math.random() * 1000));
    const handle = await send(
      {
        deliveryId: null,
        accountId,
        officeId: '5527348325810176',
        event: leg({ callId, state: 'hangup', dateConnected: null, talkTimeMs: 0 }),
      },
      600,
    );
    const final = await handle.result();
    expect(final.endReason).toBe('not_answered');
    const queried = await handle.query(callStateQuery);
    expect(queried.legState).toBe('hangup');
    const row = await tdb.db('calls').where({ dialpad_call_id: callId }).first();
    expect(row.status).toBe('missed');
    expect(row.duration_seconds).toBe(0);
  });
  it("a voicemail's late transcription, after the leg's run ended, starts a run that ends too", async () => {
    const callId = String(6421977457182000 + Math.floor(Math.random() * 1000));
    const base = { deliveryId: null, accountId, officeId: '5527348325810176' };
    const vm = leg({ callId, state: 'voicemail', dateConnected: null, talkTimeMs: 0 });
    const first = await send({ ...base, event: vm }, 600);
    expect((await first.result()).endReason).toBe('not_answered');
    // The transcription outranks the voicemail in the leg's merged state: the new run must still
    // see a finished leg, not wait 24 h (max_open) for a final state that already came.
    const late = await send(
      {
        ...base,
        event: {
          ...vm,
          state: 'transcription',
          eventTimestamp: vm.eventTimestamp! + 20_000,
          voicemailTranscription: 'Please call back.',
        },
      },
      600,
    );
    expect(late.signaledRunId).not.toBe(first.signaledRunId);
    const final = await late.result();
    expect(final).toMatchObject({ final: true, legState: 'transcription', endReason: 'not_answered' });
    const row = await tdb.db('calls').where({ dialpad_call_id: callId }).first();
    expect(row.status).toBe('voicemail');
  });
});

describe('call workflow: events that arrive while the run is finishing', () => {
  let tdb: TestDatabase;
  let worker: RunningWorker;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let config: ReturnType<typeof testConfig>;
  let accountId: string;
  // matchConversation waits here until the test lets it go: the window a worker restart stretches.
  let releaseMatch: () => void = () => undefined;
  let matchEntered: () => void = () => undefined;
  let holdMatch = false;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    config = testConfig(tdb.url);
    temporal = await temporalClient();
    worker = await startTestWorker(config, tdb.db, undefined, (real) => ({
      ...real,
      matchConversation: async (input: { legCallId: string }) => {
        if (holdMatch) {
          holdMatch = false;
          const released = new Promise<void>((resolve) => {
            releaseMatch = resolve;
          });
          matchEntered();
          await released;
        }
        return real.matchConversation(input);
      },
    }));
    const [account] = await tdb
      .db('accounts')
      .insert({ name: 'Acme', dialpad_office_id: '5527348325810176' })
      .returning('id');
    accountId = (account as { id: string }).id;
  });

  afterAll(async () => {
    releaseMatch();
    await worker?.stop();
    await temporal?.connection.close();
    await tdb?.drop();
  });

  it('a voicemail signalled while the unanswered leg is being matched is applied: the call is a voicemail', async () => {
    const callId = String(6421977457183000 + Math.floor(Math.random() * 1000));
    const base = { deliveryId: null, accountId, officeId: '5527348325810176' };
    const send = (event: CallLegEvent) =>
      temporal.client.workflow.signalWithStart(callWorkflow, {
        workflowId: callWorkflowId(callId),
        taskQueue: config.temporal.taskQueue,
        args: [{ callId, accountId, officeId: base.officeId, aiWaitSeconds: 600 }],
        signal: callEventSignal,
        signalArgs: [{ ...base, event }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
    holdMatch = true;
    const entered = new Promise<void>((resolve) => {
      matchEntered = resolve;
    });
    const handle = await send(legEvent({ callId, state: 'hangup' }));
    await entered; // the run left its event loop and is matching
    await send(legEvent({ callId, state: 'voicemail', eventTimestamp: 1764241396200 }));
    // The signal is in the run's history before the match finishes.
    for (let i = 0; i < 100; i++) {
      const events = (await handle.fetchHistory()).events ?? [];
      if (events.filter((e) => e.workflowExecutionSignaledEventAttributes).length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    releaseMatch(); // the next run's match goes straight through

    const final = await temporal.client.workflow.getHandle(callWorkflowId(callId)).result();
    expect(final.endReason).toBe('not_answered');
    expect(final.eventsApplied).toBe(2);
    const row = await tdb.db('calls').where({ dialpad_call_id: callId }).first();
    expect(row.status).toBe('voicemail');
  });
});
