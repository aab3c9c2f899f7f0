import { RateLimitWaitExceededError } from './errors';

/** At most `count` requests in any window of `perMs` milliseconds. */
export interface RateLimit {
  count: number;
  perMs: number;
}

export interface AcquireOptions {
  /** Fail with RateLimitWaitExceededError rather than wait longer than this. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /**
   * How long the request may stay in flight: until it is released (or this long after the grant,
   * if it never is) its slot is not reused. Use the request timeout. Default 0: the slot counts
   * from the grant.
   */
  holdMs?: number;
}

/**
 * The right to send one request. Call `release()` once its answer (or failure) is in: the slot's
 * window then starts at that moment. A request reaches Dialpad somewhere between being sent and
 * being answered, so counting from the answer keeps Dialpad's windows within the limit however
 * late (a cold connection, a busy event loop) each request arrives.
 */
export interface RateLimitPermit {
  release(): Promise<void>;
}

/**
 * A budget of requests per bucket. `acquire` resolves when the caller may send one request and
 * counts it. Implementations: InMemoryRateLimiter (one process) and PostgresRateLimiter (every
 * process sharing one database shares one budget).
 */
export interface RateLimiter {
  acquire(bucket: string, limit: RateLimit, options?: AcquireOptions): Promise<RateLimitPermit>;
}

/** Dialpad's documented company-wide limit (API-NOTES §6): shared by every process holding the key. */
export const DIALPAD_COMPANY_LIMIT: RateLimit = { count: 20, perMs: 1000 };

/** Per-operation limits from Dialpad's spec (API-NOTES §6). */
export const DIALPAD_ENDPOINT_LIMITS = {
  /** GET /call/{id} */
  callGet: { count: 10, perMs: 60_000 },
  /** GET /call/{id}/ai_recap */
  aiRecap: { count: 12, perMs: 60_000 },
  /** POST /contacts and PUT /contacts share one "contact create" budget. */
  contactCreate: { count: 100, perMs: 60_000 },
  /** POST /webhooks */
  webhookCreate: { count: 100, perMs: 60_000 },
  /** Every other list, get, update, delete and subscription call. */
  default: { count: 1200, perMs: 60_000 },
} as const satisfies Record<string, RateLimit>;

export type DialpadEndpointLimitName = keyof typeof DIALPAD_ENDPOINT_LIMITS;

/**
 * True when `outer` can never bind given `inner` is enforced exactly: every window of outer.perMs
 * is covered by outer.perMs / inner.perMs windows of inner.perMs, each holding at most inner.count.
 * (1200/min is implied by 20/s, so such buckets cost a round trip for nothing.)
 */
export function isImpliedBy(outer: RateLimit, inner: RateLimit): boolean {
  return outer.perMs % inner.perMs === 0 && outer.count >= inner.count * (outer.perMs / inner.perMs);
}

/**
 * The sliding window both limiters implement. There are `count` slots; each records when its
 * window starts (its request's grant, or its answer once released) and, while its request is in
 * flight, until when it is held (grant + holdMs). A request is granted a slot whose window has
 * passed counting from the answer (or from the end of the hold, if it was never released), so two
 * requests on one slot reach Dialpad at least `perMs` apart however long each took to get there;
 * `count + 1` requests always share a slot, so no window of `perMs` at Dialpad holds more than
 * `count`. Exact, unlike a token bucket (whose burst plus refill reach twice the limit in one
 * window), and nothing is booked ahead, so every release counts.
 *
 * A refused caller is told when to look again: when the earliest window ends, assuming an
 * in-flight request will have been answered by then; if it has not, soon after.
 */
export interface SlidingWindowState {
  /** Window start per slot. */
  slots: number[];
  /** Hold deadline per slot while its request is in flight; 0 once released (or never held). */
  held: number[];
  perMs: number;
}

export type Reservation = { granted: true; slot: number; token: number } | { granted: false; waitMs: number };

export function tryReserve(state: SlidingWindowState, limit: RateLimit, now: number, holdMs = 0): Reservation {
  const poll = Math.max(10, limit.perMs / limit.count / 2);
  let best = -1;
  let bestFree = Number.POSITIVE_INFINITY;
  let next = Number.POSITIVE_INFINITY;
  for (let i = 0; i < state.slots.length; i++) {
    const start = state.slots[i] as number;
    const held = state.held[i] as number;
    const free = (held > 0 ? held : start) + limit.perMs;
    if (free <= now && free < bestFree) {
      best = i;
      bestFree = free;
    }
    next = Math.min(next, held > 0 ? Math.max(start + limit.perMs, now + poll) : free);
  }
  if (best < 0) return { granted: false, waitMs: next - now };
  state.slots[best] = now;
  state.held[best] = holdMs > 0 ? now + holdMs : 0;
  return { granted: true, slot: best, token: now };
}

/** The request granted at `token` on `slot` was answered at `now` (ignored if the slot moved on). */
export function releaseSlot(state: SlidingWindowState, slot: number, token: number, now: number): void {
  if (state.slots[slot] === token) {
    state.slots[slot] = Math.max(token, now);
    state.held[slot] = 0;
  }
}

export function newWindowState(limit: RateLimit, fill = Number.NEGATIVE_INFINITY): SlidingWindowState {
  if (!Number.isInteger(limit.count) || limit.count < 1) throw new RangeError(`rate limit count must be ≥ 1`);
  if (!(limit.perMs > 0)) throw new RangeError(`rate limit window must be > 0 ms`);
  return {
    slots: new Array<number>(limit.count).fill(fill),
    held: new Array<number>(limit.count).fill(0),
    perMs: limit.perMs,
  };
}

/**
 * Resize a window whose limit changed. Every new slot starts at the latest use (hold deadlines
 * included), so a change never lets a burst through that the old limit would have refused.
 */
export function resizeWindowState(state: SlidingWindowState, limit: RateLimit): SlidingWindowState {
  if (state.slots.length === limit.count && state.perMs === limit.perMs) return state;
  return newWindowState(limit, Math.max(...state.slots, ...state.held));
}

export const DEFAULT_MAX_WAIT_MS = 60_000;

/**
 * Waits for a grant: `attempt` either grants or says how long until a slot frees up. Waiters wake
 * with a little jitter so that a crowd does not retry in lockstep.
 */
export async function waitForGrant<T>(
  bucket: string,
  options: AcquireOptions,
  attempt: () => Promise<{ granted: true; value: T } | { granted: false; waitMs: number }>,
): Promise<T> {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const started = performance.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const r = await attempt();
    if (r.granted) return r.value;
    const waited = performance.now() - started;
    if (waited + r.waitMs > maxWaitMs) throw new RateLimitWaitExceededError(bucket, Math.ceil(r.waitMs), maxWaitMs);
    await sleep(r.waitMs + Math.random() * 5, options.signal);
  }
}

/** Exact sliding-window limiter for a single process. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, SlidingWindowState>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  async acquire(bucket: string, limit: RateLimit, options: AcquireOptions = {}): Promise<RateLimitPermit> {
    const grant = await waitForGrant(bucket, options, async () => {
      const existing = this.windows.get(bucket);
      const state = existing ? resizeWindowState(existing, limit) : newWindowState(limit);
      this.windows.set(bucket, state);
      const r = tryReserve(state, limit, this.now(), options.holdMs ?? 0);
      return r.granted ? { granted: true as const, value: { state, slot: r.slot, token: r.token } } : r;
    });
    return {
      release: async () => releaseSlot(grant.state, grant.slot, grant.token, this.now()),
    };
  }
}

/** setTimeout as a promise, cancelled (rejecting with the signal's reason) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
