import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { generateConversations, type CallEvent } from '../../tools/simulator/calls';
import { callRecords } from '../../tools/simulator/emitter';
import type { RunningSimulator } from '../../tools/simulator/server';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { callWorkflowId } from '../../workflows/shared/ids';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { legEvent, newDialpadId, OFFICE_ID, toDialpadEvent } from '../support/legs';
import { postWebhook } from '../support/signing';
import { startSimStack, type SimStack } from '../support/sim-stack';
import { testConfig } from '../support/temporal';

/**
 * Issue 17: the ingress folds every event it accepts into the call's row itself, and its call run
 * hears only of the transitions it acts on (the leg's first end, the Ai parts it waits for). The
 * row is right as soon as the webhook is answered; the run's history holds one signal per
 * transition, not one per webhook.
 */
const SECRET = 'ingress-fold-secret-0123456789abcdefghij';

/** The states signalled to a leg's call runs, over all its runs (a run may continue as new). */
async function signalsOf(temporal: TemporalHandles, legCallId: string): Promise<string[]> {
  const states: string[] = [];
  const workflowId = callWorkflowId(legCallId);
  for await (const run of temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await temporal.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
      if (!payload) continue;
      const sig = JSON.parse(Buffer.from(payload.data!).toString('utf8')) as { ref: { state: string } };
      states.push(sig.ref.state);
    }
  }
  return states;
}

describe('the ingress folds events; the call run hears only of transitions', () => {
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET, CALL_AI_WAIT_SECONDS: '2' });
    temporal = createTemporalClient(config.temporal);
    // No worker: whatever the row shows, the ingress wrote.
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE_ID });
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await tdb?.drop();
  });

  const post = async (e: ReturnType<typeof legEvent>) =>
    expect((await postWebhook(app, toDialpadEvent(e), SECRET)).statusCode).toBe(200);
  /** Closing the app writes its batched delivery marks; a new one takes its place. */
  const flushMarks = async () => {
    await app.close();
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
  };
  const deliveryStatuses = async (callId: string) =>
    Object.fromEntries(
      (await tdb.db('dialpad_webhook_deliveries').where({ call_id: callId }).select('state', 'signal_status')).map(
        (d: { state: string; signal_status: string }) => [d.state, d.signal_status],
      ),
    );

  it('a missed call is in its row when the webhook is answered, with no worker running', async () => {
    const callId = newDialpadId();
    await post(legEvent({ callId, state: 'missed', eventTimestamp: 1764241396100 }));
    const row = await tdb.db('calls').where({ dialpad_call_id: callId }).first();
    expect(row).toMatchObject({ status: 'missed', direction: 'inbound', external_number: '+14155550142' });
    expect(row.ended_at).not.toBeNull();

    // The hangup after `missed` ends nothing new: folded, and the run is not told.
    await post(legEvent({ callId, state: 'hangup', eventTimestamp: 1764241396900 }));
    await flushMarks();
    expect(await deliveryStatuses(callId)).toEqual({ missed: 'signalled', hangup: 'not_needed' });
    expect(await signalsOf(temporal, callId)).toEqual(['missed']);
  });

  it('a recap is folded and its interim insights derived at the ingress, without a signal', async () => {
    const callId = newDialpadId();
    const answered = { dateConnected: 1764241210000, talkTimeMs: 185000 };
    await post(legEvent({ callId, state: 'hangup', eventTimestamp: 1764241396100, ...answered }));
    await post(
      legEvent({
        callId,
        state: 'recap_outcome',
        eventTimestamp: 1764241496100,
        ...answered,
        recap: { outcome: 'Refund agreed' },
      }),
    );
    const row = await tdb.db('calls').where({ dialpad_call_id: callId }).first();
    expect(row).toMatchObject({ status: 'answered', duration_seconds: 185, ai_outcome: 'Refund agreed' });
    await post(
      legEvent({
        callId,
        state: 'recap_summary',
        eventTimestamp: 1764241497100,
        ...answered,
        recap: { summary: 'Customer was furious about a double charge and threatened to cancel.' },
      }),
    );
    // The interim insights from the recap, derived by the ingress while the run waits for the
    // transcript: in the row when the webhook is answered, with no worker running.
    const interim = await tdb.db('calls').where({ dialpad_call_id: callId }).first();
    expect(interim.sentiment).not.toBeNull();
    expect(interim.churn_risk).not.toBeNull();
    expect(interim.ai_checked_at).toBeNull();
    expect(interim.ai_notes).toEqual([{ part: 'transcript', reason: 'not received yet' }]);
    await flushMarks();
    expect(await deliveryStatuses(callId)).toEqual({
      hangup: 'signalled',
      recap_outcome: 'not_needed',
      recap_summary: 'not_needed',
    });
    expect(await signalsOf(temporal, callId)).toEqual(['hangup']);
  });
});

describe('folded at the ingress, finished by the run: Ai data with the Dialpad simulator', () => {
  let stack: SimStack | undefined;
  let sim: RunningSimulator;
  let tdb: TestDatabase;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let office: string;

  beforeAll(async () => {
    stack = await startSimStack({
      seed: 'ingress-fold',
      size: { offices: 1, departments: 1, callCenters: 1, users: 12, contacts: 40 },
      secret: SECRET,
      accountName: 'With Ai',
      env: { CALL_AI_WAIT_SECONDS: '20' },
    });
    ({ sim, tdb, temporal, app, office } = stack);
    expect(sim.state.aiOffices.has(office)).toBe(true);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Calls of one kind on the Ai office, one leg each, known to the simulator's API. */
  const calls = (kind: 'inbound_answered' | 'inbound_missed', count: number, seed: string) => {
    const found = generateConversations(
      {
        company: sim.state.company,
        seed,
        aiOfficeIds: sim.state.aiOffices,
        kinds: [kind],
        placeAt: () => Date.now() - 900_000,
      },
      30,
    )
      .filter((c) => c.officeId === office && c.legs.length === 1 && (kind === 'inbound_missed' || c.ai !== null))
      .slice(0, count);
    expect(found).toHaveLength(count);
    sim.state.registerCalls(callRecords(found, () => 0));
    return found;
  };
  const post = async (e: CallEvent) => expect((await postWebhook(app, e.payload, SECRET)).statusCode).toBe(200);

  it('an answered call gets every Ai field from two signals; a missed call from one', async () => {
    const [answered] = calls('inbound_answered', 1, 'ingress-fold-answered');
    const [missed] = calls('inbound_missed', 1, 'ingress-fold-missed');
    // In Dialpad's order, the transcript's event last: every recap part comes while the run waits.
    const transcript = answered!.events.find((e) => e.state === 'call_transcription')!;
    const recapParts = answered!.events.filter((e) => e.state.startsWith('recap_')).map((e) => e.state);
    expect(recapParts).toEqual(expect.arrayContaining(['recap_summary', 'recap_outcome']));
    for (const e of [...answered!.events.filter((x) => x !== transcript), transcript, ...missed!.events]) await post(e);
    const legOf = (c: typeof answered) => c!.legs[0]!.call_id;
    for (const c of [answered, missed]) await temporal.client.workflow.getHandle(callWorkflowId(legOf(c))).result();

    const row = await tdb.db('calls').where({ dialpad_call_id: answered!.expected.key }).first();
    expect(row).toMatchObject({
      status: 'answered',
      ai_status: 'complete',
      ai_summary: answered!.expected.recap!.summary,
    });
    for (const field of ['ai_outcome', 'transcript', 'sentiment', 'churn_risk', 'resolved'])
      expect({ field, value: row[field] }).toEqual({ field, value: expect.anything() });
    // The recap's interim insights were the ingress's; the transcript's event told the run the recap is stored.
    expect((await signalsOf(temporal, legOf(answered))).sort()).toEqual(['call_transcription', 'hangup']);

    // A recap part straggling in after the run collected: the ingress derives the final insights
    // again itself (no model configured, transcript and recap stored); no new run starts.
    const handle = temporal.client.workflow.getHandle(callWorkflowId(legOf(answered)));
    const runBefore = (await handle.describe()).runId;
    const outcome = answered!.events.find((e) => e.state === 'recap_outcome')!;
    await post({
      ...outcome,
      payload: {
        ...outcome.payload,
        event_timestamp: Number(outcome.payload.event_timestamp) + 60_000,
        recap_outcome: 'Customer says they are cancelling and moving to a competitor.',
      },
    });
    const again = await tdb.db('calls').where({ dialpad_call_id: answered!.expected.key }).first();
    expect(again.ai_outcome).toBe('Customer says they are cancelling and moving to a competitor.');
    expect(again.ai_checked_at.getTime()).toBeGreaterThan(row.ai_checked_at.getTime());
    expect(again.ai_status).toBe('complete');
    expect((await handle.describe()).runId).toBe(runBefore);

    const missedRow = await tdb.db('calls').where({ dialpad_call_id: missed!.expected.key }).first();
    expect(missedRow.status).toBe('missed');
    expect(await signalsOf(temporal, legOf(missed))).toHaveLength(1);

    // Nothing is left for the relay: each delivery was signalled or needed no signal.
    await app.close();
    app = await buildApp({
      config: testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET }),
      db: tdb.db,
      temporal,
      relay: { disabled: true },
    });
    const statuses = await tdb
      .db('dialpad_webhook_deliveries')
      .whereIn('call_id', [legOf(answered), legOf(missed)])
      .andWhere({ routing_status: 'routed' })
      .select('state', 'signal_status');
    expect(statuses.filter((d: { signal_status: string }) => d.signal_status === 'pending')).toEqual([]);
    expect(statuses.filter((d: { signal_status: string }) => d.signal_status === 'not_needed').length).toBeGreaterThan(
      0,
    );
  });
});
