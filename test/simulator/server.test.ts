import Fastify, { type FastifyInstance } from 'fastify';
import { jwtVerify } from 'jose';
import type { AddressInfo } from 'node:net';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { placeCalls, simRequest, SMALL_COMPANY } from './support';

const KEY = 'sim-test-key';
const auth = { authorization: `Bearer ${KEY}` };

describe('the Dialpad simulator', () => {
  let sim: RunningSimulator;
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) =>
    simRequest(sim, method, path, body, headers);

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'server-test',
      size: SMALL_COMPANY,
      apiKey: KEY,
      // Dialpad's per-endpoint limits, with the company limit raised so that they can be reached.
      rateLimits: { company: { count: 10_000, perMs: 1000 } },
    });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    expect((await api('POST', '/_sim/reset', undefined, {})).status).toBe(200);
  });

  it('wants the API key, as a bearer token or ?apikey=', async () => {
    expect((await api('GET', '/api/v2/offices', undefined, {})).status).toBe(401);
    expect((await api('GET', '/api/v2/offices', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
    const wrong = await api('GET', '/api/v2/offices', undefined, { authorization: 'Bearer nope' });
    expect(wrong.body).toMatchObject({ error: { code: 401 } });
    expect((await api('GET', `/api/v2/offices?apikey=${KEY}`, undefined, {})).status).toBe(200);
    expect((await api('GET', '/api/v2/nothing-here')).status).toBe(404);
  });

  it('validates contacts as Dialpad does', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/api/v2/contacts', { last_name: 'X' }, /first_name is required/],
      ['POST', '/api/v2/contacts', { first_name: 'X', last_name: '  ' }, /last_name is required/],
      ['POST', '/api/v2/contacts', { first_name: 'X', last_name: 'Y', phones: ['020 7946 0958'] }, /E\.164/],
      ['POST', '/api/v2/contacts', { first_name: 'X', last_name: 'Y', phones: ['+44'] }, /E\.164/],
      ['POST', '/api/v2/contacts', { first_name: 'X', last_name: 'Y', emails: ['not-an-email'] }, /email/],
      ['POST', '/api/v2/contacts', { first_name: 'X', last_name: 'Y', owner_id: '1234567890123456' }, /owner_id/],
      ['POST', '/api/v2/contacts', { first_name: 'X', last_name: 'Y', uid: 'u1' }, /uid is only accepted by PUT/],
      ['PUT', '/api/v2/contacts', { first_name: 'X', last_name: 'Y' }, /uid is required/],
      [
        'PUT',
        '/api/v2/contacts',
        { uid: 'u', first_name: 'X', last_name: 'Y', owner_id: 1 },
        /owner_id is not accepted/,
      ],
      ['POST', '/api/v2/contacts', '{"first_name":', /Invalid JSON/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await api(method, path, body);
      expect([r.status, r.body.error.message]).toEqual([400, expect.stringMatching(message)]);
    }
    const ok = await api('POST', '/api/v2/contacts', { first_name: 'X', last_name: 'Y', phones: ['+33142685300'] });
    expect(ok.status).toBe(200);
    const patch = await api('PATCH', `/api/v2/contacts/${ok.body.id}`, { owner_id: '1' });
    expect(patch.status).toBe(400);
    expect((await api('PATCH', '/api/v2/contacts/1', { first_name: 'Z' })).status).toBe(404);
  });

  it('creates or updates by uid with PUT, and shows it under /_sim/contacts', async () => {
    const first = await api('PUT', '/api/v2/contacts', {
      uid: 'nav-42',
      first_name: 'Amelia',
      last_name: 'Jones',
      phones: ['+447400123456'],
    });
    const second = await api('PUT', '/api/v2/contacts', { uid: 'nav-42', first_name: 'Amelia', last_name: 'Brown' });
    expect(second.body.id).toBe(first.body.id);
    const seen = await api('GET', '/_sim/contacts?uid=nav-42', undefined, {});
    expect(seen.body.items).toEqual([
      expect.objectContaining({ id: first.body.id, last_name: 'Brown', uid: 'nav-42', phones: [] }),
    ]);
    const byPhone = await api(
      'GET',
      `/_sim/contacts?phone=${encodeURIComponent(sim.state.company.contacts[0]!.phones[0] ?? '+1')}`,
      undefined,
      {},
    );
    expect(byPhone.status).toBe(200);
  });

  it('validates webhooks and subscriptions', async () => {
    expect((await api('POST', '/api/v2/webhooks', { secret: 'x' })).body.error.message).toMatch(/hook_url is required/);
    expect((await api('POST', '/api/v2/webhooks', { hook_url: 'ftp://x' })).status).toBe(400);
    expect(
      (await api('POST', '/api/v2/webhooks', { hook_url: 'https://x.example', secret: 'a\nb' })).body.error.message,
    ).toMatch(/single line/);
    const hook = await api('POST', '/api/v2/webhooks', { hook_url: 'https://x.example/h' });
    expect(hook.body.signature).toBeNull();
    const bad: [unknown, RegExp][] = [
      [{ call_states: ['hangup'] }, /endpoint_id is required/],
      [{ endpoint_id: '1234', call_states: ['hangup'] }, /not a webhook/],
      [{ endpoint_id: hook.body.id, call_states: ['hung_up'] }, /Invalid call_states/],
      [{ endpoint_id: hook.body.id, target_type: 'planet', target_id: 1 }, /Invalid target_type/],
      [{ endpoint_id: hook.body.id, target_type: 'office' }, /target_id is required/],
      [{ endpoint_id: hook.body.id, target_type: 'office', target_id: '1' }, /No office/],
    ];
    for (const [body, message] of bad) {
      const r = await api('POST', '/api/v2/subscriptions/call', body);
      expect([r.status, r.body.error.message]).toEqual([400, expect.stringMatching(message)]);
    }
    // webhook_id is accepted as a legacy alias of endpoint_id.
    const sub = await api('POST', '/api/v2/subscriptions/call', { webhook_id: hook.body.id });
    expect(sub.body).toMatchObject({
      call_states: [],
      enabled: true,
      target_type: null,
      webhook: { id: hook.body.id },
    });
    expect((await api('DELETE', `/api/v2/webhooks/${hook.body.id}`)).status).toBe(200);
    expect((await api('GET', `/api/v2/subscriptions/call/${sub.body.id}`)).status).toBe(404);
  });

  it('pages with opaque cursors that only fit their own list, and honours a limit', async () => {
    const firstPage = await api('GET', '/api/v2/users?limit=10');
    expect(firstPage.body.items).toHaveLength(10);
    const { cursor } = firstPage.body;
    expect(Buffer.from(cursor, 'base64url').toString()).not.toBe(cursor);
    const next = await api('GET', `/api/v2/users?limit=10&cursor=${cursor}`);
    expect(next.body.items[0].id).toBe(sim.state.company.users[10]!.id);
    expect((await api('GET', `/api/v2/contacts?cursor=${cursor}`)).body.error.message).toBe('Invalid cursor');
    expect((await api('GET', '/api/v2/users?cursor=garbage')).status).toBe(400);
  });

  it('fails about a fifth of /users requests with limit above 100, as Dialpad does', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await api('GET', '/api/v2/users?limit=500')).status);
    const failures = statuses.filter((s) => s === 400).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
    const ok = await api('GET', '/api/v2/users?limit=100');
    expect(ok.body.items).toHaveLength(100);
  });

  it('enforces the per-endpoint limits with 429: GET /call/{id} 10/min, contact create 100/min', async () => {
    const [conv] = placeCalls(sim.state, 1);
    const callId = conv!.legs[0]!.call_id;
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await api('GET', `/api/v2/call/${callId}`)).status);
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
    // Other endpoints are not affected.
    expect((await api('GET', `/api/v2/offices`)).status).toBe(200);

    const creates = await Promise.all(
      Array.from({ length: 101 }, (_, i) =>
        i % 2
          ? api('POST', '/api/v2/contacts', { first_name: 'P', last_name: String(i) })
          : api('PUT', '/api/v2/contacts', { uid: `u${i}`, first_name: 'U', last_name: String(i) }),
      ),
    );
    expect(creates.filter((r) => r.status === 429)).toHaveLength(1);
    const limited = sim.state.requests.filter((r) => r.outcome === 'rate_limited');
    expect(limited).toHaveLength(2);
  });

  it('enforces 20 requests/s company-wide', async () => {
    const strict = await startSimulator({ seed: 'company-limit', size: SMALL_COMPANY });
    try {
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          simRequest(strict, 'GET', '/api/v2/offices', undefined, { authorization: 'Bearer k' }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(20);
      expect(results.filter((r) => r.status === 429)).toHaveLength(5);
      expect(results.find((r) => r.status === 429)!.body.error.message).toMatch(/20 requests per 1000 ms/);
      await new Promise((r) => setTimeout(r, 1050));
      expect(
        (await simRequest(strict, 'GET', '/api/v2/offices', undefined, { authorization: 'Bearer k' })).status,
      ).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('injects faults and latency on demand, records requests, and resets', async () => {
    const fault = await api(
      'POST',
      '/_sim/faults',
      { path: '/api/v2/offices*', method: 'get', status: 503, count: 2 },
      {},
    );
    expect(fault.status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api('GET', '/api/v2/offices')).status);
    expect(statuses).toEqual([503, 503, 200]);

    await api(
      'POST',
      '/_sim/faults',
      { path: '/api/v2/users/:id', status: 500, count: null, body: 'upstream exploded' },
      {},
    );
    const u = sim.state.company.users[0]!.id;
    expect([(await api('GET', `/api/v2/users/${u}`)).text, (await api('GET', `/api/v2/users/${u}`)).status]).toEqual([
      'upstream exploded',
      500,
    ]);
    await api('DELETE', '/_sim/faults', undefined, {});
    expect((await api('GET', `/api/v2/users/${u}`)).status).toBe(200);

    await api('PUT', '/_sim/latency', { ms: 250, path: '/api/v2/offices' }, {});
    const t = performance.now();
    await api('GET', '/api/v2/offices');
    expect(performance.now() - t).toBeGreaterThanOrEqual(240);

    await api('POST', '/api/v2/contacts', { first_name: 'Rec', last_name: 'Orded' });
    const log = await api('GET', '/_sim/requests?path=/api/v2/contacts&method=POST', undefined, {});
    expect(log.body.items).toEqual([
      expect.objectContaining({
        method: 'POST',
        status: 200,
        outcome: 'handled',
        body: { first_name: 'Rec', last_name: 'Orded' },
      }),
    ]);
    const all = await api('GET', '/_sim/requests', undefined, {});
    expect(all.body.items.map((r: { outcome: string }) => r.outcome)).toEqual(
      expect.arrayContaining(['fault', 'handled']),
    );

    await api('POST', '/_sim/reset', undefined, {});
    expect(sim.state.latency).toEqual([]);
    expect((await api('GET', '/_sim/requests', undefined, {})).body.items).toEqual([]);
    expect((await api('GET', '/_sim/contacts?phone=%2B1', undefined, {})).body.items).toEqual([]);
  });

  it('switches Ai per office, and switches REST ids to numbers', async () => {
    const office = sim.state.company.offices[0]!;
    await api('PUT', `/_sim/offices/${office.id}/ai`, { enabled: false }, {});
    const company = await api('GET', '/_sim/company', undefined, {});
    expect(company.body.offices.find((o: { id: string }) => o.id === office.id).ai).toBe(false);

    await api('PATCH', '/_sim/config', { restIdFormat: 'number' }, {});
    expect((await api('GET', `/api/v2/offices/${office.id}`)).text).toContain(`"id":${office.id}`);
  });

  it('delivers emitted calls to the webhooks its subscriptions name, signed with their secrets', async () => {
    const received: { body: string; state: string }[] = [];
    const receiver: FastifyInstance = Fastify({ forceCloseConnections: true });
    receiver.removeAllContentTypeParsers();
    receiver.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/hook', async (req) => {
      const body = String(req.body);
      const { payload } = await jwtVerify(body, new TextEncoder().encode('hook-secret'), { algorithms: ['HS256'] });
      received.push({ body, state: String(payload.state) });
      return { ok: true };
    });
    await receiver.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (receiver.server.address() as AddressInfo).port;
      const hook = await api('POST', '/api/v2/webhooks', {
        hook_url: `http://127.0.0.1:${port}/hook`,
        secret: 'hook-secret',
      });
      await api('POST', '/api/v2/subscriptions/call', { endpoint_id: hook.body.id, call_states: ['hangup', 'missed'] });
      const run = await api('POST', '/_sim/emit', { calls: 6, rate: 50, seed: 'emit-route' }, {});
      expect(run.status).toBe(202);
      let status = run.body;
      for (let i = 0; i < 100 && status.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await api('GET', `/_sim/emits/${run.body.id}`, undefined, {})).body;
      }
      expect(status).toMatchObject({ status: 'done', summary: { givenUp: 0 } });
      expect(received.length).toBe(status.summary.delivered);
      expect(received.length).toBeGreaterThan(5);
      expect(received.every((r) => r.state === 'hangup' || r.state === 'missed')).toBe(true);
      // The simulator now serves those calls.
      const calls = await api('GET', '/_sim/calls', undefined, {});
      expect(calls.body.items.length).toBeGreaterThanOrEqual(6);
    } finally {
      await receiver.close();
    }
  });
});
