import { startSimulator, simulatorApiRoutes, type RunningSimulator } from '../../tools/simulator/server';
import type { RestIdFormat } from '../../tools/simulator/render';
import { placeCalls, SMALL_COMPANY } from '../simulator/support';
import { DialpadContract } from './oracle';

/**
 * Every answer of the Dialpad simulator, for every route it serves, validates against the 200
 * response schema Dialpad's OpenAPI description gives that operation (our supplement for
 * /call/{id}/ai_recap, which the description lacks). Objects are closed: a field the spec does not
 * name is an error, so the simulator cannot teach our code to rely on fields Dialpad never sends.
 * Both REST id renderings are checked: int64 as strings (Dialpad's examples) and as numbers.
 */

interface Answer {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

describe.each<RestIdFormat>(['string', 'number'])(
  'contract: every simulator answer matches Dialpad’s OpenAPI description (int64 as %s)',
  (restIdFormat) => {
    const contract = DialpadContract.load();
    let sim: RunningSimulator;
    const answers: Answer[] = [];
    const auth = { authorization: 'Bearer contract-test' };

    async function call(method: string, path: string, body?: unknown): Promise<any> {
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      answers.push({ method, path: path.split('?')[0]!, status: res.status, body: parsed });
      if (res.status !== 200) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
      return parsed;
    }
    const get = (path: string) => call('GET', path);

    beforeAll(async () => {
      sim = await startSimulator({
        seed: `contract-sim-${restIdFormat}`,
        size: SMALL_COMPANY,
        rateLimits: false,
        pageSize: 25,
        restIdFormat,
      });
    });
    afterAll(async () => {
      await sim.close();
    });

    it('serves only operations the spec describes, and each answer validates', async () => {
      const company = sim.state.company;
      const office = company.offices[0]!;

      // Directory: every list page, every item's own GET for a few.
      await get('/api/v2/offices');
      await get(`/api/v2/offices/${office.id}`);
      await get(`/api/v2/offices/${office.id}/departments`);
      await get(`/api/v2/offices/${office.id}/callcenters`);
      const departments = await get('/api/v2/departments');
      await get(`/api/v2/departments?office_id=${office.id}&name_search=a`);
      await get(`/api/v2/departments/${departments.items[0].id}`);
      const centres = await get('/api/v2/callcenters');
      await get(`/api/v2/callcenters?office_id=${office.id}`);
      await get(`/api/v2/callcenters/${centres.items[0].id}`);
      let users = await get('/api/v2/users');
      while (users.cursor) users = await get(`/api/v2/users?cursor=${users.cursor}`);
      const user = company.users[0]!;
      await get(`/api/v2/users/${user.id}`);

      // Contacts: pages of shared and local, and each write.
      let contacts = await get('/api/v2/contacts');
      for (let i = 0; i < 5 && contacts.cursor; i++) contacts = await get(`/api/v2/contacts?cursor=${contacts.cursor}`);
      await get(`/api/v2/contacts?owner_id=${user.id}`);
      await get('/api/v2/contacts?include_local=true');
      const created = await call('POST', '/api/v2/contacts', {
        first_name: 'Dana',
        last_name: 'Whitfield',
        phones: ['+14155550142'],
        emails: ['dana@example.com'],
      });
      await call('POST', '/api/v2/contacts', { first_name: 'Local', last_name: 'One', owner_id: user.id });
      const withUid = await call('PUT', '/api/v2/contacts', {
        uid: '0b6f5a3c-3f4e-4c1a-9d55-1c2b3a4d5e6f',
        first_name: 'Priya',
        last_name: 'Shah',
      });
      await get(`/api/v2/contacts/${encodeURIComponent(withUid.id)}`);
      await call('PATCH', `/api/v2/contacts/${created.id}`, { job_title: 'Buyer' });
      await call('DELETE', `/api/v2/contacts/${created.id}`);

      // Calls of every kind, their Ai artefacts.
      const conversations = placeCalls(sim.state, 40, { seed: `contract-sim-calls-${restIdFormat}` });
      const since = Date.now() - 2 * 3_600_000;
      let list = await get(`/api/v2/call?started_after=${since}`);
      while (list.cursor) list = await get(`/api/v2/call?started_after=${since}&cursor=${list.cursor}`);
      await get(`/api/v2/call?started_after=0&target_type=office&target_id=${office.id}`);
      for (const conv of conversations) for (const leg of conv.legs) await get(`/api/v2/call/${leg.call_id}`);
      for (const conv of conversations.filter((c) => c.ai)) {
        await get(`/api/v2/transcripts/${conv.ai!.callId}`);
        for (const format of ['short', 'medium', 'long', 'bullet']) {
          await get(`/api/v2/call/${conv.ai!.callId}/ai_recap?summary_format=${format}`);
        }
        await get(`/api/v2/call/${conv.ai!.callId}/ai_recap`);
      }

      // Webhooks and subscriptions.
      const hook = await call('POST', '/api/v2/webhooks', { hook_url: 'https://nav.example/hook', secret: 's3cret' });
      const plain = await call('POST', '/api/v2/webhooks', { hook_url: 'https://nav.example/plain' });
      await get('/api/v2/webhooks');
      await get(`/api/v2/webhooks/${hook.id}`);
      await call('PATCH', `/api/v2/webhooks/${plain.id}`, { secret: 'now-signed' });
      const sub = await call('POST', '/api/v2/subscriptions/call', {
        endpoint_id: hook.id,
        call_states: ['hangup', 'recap_summary'],
        target_type: 'office',
        target_id: office.id,
      });
      await call('POST', '/api/v2/subscriptions/call', { endpoint_id: plain.id });
      await get('/api/v2/subscriptions/call');
      await get(`/api/v2/subscriptions/call?target_type=office&target_id=${office.id}`);
      await get(`/api/v2/subscriptions/call/${sub.id}`);
      await call('PATCH', `/api/v2/subscriptions/call/${sub.id}`, { call_states: ['all'], enabled: false });
      await call('DELETE', `/api/v2/subscriptions/call/${sub.id}`);
      await call('DELETE', `/api/v2/webhooks/${plain.id}`);

      // Every route the simulator serves is an operation of the spec (or of our supplement)…
      const routes = simulatorApiRoutes(sim.app);
      expect(routes.length).toBeGreaterThan(20);
      const asPath = (url: string) => url.replace(/:(\w+)/g, '1');
      const unknown = routes.filter((r) => contract.operation(r.method, asPath(r.url)) === null);
      expect(unknown).toEqual([]);
      const supplemented = routes.filter((r) => contract.operation(r.method, asPath(r.url))!.supplement);
      expect(supplemented).toEqual([{ method: 'GET', url: '/api/v2/call/:id/ai_recap' }]);
      // …and was answered (200) and checked here at least once.
      const answeredRoutes = new Set(
        sim.state.requests.filter((r) => r.status === 200).map((r) => `${r.method} ${r.route}`),
      );
      expect(routes.map((r) => `${r.method} ${r.url}`).filter((r) => !answeredRoutes.has(r))).toEqual([]);

      const problems = answers.flatMap((a) => contract.responseProblems(a.method, a.path, a.body));
      expect([...new Set(problems.map((p) => p.replace(/\/\d{6,}|\/[^/ ]*_uid_[^/ ]*/g, '/{id}')))]).toEqual([]);
      expect(answers.length).toBeGreaterThan(100);
    });
  },
);

describe('contract: the oracle itself', () => {
  const contract = DialpadContract.load();

  it('Dialpad’s own response examples validate (int64 as strings, date-times without offset)', () => {
    const failing: string[] = [];
    let checked = 0;
    for (const [template, item] of Object.entries(contract.doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const json = op.responses?.['200']?.content?.['application/json'] as
          { schema?: Record<string, unknown>; examples?: { json_example?: { value?: unknown } } } | undefined;
        const example = json?.examples?.json_example?.value;
        if (!json?.schema || example === undefined) continue;
        checked++;
        if (contract.validateAgainst(json.schema as never, example).length) failing.push(`${method} ${template}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    // The one exception is an error body ({"error": …}) that Dialpad filed as the 200 example.
    expect(failing).toEqual(['patch /api/v2/users/{id}/togglevi']);
  });

  it('int64 is an integer or a string of digits; other types, unknown fields and bad enums are refused', () => {
    const ok = (v: unknown) => contract.schemaProblems('schemas.webhook.WebhookProto', v);
    expect(ok({ id: 6421977457180672, hook_url: 'https://x', signature: null })).toEqual([]);
    expect(ok({ id: '6421977457180672', hook_url: 'https://x' })).toEqual([]);
    expect(ok({ id: '64219x' })).not.toEqual([]);
    expect(ok({ id: 1.5 })).not.toEqual([]);
    expect(ok({ id: 1, hookUrl: 'https://x' })).toEqual(["(root) must NOT have additional properties 'hookUrl'"]);
    expect(contract.schemaProblems('schemas.contact.ContactProto', { id: 5, type: 'local' })).toEqual([
      '/id must be string,null',
    ]);
    expect(contract.schemaProblems('schemas.contact.ContactProto', { type: 'global' })).toEqual([
      '/type must be equal to one of the allowed values ["local","shared",null]',
    ]);
  });

  it('call events: CallProto plus the webhook-only fields, nothing else', () => {
    const event = {
      call_id: 6421977457180672,
      state: 'hangup',
      contact: { id: '6131436978913280_uid_0b6f5a3c', name: 'Dana', phone: '+15105105100', email: '', type: 'shared' },
      target: { id: '5527348325810176', name: 'Oasis', phone: '+15106666687', email: '', type: 'office', office_id: 1 },
      date_started: '1731624039404',
      date_ended: 1731624048355,
      total_duration: 8951.03,
      talk_time: 0,
      date_first_rang: null,
      voicemail_link: null,
      recap_action_items: ['anything goes'],
    };
    expect(contract.schemaProblems('navigator.webhook.CallEvent', event)).toEqual([]);
    expect(contract.schemaProblems('schemas.call.CallProto', event).sort()).toEqual(
      [
        "/target must NOT have additional properties 'office_id'",
        // (target is a nullable $ref: anyOf [CallContactProto, null])
        '/target must be null',
        '/target must match a schema in anyOf',
        "(root) must NOT have additional properties 'talk_time'",
        "(root) must NOT have additional properties 'date_first_rang'",
        "(root) must NOT have additional properties 'voicemail_link'",
        "(root) must NOT have additional properties 'recap_action_items'",
      ].sort(),
    );
    expect(
      contract.schemaProblems('navigator.webhook.CallEvent', { ...event, contact: { id: 6131436978913280 } }),
    ).toEqual(['/contact/id must be string,null', '/contact must be null', '/contact must match a schema in anyOf']);
    expect(contract.schemaProblems('navigator.webhook.CallEvent', { ...event, talktime: 1 })).toEqual([
      "(root) must NOT have additional properties 'talktime'",
    ]);
  });
});
