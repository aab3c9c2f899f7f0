import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { replayDeliveries } from '../../src/ops';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent, signRaw } from '../support/signing';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { waitFor } from '../support/wait';
import { callWorkflowId } from '../../workflows/shared/ids';

/**
 * Events shaped as the real Dialpad sends them, through the real ingress, Temporal and Postgres:
 * each is answered 200 and gives the right `calls` row, whatever did not fit is listed on its
 * delivery, and what the parser could not read then is recovered by `replay` after a fix.
 */
const SECRET = 'real-events-webhook-secret-0123456789ab';
const OFFICE = '5527348325810176';
const TEST_ACTOR = { actor: 'test', sourceAddress: null };

let seq = 0;
const freshCallId = () => 6521977457100000 + Math.floor(Math.random() * 50_000) * 10 + ++seq;

describe('events as the real Dialpad sends them', () => {
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let worker: RunningWorker;
  let accountId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET, CALL_AI_WAIT_SECONDS: '1' });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    worker = await startTestWorker(config, tdb.db);
    const [a] = await tdb.db('accounts').insert({ name: 'Oasis', dialpad_office_id: OFFICE }).returning('id');
    accountId = (a as { id: string }).id;
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await temporal?.close();
    await tdb?.drop();
  });

  const post = async (event: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/webhooks/dialpad', payload: await signEvent(event, SECRET) });
  const callRow = (callId: number | string, ready: (row: Record<string, any>) => boolean = () => true) =>
    waitFor(
      async () => {
        const row = await tdb
          .db('calls')
          .where({ dialpad_call_id: String(callId) })
          .first();
        return row && ready(row) ? (row as Record<string, any>) : undefined;
      },
      20_000,
      `the calls row of ${callId}`,
    );
  const delivery = async (callId: number | string, state: string) =>
    (await tdb
      .db('dialpad_webhook_deliveries')
      .where({ call_id: String(callId), state })
      .first()) as Record<string, any>;
  const leftOutFields = (d: Record<string, any>) => ((d.left_out ?? []) as { field: string }[]).map((f) => f.field);

  it('an unanswered transferred hangup with total_duration 8951.03 becomes a missed row within seconds', async () => {
    const callId = freshCallId();
    const event = example('hangup-unanswered-inbound', { call_id: callId });
    expect(event.total_duration).toBe(8951.03);
    const started = Date.now();
    const res = await post(event);
    expect(res.statusCode).toBe(200);
    const row = await callRow(callId, (r) => r.status !== 'in_progress');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(row).toMatchObject({ status: 'missed', account_id: accountId, duration_seconds: 0 });
    const leg = await tdb
      .db('dialpad_call_legs')
      .where({ call_id: String(callId) })
      .first();
    expect(leg).toMatchObject({ total_duration_ms: 8951, is_transferred: true });
    expect(leftOutFields(await delivery(callId, 'hangup'))).toEqual([]);
  });

  it('a contact id built from our uid (…_uid_…), as Dialpad gives contacts we pushed', async () => {
    const callId = freshCallId();
    const contactId = '5120046250016768_uid_3f6c2a1e-8d47-4b2a-9c1e-6d2f0b7a9e15';
    const res = await post(
      example('hangup-answered-inbound', {
        call_id: callId,
        contact: { id: contactId, name: 'Jane Roe', phone: '+15105557788', email: '', type: 'shared' },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(await callRow(callId, (r) => r.status === 'answered')).toMatchObject({ account_id: accountId });
    const leg = await tdb
      .db('dialpad_call_legs')
      .where({ call_id: String(callId) })
      .first();
    expect(leg.contact_id).toBe(contactId);
  });

  it('a target id that is not a number is kept as the opaque string it is', async () => {
    const callId = freshCallId();
    const res = await post(
      example('hangup-answered-inbound', {
        call_id: callId,
        target: { id: 'agent-7f3a', type: 'user', name: 'Agent Seven', phone: '+15106666687', office_id: OFFICE },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(await callRow(callId, (r) => r.status === 'answered')).toMatchObject({
      answered_by_dialpad_user_id: 'agent-7f3a',
      account_id: accountId,
    });
  });

  it('recap parts as objects (Dialpad REST shapes) fill the Ai columns; a shape without text is left out and listed', async () => {
    const callId = freshCallId();
    expect((await post(example('hangup-answered-inbound', { call_id: callId }))).statusCode).toBe(200);
    const res = await post(
      example('recap-summary', {
        call_id: callId,
        master_call_id: null,
        recap_summary: { content: 'Caller moved the delivery to Friday.', format: 'short', edited: false },
        recap_purposes: [{ id: '1', category: 'Scheduling', content: 'Move delivery' }],
        recap_action_items: 'Email the new slot',
        recap_outcome: { score: 7 },
      }),
    );
    expect(res.statusCode).toBe(200);
    const row = await callRow(callId, (r) => r.ai_summary !== null);
    expect(row.ai_summary).toBe('Caller moved the delivery to Friday.');
    expect(row.ai_purposes).toEqual(['Move delivery']);
    expect(row.ai_action_items).toEqual(['Email the new slot']);
    const d = await delivery(callId, 'recap_summary');
    expect(d.left_out).toEqual([
      { field: 'recap_outcome', reason: 'an object without text (content, text, summary or value)' },
    ]);
    expect(d.claims.recap_outcome).toEqual({ score: 7 });
  });

  it('times in seconds, numbers and ids as strings, and unknown fields give the same row as the usual shape', async () => {
    const callId = freshCallId();
    const connected = 1764241100; // seconds
    const res = await post(
      example('hangup-answered-inbound', {
        call_id: String(callId),
        date_started: String(connected - 10),
        date_connected: connected,
        date_ended: `${connected + 95}.000`,
        event_timestamp: (connected + 96) * 1000,
        talk_time: '95000.4',
        duration: '95000.4',
        total_duration: '105000',
        is_transferred: 'false',
        direction: 'INBOUND',
        a_field_nobody_documented: { nested: [1, 2, 3] },
        routing_breadcrumbs: [{ breadcrumb_type: 'office', target_id: 'x' }],
      }),
    );
    expect(res.statusCode).toBe(200);
    const row = await callRow(callId, (r) => r.status === 'answered');
    expect(row.started_at.toISOString()).toBe(new Date((connected - 10) * 1000).toISOString());
    expect(row.ended_at.toISOString()).toBe(new Date((connected + 95) * 1000).toISOString());
    expect(row.duration_seconds).toBe(95);
    expect(row.direction).toBe('inbound');
    const d = await delivery(callId, 'hangup');
    expect(leftOutFields(d)).toEqual([]);
    expect(d.claims.a_field_nobody_documented).toEqual({ nested: [1, 2, 3] });
  });

  it('fields that do not fit are left out, listed with the reason, and the call is still recorded', async () => {
    const callId = freshCallId();
    const res = await post(
      example('hangup-answered-inbound', {
        call_id: callId,
        direction: 'sideways',
        date_started: 'yesterday',
        is_transferred: 'perhaps',
        external_number: { e164: '+15105557788' },
        talk_time: -5,
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'accepted' });
    const row = await callRow(callId, (r) => r.status === 'answered');
    expect(row.account_id).toBe(accountId);
    const d = await delivery(callId, 'hangup');
    expect(leftOutFields(d).sort()).toEqual(
      ['date_started', 'direction', 'external_number', 'is_transferred', 'talk_time'].sort(),
    );
    expect(d.left_out.find((f: { field: string }) => f.field === 'direction').reason).toContain('"sideways"');
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/dialpad_webhook_fields_left_out_total\{field="direction"\} [1-9]/);
  });

  it('replay reads stored claims again: what a parser left out is recovered, and refused bodies become calls', async () => {
    const from = new Date(Date.now() - 1000);
    // A delivery as an older parser stored it, without the recap summary its claims hold.
    const callId = freshCallId();
    expect((await post(example('hangup-answered-inbound', { call_id: callId }))).statusCode).toBe(200);
    await callRow(callId, (r) => r.status === 'answered');
    expect((await post(example('recap-summary', { call_id: callId, master_call_id: null }))).statusCode).toBe(200);
    await callRow(callId, (r) => r.ai_summary !== null);
    const recap = await delivery(callId, 'recap_summary');
    await tdb.db.transaction(async (trx) => {
      await trx('dialpad_webhook_deliveries')
        .where({ id: recap.id })
        .update({ payload: JSON.stringify({ ...recap.payload, recap: null }) });
      await trx('dialpad_call_legs')
        .where({ call_id: String(callId) })
        .update({ recap: null });
      await trx('calls')
        .where({ dialpad_call_id: String(callId) })
        .update({ ai_summary: null });
    });

    // A verified body an older parser refused (it read `callId` only as `call_id`); the claims are kept.
    const refusedCallId = freshCallId();
    const refusedClaims = example('missed-inbound', { call_id: refusedCallId });
    await tdb.db('dialpad_webhook_refused_events').insert({
      verified_with: 'current',
      reason: 'call_id',
      detail: 'call_id: missing',
      claims: JSON.stringify(refusedClaims),
      body_bytes: 1000,
    });
    // And one the current parser still cannot use.
    await tdb.db('dialpad_webhook_refused_events').insert({
      verified_with: 'current',
      reason: 'state',
      detail: 'state: missing',
      claims: JSON.stringify({ call_id: freshCallId() }),
      body_bytes: 100,
    });

    const to = new Date(Date.now() + 1000);
    const r = await replayDeliveries(tdb.db, { from, to }, TEST_ACTOR);
    expect(r).toMatchObject({ recoveredRefused: 1, stillRefused: 1 });
    expect(r.reparsed).toBeGreaterThanOrEqual(3);
    expect((await delivery(callId, 'recap_summary')).payload.recap.summary).toContain('late delivery');
    while ((await app.deliveryRelay.runOnce()) > 0);

    expect((await callRow(callId, (row) => row.ai_summary !== null)).ai_summary).toContain('late delivery');
    expect(await callRow(refusedCallId, (row) => row.status === 'missed')).toMatchObject({ account_id: accountId });
    const kept = await tdb
      .db('dialpad_webhook_refused_events')
      .whereRaw("claims->>'call_id' = ?", [String(refusedCallId)])
      .first();
    expect(kept.recovered_delivery_id).not.toBeNull();
  });

  it('a verified body without call_id is 400, kept whole (long ids exact), and stores no delivery', async () => {
    const marker = String(freshCallId());
    const claims = JSON.stringify({ ...example('hangup-answered-inbound'), call_id: undefined, marker }).replace(
      /}$/,
      ',"big":92233720368547758}',
    );
    const res = await app.inject({ method: 'POST', url: '/webhooks/dialpad', payload: await signRaw(claims, SECRET) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'malformed_payload',
      message: 'call_id: missing; every Dialpad call event has one',
    });
    const kept = await tdb
      .db('dialpad_webhook_refused_events')
      .whereRaw("claims->>'marker' = ?", [marker])
      .first(tdb.db.raw('claims::text as text'), 'reason');
    expect(kept.reason).toBe('call_id');
    expect(kept.text).toContain('92233720368547758');
  });

  it("keeps personal data out of Temporal: the run's history holds the delivery id, not names, numbers or text", async () => {
    const callId = freshCallId();
    const name = 'Persephone Quillfeather';
    const number = '+15105559137';
    const words = 'my account number is hidden under the flowerpot';
    const event = example('voicemail-uploaded', {
      call_id: callId,
      external_number: number,
      contact: { id: '61314369789132', name, phone: number, email: 'persephone@example.com', type: 'local' },
      target: { id: 5991398486736896, name: 'Agent Orpheus Brightwater', type: 'user', office_id: OFFICE },
      transcription_text: words,
    });
    expect((await post(event)).statusCode).toBe(200);
    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    await handle.result();
    expect((await callRow(callId)).external_number).toBe(number); // the row has it; Temporal does not
    const history = JSON.stringify(await handle.fetchHistory());
    const decoded = Buffer.from(history).toString() + decodePayloads(history);
    for (const secret of [name, number, '5559137', words, 'Orpheus', 'persephone@example.com']) {
      expect({ secret, found: decoded.includes(secret) }).toEqual({ secret, found: false });
    }
    const { memo } = await handle.describe();
    expect(memo?.summary).toBe(`inbound from +1510•••9137 (office ${OFFICE})`); // masked, no names
  });
});

/** Every base64 payload in a history, decoded: payload data is base64 JSON in the history's JSON. */
function decodePayloads(historyJson: string): string {
  return [...historyJson.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)]
    .map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'))
    .join('\n');
}
