import type { FastifyInstance } from 'fastify';
import { officeMayHaveAi, noteAiAnswers, AI_OFFICE_MISSES } from '../../src/ai/enrich';
import { callWorkflowId } from '../../workflows/shared/ids';
import type { TemporalHandles } from '../../src/temporal/connection';
import type { TestDatabase } from '../support/db';
import { example, signEvent } from '../support/signing';
import { startSimStack, type SimStack } from '../support/sim-stack';
import { waitFor } from '../support/wait';

/**
 * When Ai data shows: as soon as it is known (a recap before any transcript), again when it comes
 * after the run closed, and never by waiting out the Ai window twice. Dialpad's API is the
 * simulator, which knows none of these hand-made calls: it answers 404 for their transcript and
 * recap, as Dialpad does for a call without Ai data.
 */
const SECRET = 'ai-timing-webhook-secret-0123456789abcd';
/** The Ai window: what "at once" and "before the window ended" are measured against. */
const AI_WAIT_SECONDS = 8;

let seq = 0;
const freshCallId = () => 6721977457100000 + Math.floor(Math.random() * 50_000) * 10 + ++seq;

describe('Ai data as soon as it is known', () => {
  let stack: SimStack | undefined;
  let office: string;
  let tdb: TestDatabase;
  let temporal: TemporalHandles;
  let app: FastifyInstance;

  beforeAll(async () => {
    stack = await startSimStack({
      seed: 'ai-timing',
      size: { offices: 1, departments: 1, callCenters: 1, users: 5, contacts: 10 },
      secret: SECRET,
      accountName: 'Timing',
      env: { CALL_AI_WAIT_SECONDS: String(AI_WAIT_SECONDS), CALL_AI_FETCH_ATTEMPTS: '1' },
    });
    ({ office, tdb, temporal, app } = stack);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const onOffice = (name: string, overrides: Record<string, unknown>) => {
    const e = example(name, overrides);
    return { ...e, target: { ...(e.target as object), office_id: office }, group_id: `Office:${office}` };
  };
  const post = async (event: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: '/webhooks/dialpad', payload: await signEvent(event, SECRET) });
    expect(res.statusCode).toBe(200);
  };
  const row = (callId: number) =>
    tdb
      .db('calls')
      .where({ dialpad_call_id: String(callId) })
      .first();

  it('a recap before any transcript: sentiment, churn risk and themes within seconds, while the run still waits', async () => {
    const callId = freshCallId();
    await post(onOffice('hangup-answered-inbound', { call_id: callId }));
    await waitFor(async () => (await row(callId))?.status === 'answered', 20_000, 'the answered row');
    const recapAt = Date.now();
    await post(onOffice('recap-summary', { call_id: callId, master_call_id: null }));
    const call = await waitFor(
      async () => {
        const r = await row(callId);
        return r?.sentiment ? r : undefined;
      },
      10_000,
      'insights from the recap',
    );
    expect(Date.now() - recapAt).toBeLessThan(AI_WAIT_SECONDS * 1000);
    expect(call.churn_risk).not.toBeNull();
    expect(call.themes.length).toBeGreaterThan(0);
    expect(call.ai_status).toBe('partial');
    expect(call.ai_notes).toEqual([{ part: 'transcript', reason: 'not received yet' }]);
    // Shown before the run's Ai window ended: the run is still open.
    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const result = await handle.result();
    expect(result.endReason).toBe('ai_window_passed');
    const final = await row(callId);
    expect(final.ai_checked_at).not.toBeNull();
    expect(final.ai_notes).toEqual([{ part: 'transcript', reason: 'not available' }]);
  });

  it('a recap arriving after the run closed re-derives the insights; a late event that changes nothing starts no run', async () => {
    const callId = freshCallId();
    await post(onOffice('hangup-answered-inbound', { call_id: callId }));
    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    const first = await handle.result();
    expect(first.endReason).toBe('ai_window_passed');
    const firstRunId = (await handle.describe()).runId;
    const before = await row(callId);
    expect(before).toMatchObject({ ai_summary: null, sentiment: null, ai_status: null });

    // The recap comes long after: a new run applies it and derives at once, without a second wait.
    const lateAt = Date.now();
    await post(onOffice('recap-summary', { call_id: callId, master_call_id: null }));
    const lateRunId = await waitFor(
      async () => {
        const d = await handle.describe();
        return d.status.name === 'COMPLETED' && d.runId !== firstRunId ? d.runId : undefined;
      },
      20_000,
      'the late run',
    );
    const late = await temporal.client.workflow.getHandle(callWorkflowId(String(callId)), lateRunId).result();
    expect(late).toMatchObject({ late: true, endReason: 'late_event', ai: 'partial' });
    const after = await row(callId);
    expect(after.ai_summary).toContain('late delivery');
    expect(after.sentiment).not.toBeNull();
    expect(after.ai_status).toBe('partial');
    expect(Date.now() - lateAt).toBeLessThan(AI_WAIT_SECONDS * 1000); // no second Ai window

    // The same hangup again: nothing changes. The ingress folds it and starts no run at all.
    await post(onOffice('hangup-answered-inbound', { call_id: callId, event_timestamp: Date.now() }));
    const repeated = await waitFor(
      async () => {
        const rows = await tdb
          .db('dialpad_webhook_deliveries')
          .where({ call_id: String(callId), state: 'hangup' })
          .orderBy('id')
          .select('signal_status');
        return rows.length === 2 && rows[1].signal_status !== 'pending' ? rows : undefined;
      },
      10_000,
      'the repeated hangup marked',
    );
    expect(repeated.map((r: { signal_status: string }) => r.signal_status)).toEqual(['signalled', 'not_needed']);
    expect((await handle.describe()).runId).toBe(lateRunId);
    expect((await row(callId)).ai_summary).toBe(after.ai_summary);
  });

  it('an office is judged without Ai from the API: after several answered calls with nothing, only an occasional probe', async () => {
    const officeId = `91${freshCallId()}`;
    expect(await officeMayHaveAi(tdb.db, officeId)).toBe(true); // unknown: ask
    for (let i = 0; i < AI_OFFICE_MISSES; i++) {
      expect(await officeMayHaveAi(tdb.db, officeId)).toBe(true);
      await noteAiAnswers(tdb.db, officeId, { transcript: 'none', recap: 'none' });
    }
    expect(await officeMayHaveAi(tdb.db, officeId)).toBe(false);
    // Errors say nothing about the office; one found part says it has Ai.
    await noteAiAnswers(tdb.db, officeId, { transcript: 'error', recap: 'error' });
    expect(await officeMayHaveAi(tdb.db, officeId)).toBe(false);
    await tdb
      .db('dialpad_office_ai')
      .where({ office_id: officeId })
      .update({ last_api_answer_at: tdb.db.raw("now() - interval '7 hours'") });
    expect(await officeMayHaveAi(tdb.db, officeId)).toBe(true); // a probe is due
    await noteAiAnswers(tdb.db, officeId, { transcript: 'none', recap: 'found' });
    expect(await officeMayHaveAi(tdb.db, officeId)).toBe(true);
    expect(await tdb.db('dialpad_office_ai').where({ office_id: officeId }).first()).toMatchObject({ api_misses: 0 });
  });

  it("an answered call from a customer's number is linked, and in the customer's history, before its Ai data arrives", async () => {
    const account = await tdb.db('accounts').where({ dialpad_office_id: office }).first('id');
    const [customer] = await tdb
      .db('customers')
      .insert({ account_id: account.id, name: 'Harbour Home Supplies', phone: '(415) 555-0177' })
      .returning('id');
    const customerId = (customer as { id: string }).id;
    const callId = freshCallId();
    const hungUpAt = Date.now();
    await post(onOffice('hangup-answered-inbound', { call_id: callId, external_number: '+14155550177' }));
    const linked = await waitFor(
      async () => {
        const r = await row(callId);
        return r?.linked_entity_id ? r : undefined;
      },
      10_000,
      'the link',
    );
    expect(Date.now() - hungUpAt).toBeLessThan(AI_WAIT_SECONDS * 1000);
    expect(linked).toMatchObject({ linked_entity_type: 'customer', linked_entity_id: customerId, ai_summary: null });
    const history = await tdb.db('communications').where({ entity_type: 'customer', entity_id: customerId });
    expect(history.map((h) => h.call_id)).toEqual([linked.id]);
    // Still waiting for Dialpad's Ai data: linking did not wait for it.
    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await handle.result()).match).toBe('linked');
  });
});
