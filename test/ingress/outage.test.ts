import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { createKnex } from '../../src/db/knex';
import { startTemporalDevServer, type TemporalDevServer } from '../../tools/dev/temporal-server';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { freePort } from '../global-setup';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent } from '../support/signing';
import { relayPending } from '../support/relay';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { callWorkflowId } from '../../workflows/shared/ids';

/**
 * The ingress keeps accepting while a dependency is down, and nothing accepted is lost. This file
 * runs its own Temporal dev server (with a file database) so it can stop and restart it.
 */
const SECRET = 'outage-webhook-secret-0123456789-abcdef';
const OFFICE = '5527348325810176';

describe('webhook ingress during outages', () => {
  let tdb: TestDatabase;
  let server: TemporalDevServer;
  let dir: string;
  let temporal: TemporalHandles;
  let worker: RunningWorker | undefined;
  let app: FastifyInstance;
  let config: ReturnType<typeof testConfig>;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'navigator-outage-'));
    server = await startTemporalDevServer({
      port: await freePort(),
      namespace: 'default',
      dbFile: join(dir, 'temporal.db'),
      logFile: join(dir, 'temporal.log'),
      log: () => undefined,
    });
    tdb = await createTestDatabase();
    config = testConfig(tdb.url, {
      TEMPORAL_ADDRESS: server.address,
      DIALPAD_WEBHOOK_SECRET: SECRET,
      CALL_AI_WAIT_SECONDS: '1',
    });
    temporal = createTemporalClient({ address: server.address, namespace: 'default' });
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE });
  });

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await temporal?.close();
    await server?.stop();
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = async () => {
    n++;
    const callId = 7421977457100000 + Math.floor(Math.random() * 1e6) * 10 + n;
    return { callId, token: await signEvent(example('hangup-unanswered-inbound', { call_id: callId }), SECRET) };
  };
  const post = (a: FastifyInstance, token: string) =>
    a.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: token,
      headers: { 'content-type': 'application/jwt' },
    });

  it('Temporal stopped: deliveries answer 2xx and reach their workflows after it returns, without re-sending', async () => {
    await server.stop();
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { callId, token } = await body();
      const started = Date.now();
      const res = await post(app, token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'accepted' });
      expect(Date.now() - started).toBeLessThan(5_000); // inside Dialpad's timeout
      sent.push(callId);
    }
    const pending = await tdb
      .db('dialpad_webhook_deliveries')
      .whereIn('call_id', sent.map(String))
      .where({ signal_status: 'pending' });
    expect(pending).toHaveLength(5);

    await server.restart();
    worker = await startTestWorker(config, tdb.db);
    // The relay's backoff may still hold some deliveries: make them due, as time would.
    expect(await relayPending(app, tdb.db)).toBe(5);

    for (const callId of sent) {
      const result = await temporal.client.workflow.getHandle(callWorkflowId(String(callId))).result();
      expect(result.eventsApplied).toBe(1);
    }
    const calls = await tdb.db('calls').whereIn('dialpad_call_id', sent.map(String));
    expect(calls).toHaveLength(5);
    expect(calls.every((c) => c.status === 'missed')).toBe(true);
  });

  it('Postgres unreachable, Temporal up: the event is signalled anyway and recorded by the worker', async () => {
    worker ??= await startTestWorker(config, tdb.db);
    const deadDb = createKnex('postgres://postgres:x@127.0.0.1:1/none', { max: 1 });
    const deadDbApp = await buildApp({ config, db: deadDb, temporal, relay: { disabled: true } });
    try {
      const { callId, token } = await body();
      const res = await post(deadDbApp, token);
      expect(res.statusCode).toBe(200);
      const result = await temporal.client.workflow.getHandle(callWorkflowId(String(callId))).result();
      expect(result.accountId).not.toBeNull();
      const delivery = await tdb
        .db('dialpad_webhook_deliveries')
        .where({ call_id: String(callId) })
        .first();
      expect(delivery).toMatchObject({ routing_status: 'routed', signal_status: 'signalled' });
      expect(await tdb.db('calls').where({ dialpad_call_id: String(callId) })).toHaveLength(1);
    } finally {
      await deadDbApp.close();
      await deadDb.destroy();
    }
  });

  it('Postgres and Temporal both unreachable: 503, so Dialpad retries', async () => {
    await server.stop();
    const deadDb = createKnex('postgres://postgres:x@127.0.0.1:1/none', { max: 1 });
    const deadDbApp = await buildApp({ config, db: deadDb, temporal, relay: { disabled: true } });
    try {
      const { token } = await body();
      const res = await post(deadDbApp, token);
      expect(res.statusCode).toBe(503);
    } finally {
      await deadDbApp.close();
      await deadDb.destroy();
      await server.restart();
    }
  });
});
