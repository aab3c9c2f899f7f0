import { createAccount } from '../matching/support';
import { ADMIN_TOKEN, startApi, type ApiHarness } from './support';

describe('API authentication and OpenAPI document', () => {
  let h: ApiHarness;
  let account: string;

  beforeAll(async () => {
    h = await startApi();
    account = await createAccount(h.tdb.db);
  });

  afterAll(async () => {
    await h?.close();
  });

  const routes = () => [
    { method: 'GET' as const, url: `/api/accounts/${account}/calls` },
    { method: 'POST' as const, url: `/api/accounts/${account}/calls`, payload: { direction: 'sideways' } },
    { method: 'GET' as const, url: '/api/calls/00000000-0000-4000-8000-000000000000' },
    { method: 'PUT' as const, url: '/api/calls/00000000-0000-4000-8000-000000000000/link', payload: {} },
    { method: 'DELETE' as const, url: '/api/calls/00000000-0000-4000-8000-000000000000/link' },
    { method: 'POST' as const, url: '/api/calls/00000000-0000-4000-8000-000000000000/match' },
    { method: 'GET' as const, url: '/api/customers/00000000-0000-4000-8000-000000000000/communications' },
    { method: 'POST' as const, url: '/api/records/phone-numbers/changed', payload: {} },
    { method: 'GET' as const, url: `/api/accounts/${account}/phone-numbers/unreadable?limit=0` },
  ];

  it('answers 401 without a token, before looking at the request', async () => {
    for (const route of routes()) {
      const res = await h.app.inject(route);
      expect({ route: route.url, status: res.statusCode }).toEqual({ route: route.url, status: 401 });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toEqual({ error: 'unauthorized', message: 'bearer token required' });
    }
  });

  it('answers 401 to a wrong token', async () => {
    for (const route of routes()) {
      const res = await h.app.inject({ ...route, headers: { authorization: 'Bearer not-the-api-token-at-all' } });
      expect({ route: route.url, status: res.statusCode }).toEqual({ route: route.url, status: 401 });
      expect(res.json()).toEqual({ error: 'unauthorized', message: 'invalid token' });
    }
  });

  it('accepts the API token and the administrator token', async () => {
    expect((await h.api({ method: 'GET', url: `/api/accounts/${account}/calls` })).statusCode).toBe(200);
    const asAdmin = await h.app.inject({
      method: 'GET',
      url: `/api/accounts/${account}/calls`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(asAdmin.statusCode).toBe(200);
  });

  it('serves an OpenAPI document describing every route with its schemas, and Swagger UI', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/accounts/{accountId}/calls',
        '/api/accounts/{accountId}/phone-numbers/unreadable',
        '/api/calls/{id}',
        '/api/calls/{id}/link',
        '/api/calls/{id}/match',
        '/api/contacts/{id}/communications',
        '/api/customers/{id}/communications',
        '/api/records/phone-numbers/changed',
        '/api/suppliers/{id}/communications',
      ].sort(),
    );
    const list = doc.paths['/api/accounts/{accountId}/calls'];
    expect(list.get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['accountId', 'standalone', 'needsReview', 'entityType', 'entityId', 'from', 'to']),
    );
    expect(list.get.responses['200'].content['application/json'].schema.properties.items.items).toEqual({
      $ref: '#/components/schemas/CallSummary',
    });
    expect(list.post.requestBody.content['application/json'].schema.required).toEqual([
      'direction',
      'durationSeconds',
      'occurredAt',
    ]);
    expect(doc.components.schemas.CallDetail.properties).toEqual(
      expect.objectContaining({
        aiSummary: expect.anything(),
        legs: expect.anything(),
        churnReasons: expect.anything(),
      }),
    );
    // Routes outside the API (health, webhook) are not part of Navigator's API.
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/'))).toEqual([]);

    const ui = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    expect(ui.body).toContain('swagger-ui-bundle.js');
    const bundle = await h.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect((await h.app.inject({ method: 'GET', url: '/docs/static/..%2Fpackage.json' })).statusCode).toBe(404);
  });

  it('leaves the other routes as they were', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const webhook = await h.app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: 'not-a-jws',
      headers: { 'content-type': 'text/plain' },
    });
    expect(webhook.statusCode).toBe(401);
  });
});
