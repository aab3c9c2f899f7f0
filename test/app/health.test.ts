import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { createTemporalClient } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { testConfig } from '../support/temporal';
import { readRunInfo } from '../support/run-info';

describe('health, readiness and metrics', () => {
  let tdb: TestDatabase;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 2 });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await tdb.drop();
  });

  async function appWith(temporalAddress: string) {
    const config = testConfig(tdb.url, { TEMPORAL_ADDRESS: temporalAddress });
    const temporal = createTemporalClient(temporalAddress, config.temporal.namespace);
    const app = await buildApp({ config, db: tdb.db, temporal });
    app.addHook('onClose', async () => temporal.close());
    apps.push(app);
    return app;
  }

  it('is alive, and ready when Postgres and Temporal really answer', async () => {
    const app = await appWith(readRunInfo().temporalAddress);
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
  });

  it('is not ready, and says why, when Temporal cannot be reached', async () => {
    const app = await appWith('127.0.0.1:1');
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.checks.postgres).toBe('ok');
    expect(body.checks.temporal).not.toBe('ok');
  });

  it('serves Prometheus text with request metrics', async () => {
    const app = await appWith(readRunInfo().temporalAddress);
    await app.inject('/healthz');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} 1/,
    );
    expect(res.body).toContain('process_resident_memory_bytes');
  });
});
