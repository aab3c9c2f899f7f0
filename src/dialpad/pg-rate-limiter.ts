import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { releaseRateSlot, reserveRateSlot } from './rate-limit-repository';
import {
  waitForGrant,
  type AcquireOptions,
  type RateLimit,
  type RateLimiter,
  type RateLimitPermit,
} from './rate-limit';

/**
 * The rate limiter every process shares: one sliding window per bucket in Postgres (table
 * `dialpad_rate_limit_buckets`, functions `dialpad_rate_limit_reserve` / `_release`, migration
 * 20261127010000). One round trip to acquire, one to release; the reservation is atomic under the
 * bucket's row lock and timed by the database's clock, so any number of processes on any hosts
 * stay within one budget. The caller sleeps locally until its slot.
 */
export class PostgresRateLimiter implements RateLimiter {
  private readonly ownsDb: boolean;

  constructor(
    private readonly db: Knex,
    options: { ownsDb?: boolean } = {},
  ) {
    this.ownsDb = options.ownsDb ?? false;
  }

  /** A limiter with its own small pool (reservations are short; two connections are plenty). */
  static fromUrl(databaseUrl: string): PostgresRateLimiter {
    return new PostgresRateLimiter(createKnex(databaseUrl, { min: 0, max: 2 }), { ownsDb: true });
  }

  async acquire(bucket: string, limit: RateLimit, options: AcquireOptions = {}): Promise<RateLimitPermit> {
    if (!Number.isInteger(limit.count) || limit.count < 1) throw new RangeError('rate limit count must be ≥ 1');
    const windowMs = Math.ceil(limit.perMs);
    const holdMs = Math.ceil(options.holdMs ?? 0);
    const grant = await waitForGrant(bucket, options, async () => {
      const row = await reserveRateSlot(this.db, bucket, limit.count, windowMs, holdMs);
      if (!row) throw new Error(`dialpad_rate_limit_reserve returned no row for bucket ${bucket}`);
      return row.granted && row.slot !== null && row.token !== null
        ? { granted: true as const, value: { slot: row.slot, token: String(row.token) } }
        : { granted: false as const, waitMs: Number(row.wait_ms) };
    });
    return {
      release: async () => {
        await releaseRateSlot(this.db, bucket, grant.slot, grant.token);
      },
    };
  }

  /** Releases the pool when this limiter created it (fromUrl); a borrowed Knex is left open. */
  async close(): Promise<void> {
    if (this.ownsDb) await this.db.destroy();
  }
}
