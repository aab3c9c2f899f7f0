import { DialpadClient, collect } from '../../src/dialpad/client';
import { dialpadContactSchema } from '../../src/dialpad/types';
import { InMemoryRateLimiter } from '../../src/dialpad/rate-limit';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { placeCalls, SMALL_COMPANY } from '../simulator/support';
import { DialpadContract, type WireRequest } from './oracle';

/**
 * Every request our Dialpad client sends, captured on the wire (method, URL, body bytes) while it
 * talks to the simulator, must be one Dialpad's OpenAPI description names: the path and method
 * exist, every query parameter is declared and well typed, path parameters are well typed, and the
 * JSON body validates against the operation's requestBody schema (no field the spec does not name).
 */

/** The client's own plumbing, not endpoints. Anything else on the prototype must be exercised here. */
const NOT_ENDPOINTS = new Set([
  'constructor',
  'paginate',
  'request',
  'acquireBudget',
  'releaseBudget',
  'padded',
  'parseBody',
  'parseShape',
  'url',
  'backoff',
  'rateLimitedBackoff',
  'redact',
  'report', // the per-attempt metrics (endpoint template and result)
]);

describe('contract: every request the Dialpad client sends is in Dialpad’s OpenAPI description', () => {
  const contract = DialpadContract.load();
  let sim: RunningSimulator;
  const wire: (WireRequest & { clientMethod: string })[] = [];
  const called = new Set<string>();
  let current = '';
  let client: DialpadClient;

  beforeAll(async () => {
    // Pages of 7 make every list send cursors too.
    sim = await startSimulator({ seed: 'contract-client', size: SMALL_COMPANY, rateLimits: false, pageSize: 7 });
    const capture: typeof fetch = async (input, init) => {
      const body = init?.body;
      wire.push({
        clientMethod: current,
        method: init?.method ?? 'GET',
        url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        // The client sends JSON text; anything else would show up as an invalid body.
        body: typeof body === 'string' ? body : body === undefined || body === null ? undefined : '(not text)',
      });
      return fetch(input, init);
    };
    const real = new DialpadClient({
      apiKey: 'contract-test',
      baseUrl: sim.url,
      rateLimiter: new InMemoryRateLimiter(),
      fetch: capture,
    });
    // Records which endpoint method each request came from.
    client = new Proxy(real, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || typeof prop !== 'string' || NOT_ENDPOINTS.has(prop)) return v;
        return (...args: unknown[]) => {
          called.add(prop);
          current = prop;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('exercises every endpoint method of the client, and each request matches the spec', async () => {
    const company = sim.state.company;
    const office = company.offices[0]!;

    // Directory
    await collect(client.listOffices());
    await collect(client.listOffices({ activeOnly: true }));
    await client.getOffice(office.id);
    await collect(client.listOfficeDepartments(office.id));
    await collect(client.listOfficeCallCenters(office.id));
    const users = await collect(client.listUsers({ officeId: office.id }));
    await collect(
      client.listUsers({ state: 'active', email: users[0]!.emails![0]!, number: users[0]!.phone_numbers![0]! }),
    );
    await client.getUser(users[0]!.id);

    // Contacts
    await collect(client.listContacts());
    await collect(client.listContacts({ ownerId: users[0]!.id }));
    await collect(client.listContacts({ includeLocal: true }));
    const shared = await client.createContact({
      first_name: 'Dana',
      last_name: 'Whitfield',
      phones: ['+14155550142', '+442079460958'],
      emails: ['dana@example.com'],
      company_name: 'Lumen Foods',
      job_title: 'Buyer',
      extension: '12',
      urls: ['https://lumen.example'],
    });
    await client.createContact({ first_name: 'Local', last_name: 'One', owner_id: users[0]!.id });
    const withUid = await client.upsertContactByUid({
      uid: '0b6f5a3c-3f4e-4c1a-9d55-1c2b3a4d5e6f',
      first_name: 'Priya',
      last_name: 'Shah',
      phones: ['+61291234567'],
      emails: ['priya@example.com'],
    });
    await client.getContact(withUid.id);
    await client.updateContact(shared.id, {
      first_name: 'Dana',
      last_name: 'Whitfield-Ng',
      phones: ['+14155550142', '+442079460958', '+33142685300'],
      emails: ['dana@example.com', 'dana.ng@example.com'],
    });
    await client.updateContactKeepingLists(withUid.id, {
      first_name: 'Priya',
      last_name: 'Shah',
      phones: ['+61291234500'],
      emails: ['priya.shah@example.com'],
    });
    await client.deleteContact(shared.id);
    const page = await client.fetchPage({ template: '/api/v2/contacts' }, dialpadContactSchema, null);
    await client.fetchPage({ template: '/api/v2/contacts' }, dialpadContactSchema, page.nextCursor);

    // Calls, transcripts, Ai recap
    const conversations = placeCalls(sim.state, 20, { seed: 'contract-client-calls' });
    const withAi = conversations.find((c) => c.ai)!;
    await client.getCall(conversations[0]!.legs[0]!.call_id);
    await collect(client.listCalls({ startedAfter: Date.now() - 2 * 3_600_000 }));
    await collect(
      client.listCalls({
        startedAfter: new Date(Date.now() - 2 * 3_600_000),
        startedBefore: new Date(),
        targetType: 'office',
        targetId: office.id,
      }),
    );
    await client.getTranscript(withAi.ai!.callId);
    await client.getAiRecap(withAi.ai!.callId);
    await client.getAiRecap(withAi.ai!.callId, { summaryFormat: 'bullet' });

    // Webhooks and call subscriptions
    const hook = await client.createWebhook({ hook_url: 'https://nav.example/webhooks/dialpad', secret: 's3cret' });
    await client.createWebhook({ hook_url: 'https://nav.example/webhooks/plain' });
    await collect(client.listWebhooks());
    await client.getWebhook(hook.id);
    const sub = await client.createCallSubscription({
      endpoint_id: hook.id,
      call_states: ['hangup', 'missed', 'recap_summary'],
      enabled: true,
      group_calls_only: false,
      target_type: 'office',
      target_id: office.id,
    });
    await client.createCallSubscription({ endpoint_id: hook.id });
    await collect(client.listCallSubscriptions());
    await collect(client.listCallSubscriptions({ targetType: 'office', targetId: office.id }));
    await client.getCallSubscription(sub.id);
    await client.deleteCallSubscription(sub.id);
    await client.deleteWebhook(hook.id);

    // Coverage: every endpoint method of the client was called and sent at least one request.
    const endpointMethods = Object.getOwnPropertyNames(DialpadClient.prototype).filter((m) => !NOT_ENDPOINTS.has(m));
    expect([...called].sort()).toEqual(endpointMethods.sort());
    const sending = new Set(wire.map((w) => w.clientMethod));
    expect(endpointMethods.filter((m) => !sending.has(m))).toEqual([]);
    // Lists really paged (the cursor parameter was checked too).
    expect(wire.some((w) => new URL(w.url).searchParams.has('cursor'))).toBe(true);

    // The contract itself.
    const problems = wire.flatMap((w) => contract.requestProblems(w).map((p) => `${w.clientMethod}: ${p}`));
    expect(problems).toEqual([]);
    // Every request succeeded against the simulator, so the bodies checked are the ones that work.
    const failures = sim.state.requests.filter((r) => r.status !== null && r.status >= 400);
    expect(failures.map((r) => `${r.method} ${r.path} → ${r.status}`)).toEqual([]);
  });

  it('the oracle refuses what Dialpad’s description refuses', () => {
    const base = 'https://dialpad.example';
    expect(contract.requestProblems({ method: 'GET', url: `${base}/api/v2/calls/1` })).toEqual([
      "GET /api/v2/calls/1: no such operation in Dialpad's spec",
    ]);
    expect(contract.requestProblems({ method: 'GET', url: `${base}/api/v2/users?limit=500&office_id=1` })).toEqual([
      'GET /api/v2/users: query parameter limit is not declared by /api/v2/users',
      'GET /api/v2/users: query parameter office_id is not declared by /api/v2/users',
    ]);
    expect(contract.requestProblems({ method: 'GET', url: `${base}/api/v2/call?started_after=yesterday` })).toEqual([
      expect.stringContaining('query started_after=yesterday'),
      expect.stringContaining('query started_after=yesterday'),
      expect.stringContaining('query started_after=yesterday'),
    ]);
    expect(
      contract.requestProblems({
        method: 'POST',
        url: `${base}/api/v2/subscriptions/call`,
        body: JSON.stringify({ webhook_id: 1, call_states: ['hangup'] }),
      }),
    ).toEqual(["POST /api/v2/subscriptions/call: body (root) must NOT have additional properties 'webhook_id'"]);
    expect(
      contract.requestProblems({
        method: 'PUT',
        url: `${base}/api/v2/contacts`,
        body: JSON.stringify({ first_name: 'A', last_name: 'B' }),
      }),
    ).toEqual(["PUT /api/v2/contacts: body (root) must have required property 'uid'"]);
    // int64 either way; ids in paths too.
    expect(
      contract.requestProblems({
        method: 'POST',
        url: `${base}/api/v2/subscriptions/call`,
        body: '{"endpoint_id":"6421977457180672","target_type":"office","target_id":6421977457180673}',
      }),
    ).toEqual([]);
    expect(contract.requestProblems({ method: 'GET', url: `${base}/api/v2/call/abc` })).toEqual([
      expect.stringContaining('path id=abc'),
      expect.stringContaining('path id=abc'),
      expect.stringContaining('path id=abc'),
    ]);
  });
});
