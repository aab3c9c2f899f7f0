import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Knex } from 'knex';
import { buildApp, LISTEN_BACKLOG } from '../../src/app';
import { startIngress } from '../../src/server';
import { freePort } from '../../tools/lib/processes';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent } from '../support/signing';
import { testConfig } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * Overloaded, the ingress refuses a webhook at once (503, Retry-After, nothing read or stored)
 * rather than answering it after Dialpad's 5 s: Dialpad retries a 503, and the retry is recorded.
 * Shedding covers the webhook route only; health, readiness and metrics keep answering.
 */
const SECRET = 'pressure-webhook-secret-0123456789-abcdef';
const OFFICE = '5527348325810176';

const IN_FLIGHT = 'dialpad_webhook_requests_in_flight';
const SHED_BODY = { error: 'under_pressure', message: 'the service is under pressure; please retry' };

function counter(metrics: string, outcome: string, reason: string): number {
  const m = new RegExp(`dialpad_webhook_deliveries_total\\{outcome="${outcome}",reason="${reason}"\\} (\\d+)`).exec(
    metrics,
  );
  return Number(m?.[1] ?? 0);
}

function gauge(metrics: string, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);
}

describe('webhook ingress under pressure', () => {
  let tdb: TestDatabase;
  let temporal: TemporalHandles;
  const apps: FastifyInstance[] = [];
  let seq = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 20 });
    temporal = createTemporalClient(testConfig(tdb.url).temporal);
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await temporal?.close();
    await tdb?.drop();
  });

  async function app(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
    const config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET, ...env });
    const built = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    apps.push(built);
    return built;
  }

  /** Signed hangups of new calls, as Dialpad sends them. */
  async function hangups(n: number): Promise<{ callId: string; token: string }[]> {
    const ids = Array.from({ length: n }, () => String(7521977457300000 + ++seq));
    return Promise.all(
      ids.map(async (callId) => ({
        callId,
        token: await signEvent(example('hangup-unanswered-inbound', { call_id: Number(callId) }), SECRET),
      })),
    );
  }

  const post = (a: FastifyInstance, token: string) =>
    a.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: token,
      headers: { 'content-type': 'application/jwt' },
    });
  const stored = async (callIds: string[]): Promise<string[]> =>
    (await tdb.db('dialpad_webhook_deliveries').whereIn('call_id', callIds).select('call_id')).map(
      (r: { call_id: string }) => r.call_id,
    );

  it('past WEBHOOK_MAX_IN_FLIGHT: 503 with Retry-After and nothing stored; the retries are all recorded', async () => {
    const a = await app({ WEBHOOK_MAX_IN_FLIGHT: '4', WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: '0' });
    const events = await hangups(10);

    // Recording waits on this lock, so the first four stay in flight until it is released.
    const lock: Knex.Transaction = await tdb.db.transaction();
    await lock.raw('lock table dialpad_webhook_deliveries in exclusive mode');
    const answers = new Map<string, LightMyRequestResponse>();
    const inFlight = events.map((e) => post(a, e.token).then((r) => void answers.set(e.callId, r)));
    let shedIds: string[];
    try {
      await waitFor(async () => answers.size >= 6, 30_000, 'the deliveries past the cap to be answered');
      shedIds = [...answers.keys()];
      expect(shedIds).toHaveLength(6);
      for (const id of shedIds) {
        const r = answers.get(id)!;
        expect(r.statusCode).toBe(503);
        expect(r.headers['retry-after']).toBe('2');
        expect(r.json()).toEqual(SHED_BODY);
      }
      // The four are still being handled; health, readiness and metrics are not shed.
      expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await a.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      const during = await a.inject({ method: 'GET', url: '/metrics' });
      expect(during.statusCode).toBe(200);
      expect(gauge(during.body, IN_FLIGHT)).toBe(4);
      expect(counter(during.body, 'shed', 'in_flight')).toBe(6);
    } finally {
      await lock.rollback();
    }
    await Promise.all(inFlight);
    const admittedIds = events.map((e) => e.callId).filter((id) => !shedIds.includes(id));
    for (const id of admittedIds) expect(answers.get(id)!.statusCode).toBe(200);
    // Refused before being read: only the four admitted are stored, and nothing was logged as refused.
    expect((await stored(events.map((e) => e.callId))).sort()).toEqual([...admittedIds].sort());
    expect(Number((await tdb.db('dialpad_webhook_rejections').count({ n: '*' }))[0]?.n)).toBe(0);

    // Dialpad retries each 503 a couple of seconds later: every one is accepted and recorded.
    for (const id of shedIds) {
      const retry = await post(a, events.find((e) => e.callId === id)!.token);
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toEqual({ status: 'accepted' });
    }
    expect((await stored(events.map((e) => e.callId))).sort()).toEqual(events.map((e) => e.callId).sort());
    const after = (await a.inject({ method: 'GET', url: '/metrics' })).body;
    expect(gauge(after, IN_FLIGHT)).toBe(0);
    expect(counter(after, 'shed', 'in_flight')).toBe(6);
    expect(counter(after, 'accepted', 'signalled') + counter(after, 'accepted', 'relay_pending')).toBe(10);
  });

  it("a delivery whose sender gave up (Dialpad's timeout) frees its slot once its handling ends", async () => {
    const a = await app({ WEBHOOK_MAX_IN_FLIGHT: '3', WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: '0' });
    await a.listen({ host: '127.0.0.1', port: 0 });
    const { port } = a.server.address() as AddressInfo;
    const events = await hangups(4);
    const inFlight = async () => gauge((await a.inject({ method: 'GET', url: '/metrics' })).body, IN_FLIGHT);

    const lock: Knex.Transaction = await tdb.db.transaction();
    await lock.raw('lock table dialpad_webhook_deliveries in exclusive mode');
    try {
      const abort = new AbortController();
      const sent = events.slice(0, 3).map((e) =>
        fetch(`http://127.0.0.1:${port}/webhooks/dialpad`, {
          method: 'POST',
          body: e.token,
          headers: { 'content-type': 'application/jwt' },
          signal: abort.signal,
        }).catch((err: Error) => err.name),
      );
      await waitFor(async () => (await inFlight()) === 3, 30_000, 'three deliveries in flight');
      abort.abort();
      expect(await Promise.all(sent)).toEqual(['AbortError', 'AbortError', 'AbortError']);
      // Gone, but still being handled: they hold their slots.
      expect(await inFlight()).toBe(3);
      expect((await post(a, events[3]!.token)).statusCode).toBe(503);
    } finally {
      await lock.rollback();
    }
    await waitFor(async () => (await inFlight()) === 0, 30_000, 'the slots to be released');
    // Handled to the end although nobody was waiting: recorded, as Dialpad's retry would find.
    expect((await stored(events.slice(0, 3).map((e) => e.callId))).length).toBe(3);
    expect((await post(a, events[3]!.token)).statusCode).toBe(200);
  });

  it('the ingress process queues a burst of connections (backlog 4096) rather than have the kernel drop them', async () => {
    const port = await freePort();
    const ingress = await startIngress(testConfig(tdb.url, { PORT: String(port), DIALPAD_WEBHOOK_SECRET: SECRET }));
    apps.push(ingress);
    // ss shows a listening socket's backlog as its Send-Q; the kernel caps it at somaxconn.
    const ss = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
    expect(ss.status).toBe(0);
    const sendQ = Number(ss.stdout.trim().split(/\s+/)[2]);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(sendQ).toBe(Math.min(LISTEN_BACKLOG, somaxconn));
    expect(sendQ).toBeGreaterThan(511); // Node's default, which a burst at 100 calls/s overflowed
  });

  it('a slow event loop (WEBHOOK_MAX_EVENT_LOOP_DELAY_MS) sheds webhooks only, until it recovers', async () => {
    const a = await app({ WEBHOOK_MAX_IN_FLIGHT: '0', WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: '40' });

    // Block the loop for 250 ms at a time until the sampled mean delay is past 40 ms and a
    // delivery (a new call each round) is refused; health and metrics answer throughout.
    let shed: { callId: string; token: string; answer: LightMyRequestResponse } | undefined;
    for (let round = 0; round < 100 && !shed; round++) {
      const [event] = await hangups(1);
      const until = Date.now() + 250;
      while (Date.now() < until) {
        /* busy: the event loop is held */
      }
      await new Promise((r) => setTimeout(r, 10));
      const [hook, health, metrics] = await Promise.all([
        post(a, event!.token),
        a.inject({ method: 'GET', url: '/healthz' }),
        a.inject({ method: 'GET', url: '/metrics' }),
      ]);
      expect(health.statusCode).toBe(200);
      expect(metrics.statusCode).toBe(200);
      if (hook.statusCode === 503) shed = { ...event!, answer: hook };
      else expect(hook.statusCode).toBe(200); // before the pressure was sampled
    }
    expect(shed?.answer.headers['retry-after']).toBe('2');
    expect(shed?.answer.json()).toEqual(SHED_BODY);
    expect(await stored([shed!.callId])).toEqual([]);
    const metrics = (await a.inject({ method: 'GET', url: '/metrics' })).body;
    expect(counter(metrics, 'shed', 'event_loop_delay')).toBeGreaterThanOrEqual(1);

    // Left alone, the loop recovers and Dialpad's retry of the refused delivery is recorded.
    const retried = await waitFor(
      async () => {
        const r = await post(a, shed!.token);
        return r.statusCode === 503 ? undefined : r;
      },
      30_000,
      'the ingress to take webhooks again',
    );
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ status: 'accepted' });
    expect(await stored([shed!.callId])).toEqual([shed!.callId]);
  });
});
