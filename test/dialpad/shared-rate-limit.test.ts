import { DialpadClient, collect } from '../../src/dialpad/client';
import { PostgresRateLimiter } from '../../src/dialpad/pg-rate-limiter';
import { InMemoryRateLimiter } from '../../src/dialpad/rate-limit';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { SMALL_COMPANY } from '../simulator/support';

/** Most requests the simulator received in any one-second window. */
function busiestSecond(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let max = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('one Dialpad budget across processes', () => {
  let sim: RunningSimulator;
  let tdb: TestDatabase;
  beforeAll(async () => {
    [sim, tdb] = await Promise.all([
      startSimulator({ seed: 'shared-budget', size: SMALL_COMPANY }),
      createTestDatabase(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([sim.close(), tdb.drop()]);
  });
  beforeEach(() => sim.state.reset());

  it('two clients on the Postgres limiter stay within 20 requests/s together, so Dialpad never says 429', async () => {
    const limiters = [PostgresRateLimiter.fromUrl(tdb.url), PostgresRateLimiter.fromUrl(tdb.url)];
    try {
      const [a, b] = limiters.map(
        (rateLimiter) =>
          new DialpadClient({
            apiKey: 'k',
            baseUrl: sim.url,
            rateLimiter,
            bucketPrefix: 'company-1',
            retry: { rateLimitedRetries: 0 },
          }),
      ) as [DialpadClient, DialpadClient];
      const offices = sim.state.company.offices;
      const started = performance.now();
      const results = await Promise.allSettled([
        ...Array.from({ length: 35 }, (_, i) => a.getOffice(offices[i % offices.length]!.id)),
        ...Array.from({ length: 35 }, (_, i) => collect(b.listOfficeDepartments(offices[i % offices.length]!.id))),
      ]);
      const elapsed = performance.now() - started;
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

      const seen = sim.state.requests;
      expect(seen).toHaveLength(70);
      expect(seen.every((r) => r.status === 200)).toBe(true);
      expect(busiestSecond(seen.map((r) => r.at))).toBeLessThanOrEqual(20);
      // 70 requests at 20 per (padded) second: the fourth window opens after three seconds.
      expect(elapsed).toBeGreaterThanOrEqual(3000);
    } finally {
      await Promise.all(limiters.map((l) => l.close()));
    }
  });

  it('(control) separate in-memory budgets overrun the company limit, which the simulator refuses', async () => {
    const [a, b] = [new InMemoryRateLimiter(), new InMemoryRateLimiter()].map(
      (rateLimiter) =>
        new DialpadClient({ apiKey: 'k', baseUrl: sim.url, rateLimiter, retry: { rateLimitedRetries: 0 } }),
    ) as [DialpadClient, DialpadClient];
    const office = sim.state.company.offices[0]!.id;
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).getOffice(office)));
    // How many land in one second depends on how busy the machine is; that some are refused does not.
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(sim.state.requests.filter((r) => r.status === 429)).toHaveLength(rejected.length);
  });
});
