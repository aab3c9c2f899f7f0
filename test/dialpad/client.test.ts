import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DialpadClient, collect, type DialpadClientOptions } from '../../src/dialpad/client';
import { InMemoryRateLimiter } from '../../src/dialpad/rate-limit';
import {
  DIALPAD_NON_RETRYABLE_ERROR_TYPES,
  DialpadApiError,
  DialpadProtocolError,
  DialpadRateLimitedError,
  DialpadUnavailableError,
  RateLimitWaitExceededError,
  isDialpadNotFound,
} from '../../src/dialpad/errors';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { placeCalls, SMALL_COMPANY, simRequest } from '../simulator/support';

const KEY = 'sk_live_Sup3rS3cretDialpadKey_4f9a';
const FAST_RETRY = { baseDelayMs: 5, rateLimitedBaseDelayMs: 20, maxDelayMs: 300 };

describe('DialpadClient against the simulator', () => {
  let sim: RunningSimulator;
  // One budget for every client in this file, as one process would have: separate in-memory
  // limiters would together exceed Dialpad's 20/s (that is what PostgresRateLimiter is for).
  const limiter = new InMemoryRateLimiter();
  const client = (over: Partial<DialpadClientOptions> = {}) =>
    new DialpadClient({ apiKey: KEY, baseUrl: sim.url, retry: FAST_RETRY, rateLimiter: limiter, ...over });
  const requestsTo = (route: string, method = 'GET') =>
    sim.state.requests.filter((r) => r.route === route && r.method === method);

  beforeAll(async () => {
    sim = await startSimulator({ seed: 'client-test', size: SMALL_COMPANY, apiKey: KEY, pageSize: 50 });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.state.reset();
  });

  describe('pagination', () => {
    it('pages through every user to the final (empty) page, and filters by office on our side', async () => {
      const users = await collect(client().listUsers());
      expect(users.map((u) => u.id)).toEqual(sim.state.company.users.map((u) => u.id));
      // 250 users, 50 a page: five full pages, each with a cursor, then an empty page without items.
      expect(requestsTo('/api/v2/users')).toHaveLength(6);

      const office = sim.state.company.offices[1]!;
      const officeUsers = await collect(client().listUsers({ officeId: office.id }));
      expect(officeUsers.map((u) => u.id).sort()).toEqual(
        sim.state.company.usersByOffice
          .get(office.id)!
          .map((u) => u.id)
          .sort(),
      );
      expect(officeUsers.every((u) => u.office_id === office.id)).toBe(true);
    });

    it('lists every shared contact, and a user’s local contacts with ownerId', async () => {
      const seeded = sim.state.company.contacts;
      const shared = await collect(client().listContacts());
      expect(new Set(shared.map((c) => c.id))).toEqual(
        new Set(seeded.filter((c) => c.type === 'shared').map((c) => c.id)),
      );
      expect(shared.every((c) => c.type === 'shared')).toBe(true);

      const owner = seeded.find((c) => c.type === 'local')!.ownerId!;
      const local = await collect(client().listContacts({ ownerId: owner }));
      expect(local.map((c) => c.id)).toEqual(seeded.filter((c) => c.ownerId === owner).map((c) => c.id));
      expect(local.every((c) => c.owner_id === owner)).toBe(true);

      const everything = await collect(client().listContacts({ includeLocal: true }));
      expect(everything).toHaveLength(seeded.length);
    });

    it('tolerates items: null, absent items, and an empty cursor', async () => {
      sim.state.faults.push(
        {
          id: 'f1',
          method: 'GET',
          path: '/api/v2/webhooks',
          status: 200,
          remaining: 1,
          headers: {},
          body: { items: null, cursor: 'next-page' },
        },
        {
          id: 'f2',
          method: 'GET',
          path: '/api/v2/webhooks',
          status: 200,
          remaining: 1,
          headers: {},
          body: { items: [{ id: 42, hook_url: 'https://x.example/h' }], cursor: '' },
        },
      );
      const hooks = await collect(client().listWebhooks());
      expect(hooks).toEqual([{ id: '42', hook_url: 'https://x.example/h' }]);
      expect(requestsTo('/api/v2/webhooks').map((r) => r.query.cursor)).toEqual([undefined, 'next-page']);

      sim.state.faults.push({
        id: 'f3',
        method: 'GET',
        path: '/api/v2/webhooks',
        status: 200,
        remaining: 1,
        headers: {},
        body: {},
      });
      expect(await collect(client().listWebhooks())).toEqual([]);
    });

    it('refuses to loop on a cursor that comes back again', async () => {
      sim.state.faults.push({
        id: 'loop',
        method: 'GET',
        path: '/api/v2/webhooks',
        status: 200,
        remaining: null,
        headers: {},
        body: { items: [], cursor: 'same' },
      });
      await expect(collect(client().listWebhooks())).rejects.toBeInstanceOf(DialpadProtocolError);
      expect(requestsTo('/api/v2/webhooks').map((r) => r.query.cursor)).toEqual([undefined, 'same']);
    });
  });

  describe('retries and errors', () => {
    it('backs off after 429 and then succeeds, honouring Retry-After', async () => {
      const office = sim.state.company.offices[0]!;
      sim.state.faults.push({
        id: 'r',
        method: 'GET',
        path: '/api/v2/offices/:id',
        status: 429,
        remaining: 2,
        headers: { 'retry-after': '0.3' },
        body: null,
      });
      const started = performance.now();
      const got = await client().getOffice(office.id);
      expect(got.id).toBe(office.id);
      expect(performance.now() - started).toBeGreaterThanOrEqual(590);
      expect(requestsTo('/api/v2/offices/:id').map((r) => r.status)).toEqual([429, 429, 200]);
    });

    it('gives up on 429 after its retries with a retryable DialpadRateLimitedError', async () => {
      sim.state.faults.push({
        id: 'r',
        method: null,
        path: '/api/v2/offices',
        status: 429,
        remaining: null,
        headers: {},
        body: null,
      });
      const err = await collect(client({ retry: { ...FAST_RETRY, rateLimitedRetries: 2 } }).listOffices()).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DialpadRateLimitedError);
      expect(err).toMatchObject({ name: 'DialpadRateLimitedError', attempts: 3, endpoint: 'GET /api/v2/offices' });
      expect(DIALPAD_NON_RETRYABLE_ERROR_TYPES).not.toContain((err as Error).name);
      expect(requestsTo('/api/v2/offices')).toHaveLength(3);
    });

    it('retries 5xx with jitter and succeeds; gives up with DialpadUnavailableError', async () => {
      const office = sim.state.company.offices[0]!;
      sim.state.faults.push({
        id: 'a',
        method: null,
        path: '/api/v2/offices/*',
        status: 503,
        remaining: 2,
        headers: {},
        body: null,
      });
      expect((await client().getOffice(office.id)).name).toBe(office.name);
      expect(requestsTo('/api/v2/offices/:id').map((r) => r.status)).toEqual([503, 503, 200]);

      sim.state.faults.push({
        id: 'b',
        method: null,
        path: '/api/v2/offices/*',
        status: 500,
        remaining: null,
        headers: {},
        body: null,
      });
      const err = await client({ retry: { ...FAST_RETRY, serverErrorRetries: 3 } })
        .getOffice(office.id)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DialpadUnavailableError);
      expect(err).toMatchObject({ status: 500, attempts: 4, mayHaveSucceeded: false });
    });

    it('turns other 4xx into a typed, non-retryable DialpadApiError saying what Dialpad rejected', async () => {
      const c = client();
      const missingName = await c
        .createContact({ first_name: 'Dana' } as unknown as Parameters<DialpadClient['createContact']>[0])
        .catch((e: unknown) => e);
      expect(missingName).toBeInstanceOf(DialpadApiError);
      expect(missingName).toMatchObject({ name: 'DialpadApiError', status: 400, endpoint: 'POST /api/v2/contacts' });
      expect((missingName as DialpadApiError).dialpadMessage).toMatch(/last_name is required/);
      expect((missingName as Error).message).toMatch(/POST \/api\/v2\/contacts.*400.*last_name/);
      expect(DIALPAD_NON_RETRYABLE_ERROR_TYPES).toContain((missingName as Error).name);

      const badPhone = await c
        .createContact({ first_name: 'Dana', last_name: 'Whitfield', phones: ['(415) 555-0142'] })
        .catch((e: unknown) => e);
      expect(badPhone).toMatchObject({ status: 400 });
      expect((badPhone as DialpadApiError).dialpadMessage).toMatch(/E\.164/);

      const missing = await c.getContact('1234567890123456').catch((e: unknown) => e);
      expect(isDialpadNotFound(missing)).toBe(true);
      expect(missing).toMatchObject({ endpoint: 'GET /api/v2/contacts/{id}' });

      // Not retried: one request each.
      expect(requestsTo('/api/v2/contacts', 'POST')).toHaveLength(2);
      expect(requestsTo('/api/v2/contacts/:id')).toHaveLength(1);
    });

    it('times out every attempt; retries idempotent requests only', async () => {
      sim.state.latency.push({ path: null, ms: 300 });
      const c = client({ timeoutMs: 100, retry: { ...FAST_RETRY, networkRetries: 2 } });
      const get = await c.getOffice(sim.state.company.offices[0]!.id).catch((e: unknown) => e);
      expect(get).toBeInstanceOf(DialpadUnavailableError);
      expect(get).toMatchObject({ attempts: 3, mayHaveSucceeded: false, status: null });
      expect((get as Error).message).toMatch(/timed out after 100 ms/);

      const post = await c.createContact({ first_name: 'A', last_name: 'B' }).catch((e: unknown) => e);
      expect(post).toMatchObject({ name: 'DialpadUnavailableError', attempts: 1, mayHaveSucceeded: true });
      await new Promise((r) => setTimeout(r, 350));
      expect(requestsTo('/api/v2/offices/:id')).toHaveLength(3);
      expect(requestsTo('/api/v2/contacts', 'POST')).toHaveLength(1);
    });

    it("stops at once when the caller's signal aborts", async () => {
      sim.state.latency.push({ path: null, ms: 500 });
      const ac = new AbortController();
      const pending = client().getOffice(sim.state.company.offices[0]!.id, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error('activity cancelled')), 50);
      await expect(pending).rejects.toThrow('activity cancelled');
    });

    it('keeps GET /call/{id} within its 10 per minute before Dialpad has to say 429', async () => {
      const [conv] = placeCalls(sim.state, 1);
      const callId = conv!.legs[0]!.call_id;
      const c = client({ maxRateLimitWaitMs: 500, bucketPrefix: 'call-get-budget' });
      for (let i = 0; i < 10; i++) expect((await c.getCall(callId)).call_id).toBe(callId);
      await expect(c.getCall(callId)).rejects.toBeInstanceOf(RateLimitWaitExceededError);
      const seen = requestsTo('/api/v2/call/:id');
      expect(seen).toHaveLength(10);
      expect(seen.every((r) => r.status === 200)).toBe(true);
    });
  });

  describe('ids', () => {
    let big: RunningSimulator;
    beforeAll(async () => {
      big = await startSimulator({ seed: 'big-ids', size: SMALL_COMPANY, largeIds: true, restIdFormat: 'number' });
    });
    afterAll(async () => {
      await big.close();
    });

    it('keeps ids above 2^53 exact when Dialpad sends them as JSON numbers', async () => {
      const office = big.state.company.offices[0]!;
      expect(BigInt(office.id)).toBeGreaterThan(2n ** 53n);
      // An id a double cannot hold (above 2^53 only even numbers are exact).
      const user = big.state.company.users.find((u) => String(Number(u.id)) !== u.id)!;
      const raw = await simRequest(big, 'GET', `/api/v2/users/${user.id}`, undefined, { authorization: 'Bearer k' });
      expect(raw.text).toContain(`"id":${user.id},`);
      expect(String(raw.body.id)).not.toBe(user.id); // what JSON.parse makes of it

      const c = new DialpadClient({ apiKey: 'k', baseUrl: big.url, retry: FAST_RETRY });
      expect((await c.getOffice(office.id)).id).toBe(office.id);
      expect((await c.getUser(user.id)).id).toBe(user.id);
      const users = await collect(c.listUsers({ officeId: office.id }));
      expect(users.map((u) => u.id)).toEqual(big.state.company.usersByOffice.get(office.id)!.map((u) => u.id));
      expect(users[0]!.company_id).toBe(big.state.company.id);

      const owner = users[0]!.id;
      const created = await c.createContact({ first_name: 'Dana', last_name: 'Whitfield', owner_id: owner });
      expect(created.owner_id).toBe(owner);
      expect(big.state.contacts.get(created.id)?.ownerId).toBe(owner);

      const [conv] = placeCalls(big.state, 1, { kinds: ['callcenter'] });
      const operatorLeg = conv!.legs[1]!;
      const call = await c.getCall(operatorLeg.call_id);
      expect(call.call_id).toBe(operatorLeg.call_id);
      expect(call.master_call_id).toBe(conv!.legs[0]!.call_id);
      expect(call.target?.id).toBe(operatorLeg.target.id);
      expect(call.date_started).toBe(operatorLeg.date_started);
    });

    it('normalises the string ids and string timestamps of the default REST format', async () => {
      const [conv] = placeCalls(sim.state, 1, { kinds: ['inbound_answered'] });
      const leg = conv!.legs[0]!;
      const raw = await simRequest(sim, 'GET', `/api/v2/call/${leg.call_id}`, undefined, {
        authorization: `Bearer ${KEY}`,
      });
      expect(raw.body.call_id).toBe(leg.call_id);
      expect(raw.body.date_started).toBe(String(leg.date_started));
      const call = await client({ bucketPrefix: 'string-ids' }).getCall(leg.call_id);
      expect(call.date_started).toBe(leg.date_started);
      expect(call.date_connected).toBe(leg.date_connected);
      // REST's CallProto has no talk_time (a webhook-only field): `duration` is the talk portion.
      expect(call.duration).toBe(leg.talk_time);
    });
  });

  describe('the API key', () => {
    it('never appears in errors or logs, whatever goes wrong', async () => {
      const lines: string[] = [];
      const logger = pino(
        { level: 'trace' },
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            lines.push(chunk.toString());
            cb();
          },
        }),
      );
      const errors: unknown[] = [];
      const capture = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: unknown) => errors.push(e),
        );

      // Dialpad echoing the key back in its message.
      sim.state.faults.push({
        id: 'echo',
        method: 'GET',
        path: '/api/v2/offices',
        status: 400,
        remaining: 1,
        headers: {},
        body: { error: { code: 400, message: `invalid key ${KEY} for this company` } },
      });
      const c = client({ logger, timeoutMs: 150 });
      await capture(collect(c.listOffices()));
      // Wrong key (401), 5xx exhaustion, timeout, connection refused.
      await capture(new DialpadClient({ apiKey: `${KEY}-wrong`, baseUrl: sim.url, logger }).getOffice('1'));
      sim.state.faults.push({
        id: 'down',
        method: null,
        path: '/api/v2/users/*',
        status: 502,
        remaining: null,
        headers: {},
        body: `<html>${KEY}</html>`,
      });
      await capture(c.getUser('1'));
      sim.state.faults = [];
      sim.state.latency.push({ path: '/api/v2/offices', ms: 400 });
      await capture(
        collect(client({ logger, timeoutMs: 100, retry: { ...FAST_RETRY, networkRetries: 1 } }).listOffices()),
      );
      sim.state.latency = [];
      await capture(c.getContact('404404404'));
      await capture(
        new DialpadClient({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9', logger, retry: FAST_RETRY }).getOffice('1'),
      );

      expect(errors).toHaveLength(6);
      expect(errors[0]).toMatchObject({ status: 400 });
      expect((errors[0] as DialpadApiError).dialpadMessage).toContain('[redacted]');
      expect(errors[1]).toMatchObject({ status: 401 });
      expect(errors[2]).toMatchObject({ name: 'DialpadUnavailableError', status: 502 });
      expect((errors[3] as Error).message).toMatch(/timed out/);
      expect(errors[4]).toMatchObject({ status: 404 });
      expect((errors[5] as Error).message).toMatch(/network error/);
      expect(lines.length).toBeGreaterThan(5);

      const everything = [
        ...errors.flatMap((e) => [
          String(e),
          (e as Error).stack ?? '',
          JSON.stringify(e),
          inspect(e, { depth: Infinity, showHidden: true }),
        ]),
        inspect(c, { depth: Infinity, showHidden: true }),
        JSON.stringify(c),
        ...lines,
      ].join('\n');
      expect(everything).not.toContain(KEY);
      expect(everything).not.toContain('Sup3rS3cret');

      // And the key is really what authenticates: the right one works.
      expect((await collect(client().listOffices())).length).toBe(3);
    });
  });
});
