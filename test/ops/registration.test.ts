import pino from 'pino';
import type { DialpadClient } from '../../src/dialpad/client';
import {
  listRegistrations,
  opsDialpadClient,
  OpsError,
  registerOfficeWebhook,
  removeCallSubscription,
  rotateWebhookSecret,
  SUBSCRIBED_STATES,
  unregisterOfficeWebhook,
} from '../../src/ops';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { testConfig } from '../support/temporal';
import { SMALL, TEST_ACTOR } from './support';

const HOOK = 'https://navigator.example.com/webhooks/dialpad';

describe('registering Dialpad webhooks and call subscriptions', () => {
  let sim: RunningSimulator;
  let tdb: TestDatabase;
  let dialpad: DialpadClient;
  let officeA: string;
  let officeB: string;
  let accountA: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 'ops-registration', size: SMALL, aiOfficeIds: [] });
    [officeA, officeB] = sim.state.company.offices.map((o) => o.id) as [string, string];
    tdb = await createTestDatabase();
    const config = testConfig(tdb.url, { DIALPAD_API_KEY: 'simulator-key', DIALPAD_API_BASE_URL: sim.url });
    dialpad = opsDialpadClient(config, tdb.db, pino({ level: 'silent' }))!;
    const [a] = await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: officeA }).returning('id');
    accountA = (a as { id: string }).id;
  });

  afterAll(async () => {
    await tdb?.drop();
    await sim?.close();
  });

  beforeEach(async () => {
    sim.state.reset();
    await tdb.db('admin_audit_log').delete();
  });

  const audit = (action: string) => tdb.db('admin_audit_log').where({ action }).orderBy('id');

  it('creates exactly one webhook and one subscription, however often it runs', async () => {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push(
        await registerOfficeWebhook(
          dialpad,
          tdb.db,
          { hookUrl: HOOK, officeId: officeA, accountId: accountA },
          TEST_ACTOR,
        ),
      );
    }
    const [first, ...again] = runs;
    expect(first!.webhook.created).toBe(true);
    expect(first!.subscription.created).toBe(true);
    expect(first!.secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(first!.secretSource).toBe('generated');
    for (const r of again) {
      expect(r).toMatchObject({
        webhook: { id: first!.webhook.id, created: false },
        subscription: { id: first!.subscription.id, created: false },
        changed: false,
      });
      expect(r.secret).toBeUndefined();
    }

    expect(sim.state.webhooks.size).toBe(1);
    expect(sim.state.subscriptions.size).toBe(1);
    const [webhook] = [...sim.state.webhooks.values()];
    const [sub] = [...sim.state.subscriptions.values()];
    expect(webhook).toMatchObject({ hookUrl: HOOK, secret: first!.secret });
    expect(sub).toMatchObject({ targetType: 'office', targetId: officeA, endpointId: webhook!.id, enabled: true });
    expect([...sub!.callStates].sort()).toEqual(SUBSCRIBED_STATES);
    expect(SUBSCRIBED_STATES).toEqual(
      expect.arrayContaining(['hangup', 'missed', 'voicemail', 'recap_summary', 'call_transcription']),
    );

    // Audited once, and the secret never reaches the log.
    const rows = await audit('register_dialpad_webhook');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'test', account_id: accountA });
    expect(JSON.stringify(rows)).not.toContain(first!.secret);
  });

  it('a second office reuses the webhook (no new secret) and gets its own subscription', async () => {
    const a = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA }, TEST_ACTOR);
    const b = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: `${HOOK}/`, officeId: officeB }, TEST_ACTOR);
    expect(b.webhook).toEqual({ id: a.webhook.id, created: false });
    expect(b.secret).toBeUndefined();
    expect(b.subscription.created).toBe(true);
    expect(sim.state.webhooks.size).toBe(1);
    expect([...sim.state.subscriptions.values()].map((s) => s.targetId).sort()).toEqual([officeA, officeB].sort());
  });

  it('replaces a subscription that lacks states: the new one is created before the old is deleted', async () => {
    const webhook = await dialpad.createWebhook({ hook_url: HOOK, secret: 'an-older-secret-of-at-least-32-bytes-xx' });
    const partial = await dialpad.createCallSubscription({
      endpoint_id: webhook.id,
      call_states: ['hangup'],
      target_type: 'office',
      target_id: officeA,
    });
    const seqBefore = sim.state.requests.at(-1)!.seq;
    const r = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA }, TEST_ACTOR);
    expect(r.webhook).toEqual({ id: webhook.id, created: false });
    expect(r.secret).toBeUndefined();
    expect(r.replacedSubscriptionIds).toEqual([partial.id]);
    expect([...sim.state.subscriptions.keys()]).toEqual([r.subscription.id]);
    const writes = sim.state.requests
      .filter((q) => q.seq > seqBefore && q.method !== 'GET')
      .map((q) => `${q.method} ${q.route}`);
    expect(writes).toEqual(['POST /api/v2/subscriptions/call', 'DELETE /api/v2/subscriptions/call/:id']);
  });

  it('signs with a given secret when asked, and refuses a short one or a plain-http public URL', async () => {
    const secret = 'configured-secret-0123456789-abcdefghijkl';
    const r = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA, secret }, TEST_ACTOR);
    expect(r.secretSource).toBe('given');
    expect([...sim.state.webhooks.values()][0]!.secret).toBe(secret);
    await expect(
      registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA, secret: 'short' }, TEST_ACTOR),
    ).rejects.toThrow(OpsError);
    await expect(
      registerOfficeWebhook(
        dialpad,
        tdb.db,
        { hookUrl: 'http://navigator.example.com/webhooks/dialpad', officeId: officeA },
        TEST_ACTOR,
      ),
    ).rejects.toThrow(/https/);
  });

  it('lists registrations without secrets, and removing undoes them office by office', async () => {
    const a = await registerOfficeWebhook(
      dialpad,
      tdb.db,
      { hookUrl: HOOK, officeId: officeA, accountId: accountA },
      TEST_ACTOR,
    );
    await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeB }, TEST_ACTOR);
    const listed = await listRegistrations(dialpad, tdb.db);
    expect(JSON.stringify(listed)).not.toContain(a.secret!);
    expect(listed.webhooks).toHaveLength(1);
    expect(listed.webhooks[0]!.subscriptions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ targetId: officeA, account: { id: accountA, name: 'Acme' }, missingStates: [] }),
        expect.objectContaining({ targetId: officeB, account: null }),
      ]),
    );

    const first = await unregisterOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA }, TEST_ACTOR);
    expect(first.removedSubscriptionIds).toHaveLength(1);
    expect(first.removedWebhookIds).toEqual([]); // office B still uses it
    const second = await unregisterOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeB }, TEST_ACTOR);
    expect(second.removedWebhookIds).toEqual([a.webhook.id]);
    expect(sim.state.webhooks.size + sim.state.subscriptions.size).toBe(0);
    expect(await audit('unregister_dialpad_webhook')).toHaveLength(2);

    const again = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA }, TEST_ACTOR);
    await removeCallSubscription(dialpad, tdb.db, again.subscription.id, TEST_ACTOR);
    expect(sim.state.subscriptions.size).toBe(0);
    expect(await audit('remove_dialpad_subscription')).toHaveLength(1);
  });

  it('rotates the secret without a gap: new webhook and subscriptions first, old ones last; re-running changes nothing', async () => {
    const old = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA }, TEST_ACTOR);
    await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeB }, TEST_ACTOR);
    const newSecret = 'the-new-secret-0123456789-abcdefghijklmnop';
    const r = await rotateWebhookSecret(dialpad, tdb.db, { hookUrl: HOOK, newSecret }, TEST_ACTOR);
    expect(r.removedWebhookIds).toEqual([old.webhook.id]);
    expect(r.copiedSubscriptions).toHaveLength(2);
    const webhooks = [...sim.state.webhooks.values()];
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]).toMatchObject({ id: r.newWebhookId, secret: newSecret, hookUrl: HOOK });
    const subs = [...sim.state.subscriptions.values()];
    expect(subs.map((s) => s.endpointId)).toEqual([r.newWebhookId, r.newWebhookId]);
    expect(subs.map((s) => s.targetId).sort()).toEqual([officeA, officeB].sort());

    const again = await rotateWebhookSecret(dialpad, tdb.db, { hookUrl: HOOK, newSecret }, TEST_ACTOR);
    expect(again).toMatchObject({ newWebhookId: r.newWebhookId, copiedSubscriptions: [], removedWebhookIds: [] });
    expect(sim.state.subscriptions.size).toBe(2);
    // Registration afterwards finds the rotated webhook and its subscription.
    const reg = await registerOfficeWebhook(dialpad, tdb.db, { hookUrl: HOOK, officeId: officeA }, TEST_ACTOR);
    expect(reg.changed).toBe(false);
  });
});
