import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { createKnex } from '../../src/db/knex';
import { freePort } from '../../tools/lib/processes';
import { startIngress } from '../../src/server';
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
    const temporal = createTemporalClient({ address: temporalAddress, namespace: config.temporal.namespace });
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
    expect(body).toEqual({ status: 'not ready', checks: { postgres: 'ok', temporal: 'unavailable' } });
    // Which dependency, never its error text or address: strangers can read this.
    expect(res.body).not.toContain('127.0.0.1');
    // It can still take webhooks durably (into Postgres, for the relay): a load balancer keeps it.
    const forWebhooks = await app.inject('/readyz?for=webhooks');
    expect(forWebhooks.statusCode).toBe(200);
    expect(forWebhooks.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'unavailable' } });
  });

  it('?for=webhooks is not ready only when neither store answers', async () => {
    const config = testConfig('postgres://postgres:x@127.0.0.1:1/none', { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const deadDb = createKnex(config.databaseUrl!, { max: 1 });
    const temporal = createTemporalClient(config.temporal);
    const app = await buildApp({ config, db: deadDb, temporal });
    app.addHook('onClose', async () => {
      await temporal.close();
      await deadDb.destroy();
    });
    apps.push(app);
    const res = await app.inject('/readyz?for=webhooks');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', checks: { postgres: 'unavailable', temporal: 'unavailable' } });
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

  it('with METRICS_PORT, /metrics is served on that port only, not on the public one', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const config = testConfig(tdb.url, { PORT: String(port), METRICS_PORT: String(metricsPort) });
    const app = await startIngress(config);
    apps.push(app);
    const publicMetrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(publicMetrics.status).toBe(404);
    await fetch(`http://127.0.0.1:${port}/healthz`);
    const internal = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz"/);
  });
});
