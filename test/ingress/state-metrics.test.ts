import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { buildApp } from '../../src/app';
import { createTemporalClient } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent } from '../support/signing';
import { testConfig } from '../support/temporal';
import { sampleValue } from '../ops/prometheus-text';

/**
 * The ingress's /metrics with real rows in Postgres: the relay backlog, unrouted deliveries, dead
 * letters, refused bodies, the newest delivery, sync freshness and the contact push backlog are
 * read at scrape time; refused deliveries are counted by reason and shape; and a Postgres that
 * does not answer does not hold /metrics up.
 */
const SECRET = randomBytes(32).toString('base64url');

describe('ingress metrics read from Postgres', () => {
  let tdb: TestDatabase;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 4 });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await tdb.drop();
  });

  async function ingress(stateMetrics?: { timeoutMs?: number; maxAgeMs?: number }) {
    const config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET });
    const temporal = createTemporalClient(config.temporal);
    // The relay is off so the backlog stays as the rows below make it.
    const app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true }, stateMetrics });
    app.addHook('onClose', async () => temporal.close());
    apps.push(app);
    return app;
  }

  async function scrape(app: FastifyInstance): Promise<string> {
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    return res.body;
  }

  const value = (text: string, name: string, labels: Record<string, string> = {}) => sampleValue(text, name, labels);

  it('serves the waiting work and sync freshness as Postgres holds them', async () => {
    // Values are reused for a second by default (several gauges, several scrapers): not here.
    const app = await ingress({ maxAgeMs: 0 });
    const empty = await scrape(app);
    expect(value(empty, 'dialpad_state_query_ok')).toBe(1);
    expect(value(empty, 'dialpad_relay_backlog')).toBe(0);
    expect(value(empty, 'dialpad_relay_backlog_oldest_seconds')).toBe(0);
    expect(value(empty, 'dialpad_dead_letters')).toBe(0);
    // No delivery yet: no age, not a reassuring 0.
    expect(value(empty, 'dialpad_webhook_last_delivery_age_seconds')).toBeNaN();

    const [a, b] = await seed(tdb.db);
    const text = await scrape(app);
    expect(value(text, 'dialpad_state_query_ok')).toBe(1);
    expect(value(text, 'dialpad_relay_backlog')).toBe(2);
    expect(value(text, 'dialpad_relay_backlog_oldest_seconds')).toBeGreaterThanOrEqual(300);
    expect(value(text, 'dialpad_relay_backlog_oldest_seconds')).toBeLessThan(330);
    expect(value(text, 'dialpad_deliveries_unrouted', { office_linked: 'true' })).toBe(1);
    expect(value(text, 'dialpad_deliveries_unrouted', { office_linked: 'false' })).toBe(2);
    expect(value(text, 'dialpad_dead_letters')).toBe(1);
    expect(value(text, 'dialpad_dead_letters_oldest_seconds')).toBeGreaterThanOrEqual(3600);
    expect(value(text, 'dialpad_dead_letters_oldest_seconds')).toBeLessThan(3630);
    expect(value(text, 'dialpad_refused_events_waiting')).toBe(1);
    expect(value(text, 'dialpad_webhook_last_delivery_age_seconds')).toBeGreaterThanOrEqual(10);
    expect(value(text, 'dialpad_webhook_last_delivery_age_seconds')).toBeLessThan(40);
    // Two linked accounts (the third has no office): one synced, one never.
    expect(value(text, 'dialpad_sync_accounts', { kind: 'directory' })).toBe(2);
    expect(value(text, 'dialpad_sync_never_accounts', { kind: 'directory' })).toBe(1);
    expect(value(text, 'dialpad_sync_never_accounts', { kind: 'contact' })).toBe(1);
    // The directory as the doctor reads it: the newer of the office's and its users' sync times.
    expect(value(text, 'dialpad_sync_oldest_age_seconds', { kind: 'directory' })).toBeGreaterThanOrEqual(7200);
    expect(value(text, 'dialpad_sync_oldest_age_seconds', { kind: 'directory' })).toBeLessThan(7230);
    expect(value(text, 'dialpad_sync_oldest_age_seconds', { kind: 'contact' })).toBeGreaterThanOrEqual(1800);
    expect(value(text, 'dialpad_sync_oldest_age_seconds', { kind: 'contact' })).toBeLessThan(1830);
    expect(value(text, 'dialpad_contact_push_backlog', { kind: 'create' })).toBe(3);
    expect(value(text, 'dialpad_contact_push_backlog', { kind: 'update' })).toBe(2);
    expect(value(text, 'dialpad_contact_push_backlog', { kind: 'failed' })).toBe(1);
    // No account, office, call id or number in a label.
    for (const secret of [a, b, '5527348325811001', '5527348325811002', '5527348325819999', 'call-', '4155550142'])
      expect(text).not.toContain(secret);

    // The relay's work leaves the backlog: the next scrape says so.
    await tdb.db('dialpad_webhook_deliveries').where({ signal_status: 'pending', routing_status: 'routed' }).update({
      signal_status: 'signalled',
      signalled_at: tdb.db.fn.now(),
    });
    const after = await scrape(app);
    expect(value(after, 'dialpad_relay_backlog')).toBe(0);
    expect(value(after, 'dialpad_relay_backlog_oldest_seconds')).toBe(0);
  });

  it('counts refused deliveries by reason and by whether they looked like a Dialpad call event', async () => {
    const app = await ingress();
    const event = example('hangup-answered-inbound');
    const post = (payload: string) => app.inject({ method: 'POST', url: '/webhooks/dialpad', payload });
    expect((await post(await signEvent(event, 'not-the-secret-'.repeat(3)))).statusCode).toBe(401);
    expect((await post(await signEvent(event, 'not-the-secret-'.repeat(3)))).statusCode).toBe(401);
    expect((await post('hello')).statusCode).toBe(401);
    expect((await post(await signEvent(event, SECRET))).statusCode).toBe(200);
    const text = await scrape(app);
    expect(value(text, 'dialpad_webhook_rejections_total', { reason: 'bad_signature', shape: 'call_event' })).toBe(2);
    expect(value(text, 'dialpad_webhook_rejections_total', { reason: 'malformed_token', shape: 'other' })).toBe(1);
    expect(value(text, 'dialpad_webhook_deliveries_total', { outcome: 'rejected' })).toBe(3);
    expect(text).not.toContain('4155550142');
  });

  it('answers /metrics with the last values when Postgres does not answer in time, and says so', async () => {
    const app = await ingress({ timeoutMs: 300, maxAgeMs: 0 });
    const before = await scrape(app);
    expect(value(before, 'dialpad_state_query_ok')).toBe(1);
    const backlog = value(before, 'dialpad_dead_letters');

    // A lock held on the deliveries table: the gauges' queries wait behind it.
    const trx = await tdb.db.transaction();
    try {
      await trx.raw('lock table dialpad_webhook_deliveries in access exclusive mode');
      const started = Date.now();
      const stale = await scrape(app);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(value(stale, 'dialpad_state_query_ok')).toBe(0);
      expect(value(stale, 'dialpad_dead_letters')).toBe(backlog);
      // Scraped again while the first query still waits: no second one piles up, still answered.
      const again = await scrape(app);
      expect(value(again, 'dialpad_state_query_ok')).toBe(0);
    } finally {
      await trx.rollback();
    }
    // Postgres answers again, and so do the gauges.
    await new Promise((r) => setTimeout(r, 200));
    const fresh = await scrape(app);
    expect(value(fresh, 'dialpad_state_query_ok')).toBe(1);
    expect(value(fresh, 'dialpad_state_query_age_seconds')).toBeLessThan(1);
  });
});

/** Two linked accounts (one synced, one never), one without an office, and deliveries of every kind. */
async function seed(db: Knex): Promise<[string, string]> {
  const [{ id: a }] = await db('accounts').insert({ name: 'Synced', dialpad_office_id: '5527348325811001' }, ['id']);
  const [{ id: b }] = await db('accounts').insert({ name: 'Never synced', dialpad_office_id: '5527348325811002' }, [
    'id',
  ]);
  await db('accounts').insert({ name: 'No office' });
  await db('dialpad_offices').insert({
    id: '5527348325811001',
    name: 'Office',
    synced_at: db.raw("now() - interval '2 hours'"),
  });
  await db('dialpad_users').insert({
    id: '5991398486732001',
    office_id: '5527348325811001',
    synced_at: db.raw("now() - interval '3 hours'"),
  });
  await db('dialpad_contact_sync_state').insert({
    account_id: a,
    office_id: '5527348325811001',
    last_pass_completed_at: db.raw("now() - interval '30 minutes'"),
    push_pending_creates: 3,
    push_pending_updates: 2,
    push_failed: 1,
  });
  let n = 0;
  const delivery = (fields: Record<string, unknown>) => {
    n++;
    return {
      dedupe_key: `call-${n}:hangup:${n}`,
      call_id: `call-${n}`,
      state: 'hangup',
      verified_with: 'current',
      payload: JSON.stringify({ callId: `call-${n}`, state: 'hangup', externalNumber: '+14155550142' }),
      ...fields,
    };
  };
  await db('dialpad_webhook_deliveries').insert([
    // The relay's backlog: recorded and routed, not yet signalled.
    delivery({
      account_id: a,
      office_id: '5527348325811001',
      routing_status: 'routed',
      received_at: db.raw("now() - interval '5 minutes'"),
    }),
    delivery({
      account_id: a,
      office_id: '5527348325811001',
      routing_status: 'routed',
      received_at: db.raw("now() - interval '10 seconds'"),
    }),
    delivery({
      account_id: a,
      office_id: '5527348325811001',
      routing_status: 'routed',
      signal_status: 'signalled',
      received_at: db.raw("now() - interval '1 minute'"),
    }),
    // Unrouted although its office is linked now (the doctor fails on it), and for an unknown office.
    delivery({
      office_id: '5527348325811002',
      routing_status: 'unrouted',
      received_at: db.raw("now() - interval '20 minutes'"),
    }),
    delivery({
      office_id: '5527348325819999',
      routing_status: 'unrouted',
      received_at: db.raw("now() - interval '20 minutes'"),
    }),
    delivery({
      office_id: '5527348325819999',
      routing_status: 'unrouted',
      received_at: db.raw("now() - interval '20 minutes'"),
    }),
    delivery({
      account_id: a,
      office_id: '5527348325811001',
      routing_status: 'routed',
      signal_status: 'dead_letter',
      apply_error: 'SQLSTATE 23514',
      dead_lettered_at: db.raw("now() - interval '1 hour'"),
      received_at: db.raw("now() - interval '2 hours'"),
    }),
  ]);
  const refused = { verified_with: 'current', reason: 'call_id', detail: 'no call id', body_bytes: 10 };
  await db('dialpad_webhook_refused_events').insert([
    { ...refused, received_at: db.raw("now() - interval '1 day'") },
    { ...refused, received_at: db.raw("now() - interval '1 day'"), recovered_at: db.fn.now() },
    { ...refused, received_at: db.raw("now() - interval '8 days'") },
  ]);
  return [a as string, b as string];
}
