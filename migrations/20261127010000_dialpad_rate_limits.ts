import type { Knex } from 'knex';

/**
 * Dialpad's rate limits are per company, so every process calling Dialpad must draw from one
 * budget: the sliding windows live here (src/dialpad/pg-rate-limiter.ts).
 *
 * One row per bucket holds a ring of the last `cardinality(slots)` reservation times (epoch ms, the
 * database's clock so that hosts need not agree on time). `dialpad_rate_limit_reserve` takes the
 * row lock, schedules the next request at max(now, oldest + window, newest) and stores it: at most
 * `count` reservations in any window, exactly, across any number of concurrent callers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dialpad_rate_limit_buckets', (t) => {
    t.text('bucket').primary({ constraintName: 'dialpad_rate_limit_buckets_pkey' });
    t.integer('window_ms').notNullable();
    t.specificType('slots', 'bigint[]').notNullable();
    t.integer('head').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('window_ms > 0', [], 'dialpad_rate_limit_buckets_window_positive');
    t.check('cardinality(slots) >= 1', [], 'dialpad_rate_limit_buckets_slots_not_empty');
    t.check('head >= 0 and head < cardinality(slots)', [], 'dialpad_rate_limit_buckets_head_in_range');
  });

  await knex.raw(`
    create function dialpad_rate_limit_reserve(p_bucket text, p_count integer, p_window_ms integer, p_max_wait_ms bigint)
    returns table (granted boolean, wait_ms bigint)
    language plpgsql
    as $$
    declare
      b dialpad_rate_limit_buckets%rowtype;
      now_ms bigint;
      oldest bigint;
      newest bigint;
      at_ms bigint;
    begin
      if p_count < 1 or p_window_ms < 1 then
        raise exception 'invalid rate limit % per % ms', p_count, p_window_ms;
      end if;
      insert into dialpad_rate_limit_buckets (bucket, window_ms, slots, head)
        values (p_bucket, p_window_ms, array_fill(0::bigint, array[p_count]), 0)
        on conflict (bucket) do nothing;
      -- The row lock serialises reservations on this bucket; in read committed each statement of
      -- this function sees the latest committed ring.
      select * into strict b from dialpad_rate_limit_buckets where bucket = p_bucket for update;
      -- The limit changed: restart the ring full at the latest reservation, never looser than before.
      if cardinality(b.slots) <> p_count or b.window_ms <> p_window_ms then
        b.slots := array_fill((select max(s) from unnest(b.slots) s), array[p_count]);
        b.head := 0;
      end if;
      now_ms := floor(extract(epoch from clock_timestamp()) * 1000)::bigint;
      oldest := b.slots[b.head + 1];
      newest := b.slots[((b.head + p_count - 1) % p_count) + 1];
      at_ms := greatest(now_ms, oldest + p_window_ms, newest);
      if at_ms - now_ms > p_max_wait_ms then
        return query select false, at_ms - now_ms;
        return;
      end if;
      b.slots[b.head + 1] := at_ms;
      update dialpad_rate_limit_buckets
        set slots = b.slots, head = (b.head + 1) % p_count, window_ms = p_window_ms, updated_at = now()
        where bucket = p_bucket;
      return query select true, at_ms - now_ms;
    end;
    $$
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists dialpad_rate_limit_reserve(text, integer, integer, bigint)');
  await knex.schema.dropTableIfExists('dialpad_rate_limit_buckets');
}
