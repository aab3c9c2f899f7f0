import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { MAX_SOURCES_PER_MINUTE } from '../../src/ingress/rejections';
import { runDoctor } from '../../src/ops';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signEvent } from '../support/signing';
import { testConfig } from '../support/temporal';

/**
 * Forged traffic cannot push out the evidence: 50,000 forged requests from 5,000 addresses around a
 * few deliveries Dialpad signed with a secret the ingress does not know. The refusals are counted
 * in a bounded number of rows, and the doctor still sees the wrong secret.
 */
const SECRET = 'flood-webhook-secret-0123456789abcdefgh';
const DIALPAD_ADDRESS = '34.120.0.7';

describe('a flood of forged webhooks', () => {
  let tdb: TestDatabase;
  let temporal: TemporalHandles;
  let app: FastifyInstance;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
  });

  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await tdb?.drop();
  });

  it('stays under the cap and the doctor still reports the wrong secret', async () => {
    const FORGED = 50_000;
    const REAL = 5;
    const started = Date.now();
    const forged = (i: number) => {
      const kind = i % 3;
      if (kind === 0)
        return `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(`{"n":${i}}`).toString('base64url')}.AAAA${i}`;
      if (kind === 1) return `not-a-token-${i}`;
      return JSON.stringify({ hello: i });
    };
    const real = async (i: number) =>
      signEvent(example('missed-inbound', { call_id: 7721977457100000 + i }), 'the-old-secret-dialpad-still-uses-0123');

    let sent = 0;
    const statuses = new Map<number, number>();
    const send = async (payload: string, remoteAddress: string) => {
      const res = await app.inject({ method: 'POST', url: '/webhooks/dialpad', payload, remoteAddress });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    };
    const lane = async () => {
      while (sent < FORGED) {
        const i = sent++;
        await send(forged(i), `10.${(i >> 16) & 255}.${(i % 5000) >> 8}.${i % 256}`);
        // The real ones arrive in the middle of the flood.
        if (i % (FORGED / REAL) === FORGED / REAL / 2) await send(await real(i), DIALPAD_ADDRESS);
      }
    };
    await Promise.all(Array.from({ length: 32 }, lane));
    await app.close(); // flushes what is still counted in memory
    expect(statuses.get(401)).toBe(FORGED + REAL);

    const rows = await tdb.db('dialpad_webhook_rejections').select('*');
    const minutes = new Set(rows.map((r) => r.minute.getTime())).size;
    const reasons = new Set(rows.map((r) => `${r.reason}|${r.shape}`)).size;
    // Bounded by minutes and reasons, not by requests or addresses.
    expect(rows.length).toBeLessThanOrEqual(minutes * reasons * (MAX_SOURCES_PER_MINUTE + 1));
    expect(rows.length).toBeLessThan(2_000);
    expect(rows.reduce((n, r) => n + Number(r.count), 0)).toBe(FORGED + REAL);
    const fromDialpad = rows.filter((r) => r.source_address === DIALPAD_ADDRESS);
    expect(fromDialpad.map((r) => [r.reason, r.shape])).toEqual(fromDialpad.map(() => ['bad_signature', 'call_event']));
    expect(fromDialpad.reduce((n, r) => n + Number(r.count), 0)).toBe(REAL);

    const report = await runDoctor({ db: tdb.db });
    const check = report.system.find((c) => c.id === 'signature_failures')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(new RegExp(`^${REAL} deliveries refused for a wrong or missing signature`));
    expect(check.detail).toContain('shaped like Dialpad call events');
    expect(check.detail).toMatch(/also \d+ refused requests that do not look like Dialpad's events/);
    process.stderr.write(`[flood] ${FORGED + REAL} requests in ${Date.now() - started} ms → ${rows.length} rows\n`);
  }, 300_000);
});
