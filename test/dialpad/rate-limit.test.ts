import fc from 'fast-check';
import { RateLimitWaitExceededError } from '../../src/dialpad/errors';
import {
  DIALPAD_COMPANY_LIMIT,
  DIALPAD_ENDPOINT_LIMITS,
  InMemoryRateLimiter,
  isImpliedBy,
  newWindowState,
  releaseSlot,
  resizeWindowState,
  tryReserve,
} from '../../src/dialpad/rate-limit';

/** Largest number of times in any half-open window [t, t + perMs). */
function maxInWindow(times: number[], perMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= perMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/**
 * Drives the algorithm in simulated time: requests come in, a refused one retries when told to,
 * a granted one reaches "Dialpad" somewhere within its latency and is released when answered.
 */
function simulate(
  limit: { count: number; perMs: number },
  requests: { gap: number; latency: number; arrivesAt: number }[],
  holdMs: number,
  release = true,
): { arrivals: number[]; grants: number[] } {
  const state = newWindowState(limit);
  type Ev = { t: number; kind: 'try' | 'release'; i: number; slot?: number; token?: number };
  const queue: Ev[] = [];
  let t = 0;
  requests.forEach((r, i) => {
    t += r.gap;
    queue.push({ t, kind: 'try', i });
  });
  const arrivals: number[] = [];
  const grants: number[] = [];
  while (queue.length) {
    // Releases before tries at the same instant; otherwise time order.
    queue.sort((a, b) => a.t - b.t || (a.kind === b.kind ? a.i - b.i : a.kind === 'release' ? -1 : 1));
    const ev = queue.shift() as Ev;
    if (ev.kind === 'release') {
      releaseSlot(state, ev.slot as number, ev.token as number, ev.t);
      continue;
    }
    const r = tryReserve(state, limit, ev.t, holdMs);
    if (!r.granted) {
      queue.push({ ...ev, t: ev.t + r.waitMs });
      continue;
    }
    const req = requests[ev.i] as { latency: number; arrivesAt: number };
    grants.push(ev.t);
    arrivals.push(ev.t + req.arrivesAt * req.latency);
    if (release) queue.push({ t: ev.t + req.latency, kind: 'release', i: ev.i, slot: r.slot, token: r.token });
  }
  return { arrivals, grants };
}

const requestArb = fc.record({
  gap: fc.integer({ min: 0, max: 300 }),
  latency: fc.integer({ min: 0, max: 2000 }),
  arrivesAt: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe('sliding-window reservation', () => {
  it('never lets more than `count` requests reach Dialpad in any window, however late each arrives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 10, max: 1000 }),
        fc.array(requestArb, { minLength: 1, maxLength: 150 }),
        (count, perMs, requests) => {
          const { arrivals } = simulate({ count, perMs }, requests, 2000);
          expect(arrivals).toHaveLength(requests.length);
          expect(maxInWindow(arrivals, perMs)).toBeLessThanOrEqual(count);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('without release or hold, still holds for the grant times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 10, max: 1000 }),
        fc.array(requestArb, { minLength: 1, maxLength: 150 }),
        (count, perMs, requests) => {
          const { grants } = simulate({ count, perMs }, requests, 0, false);
          expect(maxInWindow(grants, perMs)).toBeLessThanOrEqual(count);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('(control) counting from the grant alone is not enough once requests arrive late', () => {
    const { arrivals } = simulate(
      { count: 1, perMs: 100 },
      [
        { gap: 0, latency: 80, arrivesAt: 1 },
        { gap: 0, latency: 0, arrivesAt: 0 },
      ],
      0,
      false,
    );
    expect(maxInWindow(arrivals, 100)).toBe(2);
  });

  it('is not stricter than needed: a burst of `count` goes at once, the next when the window has passed', () => {
    const limit = { count: 5, perMs: 1000 };
    const state = newWindowState(limit);
    const outcomes = Array.from({ length: 6 }, () => tryReserve(state, limit, 100));
    expect(outcomes.filter((o) => o.granted)).toHaveLength(5);
    expect(outcomes[5]).toEqual({ granted: false, waitMs: 1000 });
    expect(tryReserve(state, limit, 1100)).toMatchObject({ granted: true });
  });

  it('a held slot is free again from its release (or the end of its hold), and a stale release changes nothing', () => {
    const limit = { count: 1, perMs: 100 };
    const state = newWindowState(limit);
    const first = tryReserve(state, limit, 0, 5000);
    if (!first.granted) throw new Error('expected a grant');
    // In flight past its window: look again soon (it is probably answered by now), not at the hold's end.
    expect(tryReserve(state, limit, 200, 5000)).toEqual({ granted: false, waitMs: 50 });
    expect(tryReserve(state, limit, 4000, 5000)).toMatchObject({ granted: false });
    releaseSlot(state, first.slot, first.token, 250);
    expect(tryReserve(state, limit, 300, 5000)).toEqual({ granted: false, waitMs: 50 });
    const second = tryReserve(state, limit, 350, 5000);
    expect(second).toMatchObject({ granted: true });
    releaseSlot(state, first.slot, first.token, 400); // the first request's, again: ignored
    expect(tryReserve(state, limit, 460, 5000)).toMatchObject({ granted: false });
    // Never released: the slot frees up a window after its hold ends.
    expect(tryReserve(state, limit, 5449, 5000)).toMatchObject({ granted: false });
    expect(tryReserve(state, limit, 5450, 5000)).toMatchObject({ granted: true });
  });

  it('a changed limit never opens a burst the old one would have refused', () => {
    const old = { count: 2, perMs: 1000 };
    const state = newWindowState(old);
    tryReserve(state, old, 0);
    tryReserve(state, old, 0);
    const bigger = { count: 4, perMs: 1000 };
    expect(tryReserve(resizeWindowState(state, bigger), bigger, 10)).toEqual({ granted: false, waitMs: 990 });
  });

  it('knows which per-endpoint budgets the company budget already implies', () => {
    expect(isImpliedBy(DIALPAD_ENDPOINT_LIMITS.default, DIALPAD_COMPANY_LIMIT)).toBe(true);
    expect(isImpliedBy(DIALPAD_ENDPOINT_LIMITS.callGet, DIALPAD_COMPANY_LIMIT)).toBe(false);
    expect(isImpliedBy(DIALPAD_ENDPOINT_LIMITS.contactCreate, DIALPAD_COMPANY_LIMIT)).toBe(false);
  });
});

describe('InMemoryRateLimiter', () => {
  it('spaces concurrent callers so that no window holds more than the limit', async () => {
    const limiter = new InMemoryRateLimiter();
    const limit = { count: 3, perMs: 200 };
    const started = performance.now();
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 9 }, () => limiter.acquire('b', limit).then(() => done.push(performance.now() - started))),
    );
    expect(done).toHaveLength(9);
    // Timers fire late, never early: three bursts at ≈0, ≈200, ≈400 ms.
    expect(Math.max(...done)).toBeGreaterThanOrEqual(399);
    expect(maxInWindow(done, 190)).toBeLessThanOrEqual(3);
  });

  it('counts a released slot from the answer, not from the grant', async () => {
    const limiter = new InMemoryRateLimiter();
    const limit = { count: 1, perMs: 200 };
    const started = performance.now();
    const permit = await limiter.acquire('slow', limit, { holdMs: 10_000 });
    await new Promise((r) => setTimeout(r, 150));
    await permit.release();
    await limiter.acquire('slow', limit);
    expect(performance.now() - started).toBeGreaterThanOrEqual(349);
  });

  it('keeps buckets apart', async () => {
    const limiter = new InMemoryRateLimiter();
    const limit = { count: 1, perMs: 10_000 };
    await limiter.acquire('a', limit);
    await limiter.acquire('b', limit);
    await expect(limiter.acquire('a', limit, { maxWaitMs: 100 })).rejects.toBeInstanceOf(RateLimitWaitExceededError);
  });

  it('stops waiting when the caller aborts', async () => {
    const limiter = new InMemoryRateLimiter();
    const limit = { count: 1, perMs: 30_000 };
    await limiter.acquire('a', limit);
    const ac = new AbortController();
    const waiting = limiter.acquire('a', limit, { signal: ac.signal });
    ac.abort(new Error('shutdown'));
    await expect(waiting).rejects.toThrow('shutdown');
  });
});
