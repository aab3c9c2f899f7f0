import { createKnex } from '../../src/db/knex';
import { RateLimitWaitExceededError } from '../../src/dialpad/errors';
import { PostgresRateLimiter } from '../../src/dialpad/pg-rate-limiter';
import { createTestDatabase, type TestDatabase } from '../support/db';

const MIGRATION = '20261127010000_dialpad_rate_limits';

describe('PostgresRateLimiter', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
  });

  it('shares one exact budget between limiters on separate pools (as separate processes would)', async () => {
    const a = PostgresRateLimiter.fromUrl(tdb.url);
    const b = PostgresRateLimiter.fromUrl(tdb.url);
    try {
      const limit = { count: 10, perMs: 500 };
      const started = performance.now();
      const done: number[] = [];
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).acquire('test:shared', limit).then(() => done.push(performance.now() - started)),
        ),
      );
      // 50 requests at 10 per 500 ms: five windows, the last starting at ≥ 2 s. Two budgets that were
      // not shared would let all 50 through in about 1 s. (Per-window counts observed here carry
      // timer lateness on a loaded machine, so the shared total is what this test holds.)
      expect(Math.max(...done)).toBeGreaterThanOrEqual(1990);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses instead of queueing past maxWaitMs, and reserves nothing when it refuses', async () => {
    const limiter = new PostgresRateLimiter(tdb.db);
    const limit = { count: 2, perMs: 60_000 };
    await limiter.acquire('test:refuse', limit);
    await limiter.acquire('test:refuse', limit);
    const slots = () =>
      tdb
        .db('dialpad_rate_limit_buckets')
        .where({ bucket: 'test:refuse' })
        .first()
        .then((r) => r.slots);
    const before = await slots();
    const refused = limiter.acquire('test:refuse', limit, { maxWaitMs: 1000 });
    await expect(refused).rejects.toBeInstanceOf(RateLimitWaitExceededError);
    await expect(refused).rejects.toMatchObject({ bucket: 'test:refuse' });
    expect(await slots()).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('counts a released slot from the answer, so slow requests cannot bunch up at Dialpad', async () => {
    const limiter = new PostgresRateLimiter(tdb.db);
    const limit = { count: 1, perMs: 300 };
    const started = performance.now();
    const permit = await limiter.acquire('test:release', limit);
    await new Promise((r) => setTimeout(r, 200));
    await permit.release();
    await limiter.acquire('test:release', limit);
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
  });

  it('keeps the stricter of old and new limits when a limit changes', async () => {
    const limiter = new PostgresRateLimiter(tdb.db);
    await limiter.acquire('test:resize', { count: 1, perMs: 60_000 });
    await expect(
      limiter.acquire('test:resize', { count: 5, perMs: 60_000 }, { maxWaitMs: 1000 }),
    ).rejects.toBeInstanceOf(RateLimitWaitExceededError);
  });

  it('migration down removes the table and function; up restores them', async () => {
    const db = createKnex(tdb.url, { max: 1 });
    try {
      await db.migrate.down({ name: MIGRATION });
      expect(await db.schema.hasTable('dialpad_rate_limit_buckets')).toBe(false);
      const fn = await db.raw<{ rows: unknown[] }>("select 1 from pg_proc where proname like 'dialpad_rate_limit_%'");
      expect(fn.rows).toHaveLength(0);
      await db.migrate.up({ name: MIGRATION });
      expect(await db.schema.hasTable('dialpad_rate_limit_buckets')).toBe(true);
      await new PostgresRateLimiter(db).acquire('test:after-up', { count: 1, perMs: 1000 });
    } finally {
      await db.destroy();
    }
  });
});
