import type { Knex } from 'knex';

/** The shared rate-limit buckets: `dialpad_rate_limit_reserve` / `_release` (migration 20261127010000). */
export interface ReserveRow {
  granted: boolean;
  wait_ms: string | number;
  slot: number | null;
  /** bigint: kept as the driver's string so the compare-and-set in release matches exactly. */
  token: string | number | null;
}

export async function reserveRateSlot(
  db: Knex,
  bucket: string,
  count: number,
  windowMs: number,
  holdMs: number,
): Promise<ReserveRow | undefined> {
  const result = await db.raw<{ rows: ReserveRow[] }>(
    'select granted, wait_ms, slot, token from dialpad_rate_limit_reserve(?::text, ?::integer, ?::integer, ?::integer)',
    [bucket, count, windowMs, holdMs],
  );
  return result.rows[0];
}

export async function releaseRateSlot(db: Knex, bucket: string, slot: number, token: string): Promise<void> {
  await db.raw('select dialpad_rate_limit_release(?::text, ?::integer, ?::bigint)', [bucket, slot, token]);
}
