import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent } from '../support/signing';
import { testConfig } from '../support/temporal';

/**
 * When Temporal accepts more slowly than events arrive, requests must not line up behind it past
 * Dialpad's 5 s: beyond 32 requests waiting on Temporal, a recorded event is answered at once and
 * left to the relay. Here "Temporal" is a server that accepts connections and never answers.
 */
const SECRET = 'backpressure-webhook-secret-0123456789-abcdef';
const OFFICE = '5527348325810176';

describe('webhook ingress when Temporal does not keep up', () => {
  let tdb: TestDatabase;
  let silent: Server;
  const sockets: Socket[] = [];
  let temporal: TemporalHandles;
  let app: FastifyInstance;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    tdb = await createTestDatabase({ max: 50 });
    const config = testConfig(tdb.url, { TEMPORAL_ADDRESS: address, DIALPAD_WEBHOOK_SECRET: SECRET });
    temporal = createTemporalClient({ address, namespace: 'default' });
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE });
  });

  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await tdb?.drop();
  });

  it('40 deliveries at once: every one is recorded and answered 200; those past 32 waiting go straight to the relay', async () => {
    const callIds = Array.from({ length: 40 }, (_, i) => 7421977457200000 + i);
    const tokens = await Promise.all(
      callIds.map((id) => signEvent(example('hangup-unanswered-inbound', { call_id: id }), SECRET)),
    );
    const answers = await Promise.all(
      tokens.map((token) =>
        app.inject({
          method: 'POST',
          url: '/webhooks/dialpad',
          payload: token,
          headers: { 'content-type': 'application/jwt' },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(callIds.map(() => 200));
    expect(answers.every((a) => a.json().status === 'accepted')).toBe(true);

    // Nothing lost: each event is recorded, waiting for the relay to signal it.
    const pending = await tdb
      .db('dialpad_webhook_deliveries')
      .whereIn('call_id', callIds.map(String))
      .where({ signal_status: 'pending' });
    expect(pending).toHaveLength(40);

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (reason: string) =>
      Number(
        new RegExp(`dialpad_webhook_deliveries_total\\{outcome="accepted",reason="${reason}"\\} (\\d+)`).exec(
          metrics,
        )?.[1] ?? 0,
      );
    expect(count('relay_backpressure')).toBe(8);
    expect(count('relay_pending')).toBe(32);
  });
});
