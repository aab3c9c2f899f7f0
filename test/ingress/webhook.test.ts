import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { callStateQuery } from '../../workflows';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent, signRaw, unsignedToken } from '../support/signing';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { waitFor } from '../support/wait';
import { callWorkflowId } from '../../workflows/shared/ids';

const SECRET = 'test-webhook-secret-0123456789-abcdefgh';
const OFFICE = '5527348325810176';
const ADMIN = 'admin-token-0123456789abcdef';
const API = 'api-token-0123456789abcdef-navigator';

let seq = 0;
function freshCallId(): number {
  seq++;
  return 6421977457100000 + Math.floor(Math.random() * 50000) * 10 + seq;
}

describe('POST /webhooks/dialpad', () => {
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let worker: RunningWorker;
  let accountId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    config = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      ADMIN_TOKEN: ADMIN,
      API_TOKEN: API,
      CALL_AI_WAIT_SECONDS: '1',
    });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    worker = await startTestWorker(config, tdb.db);
    const [a] = await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE }).returning('id');
    accountId = (a as { id: string }).id;
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await temporal?.close();
    await tdb?.drop();
  });

  const post = (body: string, contentType = 'application/jwt') =>
    app.inject({ method: 'POST', url: '/webhooks/dialpad', payload: body, headers: { 'content-type': contentType } });
  const deliveries = (callId: number | string) =>
    tdb.db('dialpad_webhook_deliveries').where({ call_id: String(callId) });

  it('a valid hangup starts dialpad-call-<id> and records the delivery; a duplicate changes nothing', async () => {
    const callId = freshCallId();
    const body = await signEvent(example('hangup-answered-inbound', { call_id: callId }), SECRET);
    const first = await post(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'accepted' });

    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    const desc = await handle.describe();
    expect(desc.type).toBe('callWorkflow');
    expect(desc.searchAttributes.DialpadCallId).toEqual([String(callId)]);
    expect(desc.searchAttributes.NavigatorAccountId).toEqual([accountId]);
    expect(desc.searchAttributes.DialpadOfficeId).toEqual([OFFICE]);

    const second = await post(body, 'text/plain');
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ status: 'duplicate' });

    const rows = await deliveries(callId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      state: 'hangup',
      routing_status: 'routed',
      account_id: accountId,
      verified_with: 'current',
    });
    // The run applied the event once.
    const state = await waitFor(async () => {
      const s = await handle.query(callStateQuery);
      return s.eventsApplied >= 1 ? s : undefined;
    });
    expect(state.eventsApplied).toBe(1);
  });

  it('a recap for the same call is in its row at once, its interim insights too; the run is not signalled again', async () => {
    const callId = freshCallId();
    await post(await signEvent(example('hangup-answered-inbound', { call_id: callId }), SECRET));
    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    const runId = (await handle.describe()).runId;
    const recap = await post(await signEvent(example('recap-summary', { call_id: callId }), SECRET));
    expect(recap.statusCode).toBe(200);
    // Folded by the ingress, with the insights derived from it while the run waits for a transcript.
    const call = await tdb
      .db('calls')
      .where({ dialpad_call_id: String(callId) })
      .first();
    expect(call.ai_summary).toContain('late delivery');
    expect(call.sentiment).not.toBeNull();
    expect(call.ai_checked_at).toBeNull();
    expect((await handle.describe()).runId).toBe(runId);
    const state = await waitFor(async () => {
      const s = await handle.query(callStateQuery);
      return s.eventsApplied > 0 ? s : undefined;
    });
    expect(state).toMatchObject({ eventsApplied: 1, aiStates: [] });
  });

  it('text Postgres cannot hold (NUL, lone surrogates) is made storable: accepted means stored', async () => {
    const callId = freshCallId();
    const event = example('hangup-answered-inbound', { call_id: callId });
    const contact = { ...(event.contact as Record<string, unknown>), name: 'Ja\u0000ne \ud800Roe' };
    const res = await post(await signEvent({ ...event, contact }, SECRET));
    expect(res.statusCode).toBe(200);
    const [row] = await deliveries(callId);
    expect(row.payload.contact.name).toBe('Jane \ufffdRoe');
    const call = await waitFor(async () =>
      tdb
        .db('calls')
        .where({ dialpad_call_id: String(callId) })
        .first(),
    );
    expect(call.account_id).toBe(accountId);
  });

  it.each([
    [
      'a forged signature',
      async (e: Record<string, unknown>) => {
        const t = await signEvent(e, SECRET);
        const [h, p] = t.split('.');
        return `${h}.${p}.${Buffer.from('forged-signature-bytes-0123456789').toString('base64url')}`;
      },
      'bad_signature',
    ],
    [
      'the wrong secret',
      (e: Record<string, unknown>) => signEvent(e, 'another-secret-0123456789-abcdefghij'),
      'bad_signature',
    ],
    ['alg none', async (e: Record<string, unknown>) => unsignedToken(e), 'algorithm_not_allowed'],
    [
      'HS512 with the right secret',
      (e: Record<string, unknown>) => signRaw(JSON.stringify(e), SECRET, 'HS512'),
      'algorithm_not_allowed',
    ],
    [
      'HS384 with the right secret',
      (e: Record<string, unknown>) => signRaw(JSON.stringify(e), SECRET, 'HS384'),
      'algorithm_not_allowed',
    ],
    [
      'RS256',
      async (e: Record<string, unknown>) => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return new SignJWT(e).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      },
      'algorithm_not_allowed',
    ],
    [
      'a truncated token',
      async (e: Record<string, unknown>) => (await signEvent(e, SECRET)).slice(0, -10),
      'bad_signature',
    ],
    [
      'a token cut before its signature',
      async (e: Record<string, unknown>) => (await signEvent(e, SECRET)).split('.').slice(0, 2).join('.'),
      'malformed_token',
    ],
    ['unsigned JSON while a secret is set', async (e: Record<string, unknown>) => JSON.stringify(e), 'unsigned_body'],
    ['an empty body', async () => '', 'empty_body'],
    ['garbage', async () => 'hello world', 'malformed_token'],
  ])('%s → 401 and nothing stored', async (_name, make, reason) => {
    const callId = freshCallId();
    const res = await post(await make(example('hangup-answered-inbound', { call_id: callId })));
    expect(res.statusCode).toBe(401);
    // The answer says only that the signature did not verify; the reason is kept for operators.
    expect(res.json()).toEqual({ error: 'unauthorized', message: 'the signature did not verify' });
    expect(await deliveries(callId)).toHaveLength(0);
    await expect(temporal.client.workflow.getHandle(callWorkflowId(String(callId))).describe()).rejects.toThrow(
      /not found/i,
    );
    const rejection = await tdb.db('dialpad_webhook_rejections').where({ reason }).orderBy('last_at', 'desc').first();
    expect(rejection).toMatchObject({ status_code: 401, reason });
    expect(rejection.last_at.getTime()).toBeGreaterThan(Date.now() - 5_000);
  });

  it('time claims do not refuse a verified event (Dialpad documents none): iat in ms, an old iat, a past exp are noted', async () => {
    for (const claims of [
      { iat: Date.now() }, // milliseconds: read as such, not as a time far in the future
      { iat: Math.floor(Date.now() / 1000) - 3600 },
      { exp: Math.floor(Date.now() / 1000) - 60 },
      { iat: 'yesterday' },
    ]) {
      const callId = freshCallId();
      const res = await post(await signEvent(example('missed-inbound', { call_id: callId, ...claims }), SECRET));
      expect({ claims, status: res.statusCode }).toEqual({ claims, status: 200 });
      const [row] = await deliveries(callId);
      const noted = (row.left_out ?? []) as { field: string }[];
      if ('iat' in claims && typeof claims.iat === 'number' && claims.iat > 1e12) expect(noted).toEqual([]);
      else expect(noted.map((n) => n.field)).toEqual([Object.keys(claims)[0]]);
    }
  });

  it.each([
    [{ call_id: undefined }, 'call_id: missing'],
    [{ call_id: 'abc' }, 'call_id: expected a Dialpad call id'],
    [{ call_id: 12.5 }, 'call_id: expected a Dialpad call id'],
    [{ state: 42 }, 'state: expected a Dialpad call state'],
    [{ state: null }, 'state: missing'],
  ])('a verified event with %j → 400 naming the field, kept for replay', async (overrides, message) => {
    const callId = freshCallId();
    const event = example('hangup-answered-inbound', { call_id: callId, ...overrides, contact_marker: callId });
    const res = await post(await signEvent(event, SECRET));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(message);
    expect(await deliveries(callId)).toHaveLength(0);
    const kept = await tdb
      .db('dialpad_webhook_refused_events')
      .whereRaw("claims->>'contact_marker' = ?", [String(callId)])
      .first();
    expect(kept).toMatchObject({ verified_with: 'current', detail: expect.stringContaining(message) });
  });

  it('a verified body that is not a JSON object → 400, kept as text', async () => {
    const marker = `not-json-${freshCallId()}`;
    const res = await post(await signRaw(`["${marker}"`, SECRET));
    expect(res.statusCode).toBe(400);
    const kept = await tdb.db('dialpad_webhook_refused_events').where('payload_text', 'like', `%${marker}%`).first();
    expect(kept).toMatchObject({ claims: null, detail: expect.stringContaining('not valid JSON') });
  });

  it('keeps ids past 2^53 exactly, as strings', async () => {
    const tooBig = '92233720368547758080';
    const token = await signRaw(
      JSON.stringify(example('missed-inbound', { call_id: 0 })).replace('"call_id":0', `"call_id":${tooBig}`),
      SECRET,
    );
    const res = await post(token);
    expect(res.statusCode).toBe(400); // past int64: not a Dialpad id, refused rather than rounded…
    const sixteen = '9007199254740993';
    const ok = await post(
      await signRaw(
        JSON.stringify(example('missed-inbound', { call_id: 0 })).replace('"call_id":0', `"call_id":${sixteen}`),
        SECRET,
      ),
    );
    expect(ok.statusCode).toBe(200); // …while an id past 2^53 is kept digit for digit.
    expect(await deliveries(sixteen)).toHaveLength(1);
    const int64 = '9223372036854775807';
    const max = await post(
      await signRaw(
        JSON.stringify(example('missed-inbound', { call_id: 0 })).replace('"call_id":0', `"call_id":${int64}`),
        SECRET,
      ),
    );
    expect(max.statusCode).toBe(200);
    expect(await deliveries(int64)).toHaveLength(1);
  });

  it('a 3 MB body → 413', async () => {
    const res = await post('a'.repeat(3 * 1024 * 1024));
    expect(res.statusCode).toBe(413);
  });

  it('the largest event the text limits allow fits the body limit: a 200,000-character transcription as \\u escapes', async () => {
    const callId = freshCallId();
    const text = '\u4e2d'.repeat(200_000);
    const json = JSON.stringify(example('voicemail-uploaded', { call_id: callId, transcription_text: text })).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const token = await signRaw(json, SECRET);
    expect(token.length).toBeGreaterThan(1_500_000);
    const res = await post(token);
    expect(res.statusCode).toBe(200);
    const [row] = await deliveries(callId);
    expect(row.payload.voicemailTranscription).toHaveLength(200_000);
  });

  it('states that are not acted on are acknowledged, counted and kept, but start no run', async () => {
    const callId = freshCallId();
    const res = await post(
      await signEvent(example('hangup-answered-inbound', { call_id: callId, state: 'ringing' }), SECRET),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ignored');
    // Written in a batch just after the answer, off the request's path.
    const kept = await waitFor(async () => {
      const rows = await deliveries(callId);
      return rows.length ? rows : undefined;
    });
    expect(kept).toMatchObject([{ routing_status: 'ignored', signal_status: 'not_needed' }]);
    await expect(temporal.client.workflow.getHandle(callWorkflowId(String(callId))).describe()).rejects.toThrow(
      /not found/i,
    );
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/dialpad_webhook_deliveries_total\{outcome="ignored",reason="ringing"\} 1/);
    expect(metrics).toMatch(/dialpad_webhook_deliveries_total\{outcome="rejected",reason="bad_signature"\} \d+/);
    expect(metrics).toMatch(/dialpad_webhook_verified_total\{secret="current"\} \d+/);
  });

  it('an event for an unlinked office is kept, and is processed once an administrator links the office', async () => {
    const office = String(4000000000000000 + Math.floor(Math.random() * 1e9));
    const callId = freshCallId();
    const event = example('hangup-answered-inbound', {
      call_id: callId,
      target: {
        id: 5991398486736896,
        type: 'user',
        name: 'Agent Two',
        phone: '+15105550101',
        office_id: Number(office),
      },
    });
    const res = await post(await signEvent(event, SECRET));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'unrouted' });
    expect((await deliveries(callId))[0]).toMatchObject({ routing_status: 'unrouted', office_id: office });
    await expect(temporal.client.workflow.getHandle(callWorkflowId(String(callId))).describe()).rejects.toThrow(
      /not found/i,
    );

    const [other] = await tdb.db('accounts').insert({ name: 'Beta' }).returning('id');
    const otherId = (other as { id: string }).id;
    const forbidden = await app.inject({
      method: 'PUT',
      url: `/api/accounts/${otherId}/dialpad-office`,
      payload: { officeId: office },
    });
    expect(forbidden.statusCode).toBe(401);
    // Authentication comes before validation: without the administrator token a malformed request
    // is a 401 / 403 too, never a 400 that tells the caller about the route's schema.
    for (const [headers, status] of [
      [{}, 401],
      [{ authorization: 'Bearer not-a-token' }, 401],
      [{ authorization: `Bearer ${API}` }, 403],
    ] as const) {
      for (const [method, url, payload] of [
        ['PUT', `/api/accounts/${otherId}/dialpad-office`, {}],
        ['PUT', '/api/accounts/not-a-uuid/dialpad-office', { officeId: 'x' }],
        ['DELETE', '/api/accounts/not-a-uuid/dialpad-office', undefined],
        ['POST', `/api/accounts/${otherId}/sync/everything`, undefined],
      ] as const) {
        const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
        expect({ method, url, status: res.statusCode }).toEqual({ method, url, status });
      }
    }
    const link = await app.inject({
      method: 'PUT',
      url: `/api/accounts/${otherId}/dialpad-office`,
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { officeId: office },
    });
    expect(link.statusCode).toBe(200);
    expect(link.json().releasedDeliveries).toBe(1);

    // Nobody re-sends: the relay picks the delivery up.
    const sent = await app.deliveryRelay.runOnce();
    expect(sent).toBeGreaterThanOrEqual(1);
    const call = await waitFor(async () =>
      tdb
        .db('calls')
        .where({ dialpad_call_id: String(callId) })
        .first(),
    );
    expect(call.account_id).toBe(otherId);
    expect((await deliveries(callId))[0]).toMatchObject({ routing_status: 'routed', signal_status: 'signalled' });
    const audit = await tdb.db('admin_audit_log').where({ account_id: otherId });
    expect(audit).toMatchObject([{ action: 'set_dialpad_office', actor: 'admin', new_value: office }]);
  });

  it('during a secret rotation both secrets verify, and metrics show which one did', async () => {
    const rotating = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: 'the-new-webhook-secret-0123456789abcdef',
      DIALPAD_WEBHOOK_SECRET_PREVIOUS: SECRET,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    });
    const rotatingApp = await buildApp({ config: rotating, db: tdb.db, temporal, relay: { disabled: true } });
    try {
      const send = async (secret: string) =>
        rotatingApp.inject({
          method: 'POST',
          url: '/webhooks/dialpad',
          payload: await signEvent(example('missed-inbound', { call_id: freshCallId() }), secret),
        });
      expect((await send(SECRET)).statusCode).toBe(200);
      expect((await send('the-new-webhook-secret-0123456789abcdef')).statusCode).toBe(200);
      expect((await send('neither-of-the-two-secrets-0123456789')).statusCode).toBe(401);
      const metrics = (await rotatingApp.inject('/metrics')).body;
      expect(metrics).toMatch(/dialpad_webhook_verified_total\{secret="previous"\} 1/);
      expect(metrics).toMatch(/dialpad_webhook_verified_total\{secret="current"\} 1/);
      const rows = await tdb.db('dialpad_webhook_deliveries').orderBy('id', 'desc').limit(2).select('verified_with');
      expect(rows.map((r) => r.verified_with).sort()).toEqual(['current', 'previous']);
    } finally {
      await rotatingApp.close();
    }
  });
});
