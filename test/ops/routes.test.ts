import { scheduleId } from '../../src/schedules';
import { ADMIN_TOKEN, API_TOKEN, createAccount, createStandInSchedule, startOpsStack, type OpsStack } from './support';

/**
 * The administrator API: ADMIN_TOKEN only (no token 401, API_TOKEN 403), and every change written
 * to admin_audit_log with the token's role and the caller's address.
 */
describe('admin operations API', () => {
  let s: OpsStack;
  let office: string;
  let accountId: string;
  const HOOK = 'https://navigator.example.com/webhooks/dialpad';

  beforeAll(async () => {
    s = await startOpsStack({ sim: { seed: 'ops-routes' } });
    office = s.sim.state.company.offices[0]!.id;
    accountId = await createAccount(s, 'Routes Ltd', office);
  });

  afterAll(async () => {
    await s?.temporal.client.schedule
      .getHandle(scheduleId('directory', accountId))
      .delete()
      .catch(() => undefined);
    await s?.close();
  });

  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    s.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const lastAudit = async (action: string) =>
    s.tdb.db('admin_audit_log').where({ action }).orderBy('id', 'desc').first();

  const routes = () => [
    { method: 'GET' as const, url: `/api/admin/doctor?accountId=${accountId}` },
    { method: 'GET' as const, url: '/api/admin/dead-letters' },
    { method: 'GET' as const, url: '/api/admin/dialpad/webhooks' },
    { method: 'POST' as const, url: '/api/admin/dialpad/webhooks', payload: { url: HOOK, accountId } },
    { method: 'POST' as const, url: '/api/admin/dialpad/webhooks/unregister', payload: { url: HOOK, accountId } },
    { method: 'DELETE' as const, url: '/api/admin/dialpad/webhooks/123' },
    { method: 'DELETE' as const, url: '/api/admin/dialpad/subscriptions/123' },
    {
      method: 'POST' as const,
      url: '/api/admin/backfills',
      payload: { accountId, from: '2026-01-01', to: '2026-01-02' },
    },
    { method: 'GET' as const, url: '/api/admin/backfills/dialpad-backfill-x' },
    { method: 'POST' as const, url: '/api/admin/replays', payload: { callId: '123' } },
    { method: 'GET' as const, url: `/api/admin/accounts/${accountId}/schedules` },
    { method: 'POST' as const, url: `/api/admin/accounts/${accountId}/schedules/directory/pause`, payload: {} },
  ];

  it('answers 401 without a token and 403 to the API token, changing nothing', async () => {
    for (const r of routes()) {
      const none = await s.app.inject(r);
      expect({ url: r.url, status: none.statusCode }).toEqual({ url: r.url, status: 401 });
      const api = await s.app.inject({ ...r, headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect({ url: r.url, status: api.statusCode }).toEqual({ url: r.url, status: 403 });
      expect(api.json()).toMatchObject({ error: 'forbidden' });
    }
    expect(s.sim.state.webhooks.size).toBe(0);
    expect(await s.tdb.db('admin_audit_log').count<{ count: number }[]>('* as count')).toEqual([{ count: 0 }]);
  });

  it('registers (201 with the secret once, then 200 without), lists without secrets, unregisters: each change audited', async () => {
    const first = await admin('POST', '/api/admin/dialpad/webhooks', { url: HOOK, accountId });
    expect(first.statusCode).toBe(201);
    const secret = first.json().secret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await admin('POST', '/api/admin/dialpad/webhooks', { url: HOOK, accountId });
    expect(again.statusCode).toBe(200);
    expect(again.json().secret).toBeUndefined();
    expect(s.sim.state.webhooks.size).toBe(1);
    expect(s.sim.state.subscriptions.size).toBe(1);
    const audit = await lastAudit('register_dialpad_webhook');
    expect(audit).toMatchObject({ actor: 'admin', account_id: accountId, source_address: '127.0.0.1' });
    expect(JSON.stringify(audit)).not.toContain(secret);

    const listed = await admin('GET', `/api/admin/dialpad/webhooks?url=${encodeURIComponent(HOOK)}`);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(secret);
    expect(listed.json().webhooks[0].subscriptions[0]).toMatchObject({ targetId: office, account: { id: accountId } });

    const removed = await admin('POST', '/api/admin/dialpad/webhooks/unregister', { url: HOOK, accountId });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().removedWebhookIds).toHaveLength(1);
    expect(await lastAudit('unregister_dialpad_webhook')).toMatchObject({ actor: 'admin', account_id: accountId });

    const bad = await admin('POST', '/api/admin/dialpad/webhooks', { url: 'ftp://x.example.com/hook', accountId });
    expect(bad.statusCode).toBe(400);
    const gone = await admin('DELETE', '/api/admin/dialpad/webhooks/123');
    expect(gone.statusCode).toBe(502);
    expect(gone.json()).toMatchObject({ error: 'dialpad_error', message: expect.stringContaining('404') });
  });

  it('starts a backfill (202, audited) and reports its progress', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date().toISOString();
    const res = await admin('POST', '/api/admin/backfills', { accountId, from, to });
    expect(res.statusCode).toBe(202);
    const { workflowId } = res.json<{ workflowId: string }>();
    expect(await lastAudit('start_backfill')).toMatchObject({ actor: 'admin', account_id: accountId });
    await s.temporal.client.workflow.getHandle(workflowId).result();
    const status = await admin('GET', `/api/admin/backfills/${workflowId}`);
    expect(status.json()).toMatchObject({ workflowId, status: 'COMPLETED', progress: { finished: true } });
    expect((await admin('POST', '/api/admin/backfills', { accountId, from: 'yesterday', to })).statusCode).toBe(400);
    expect((await admin('GET', '/api/admin/backfills/dialpad-backfill-nope')).statusCode).toBe(404);
  });

  it('replays (audited) and refuses an ambiguous selection', async () => {
    const res = await admin('POST', '/api/admin/replays', {
      from: new Date(Date.now() - 60_000).toISOString(),
      to: new Date().toISOString(),
      accountId,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      selected: 0,
      reparsed: 0,
      recoveredRefused: 0,
      stillRefused: 0,
      requeued: 0,
      deadLetters: 0,
      newlyRouted: 0,
      stillUnrouted: 0,
      waitingOffices: [],
    });
    expect(await lastAudit('replay_deliveries')).toMatchObject({ actor: 'admin', account_id: accountId });
    expect((await admin('POST', '/api/admin/replays', { callId: '1', accountId })).statusCode).toBe(400);
    expect((await admin('POST', '/api/admin/replays', {})).statusCode).toBe(400);
    expect((await admin('POST', '/api/admin/replays', { deadLetters: true, callId: '1' })).statusCode).toBe(400);
    const dead = await admin('POST', '/api/admin/replays', { deadLetters: true });
    expect(dead.json()).toMatchObject({ selected: 0, deadLetters: 0, requeued: 0 });
  });

  it('lists dead letters, newest first, for one account or all', async () => {
    const [row] = await s.tdb
      .db('dialpad_webhook_deliveries')
      .insert({
        dedupe_key: '7300000000000001:hangup:1',
        call_id: '7300000000000001',
        state: 'hangup',
        account_id: accountId,
        routing_status: 'routed',
        signal_status: 'dead_letter',
        apply_error: 'SQLSTATE 23514 (dialpad_call_legs)',
        apply_attempts: 3,
        dead_lettered_at: s.tdb.db.fn.now(),
        verified_with: 'current',
        payload: JSON.stringify({ callId: '7300000000000001', state: 'hangup' }),
      })
      .returning('id');
    const res = await admin('GET', `/api/admin/dead-letters?accountId=${accountId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().deadLetters).toEqual([
      expect.objectContaining({
        deliveryId: String((row as { id: number }).id),
        callId: '7300000000000001',
        attempts: 3,
        error: 'SQLSTATE 23514 (dialpad_call_legs)',
      }),
    ]);
    expect((await admin('GET', '/api/admin/dead-letters?accountId=nope')).statusCode).toBe(400);
    await s.tdb
      .db('dialpad_webhook_deliveries')
      .where({ id: (row as { id: number }).id })
      .delete();
  });

  it("lists, pauses, resumes and triggers the account's schedules (audited); a missing one is a 404", async () => {
    const missing = await admin('POST', `/api/admin/accounts/${accountId}/schedules/directory/pause`, {
      reason: 'maintenance',
    });
    expect(missing.statusCode).toBe(404);
    await createStandInSchedule(s, 'directory', accountId, office);
    const listed = await admin('GET', `/api/admin/accounts/${accountId}/schedules`);
    expect(listed.json().items).toEqual([
      expect.objectContaining({ kind: 'directory', present: true, paused: false }),
      expect.objectContaining({ kind: 'contact', present: false }),
    ]);
    const paused = await admin('POST', `/api/admin/accounts/${accountId}/schedules/directory/pause`, {
      reason: 'maintenance',
    });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, note: 'maintenance (admin)' });
    expect(await lastAudit('pause_schedule')).toMatchObject({ actor: 'admin', account_id: accountId });
    const resumed = await admin('POST', `/api/admin/accounts/${accountId}/schedules/directory/unpause`);
    expect(resumed.json()).toMatchObject({ paused: false });
    expect(await lastAudit('unpause_schedule')).toBeDefined();
    const triggered = await admin('POST', `/api/admin/accounts/${accountId}/schedules/directory/trigger`);
    expect(triggered.statusCode).toBe(200);
    expect(await lastAudit('trigger_schedule')).toBeDefined();
  });
});
