import type { Knex } from 'knex';

/**
 * Dialpad's rate limits are per company, so every process calling Dialpad must draw from one
 * budget: the sliding windows live here (src/dialpad/pg-rate-limiter.ts; the algorithm and why it
 * is exact are in src/dialpad/rate-limit.ts).
 *
 * One row per bucket holds `count` slots, each the time (epoch ms, by the database's clock so that
 * hosts need not agree on the time) from which the slot's window runs. `dialpad_rate_limit_reserve`
 * takes the row lock and grants the slot whose window ended earliest if it has ended, holding it
 * while the request is in flight; otherwise it says how long to wait (nothing is booked ahead).
 * `dialpad_rate_limit_release` restarts the slot's window at the moment the answer came in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dialpad_rate_limit_buckets', (t) => {
    t.text('bucket').primary({ constraintName: 'dialpad_rate_limit_buckets_pkey' });
    t.integer('window_ms').notNullable();
    t.specificType('slots', 'bigint[]').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('window_ms > 0', [], 'dialpad_rate_limit_buckets_window_positive');
    t.check('cardinality(slots) >= 1', [], 'dialpad_rate_limit_buckets_slots_not_empty');
  });

  await knex.raw(`
    create function dialpad_rate_limit_reserve(p_bucket text, p_count integer, p_window_ms integer, p_hold_ms integer)
    returns table (granted boolean, wait_ms bigint, slot integer, token bigint)
    language plpgsql
    as $$
    declare
      b dialpad_rate_limit_buckets%rowtype;
      now_ms bigint;
      k integer;
      free_at bigint;
    begin
      if p_count < 1 or p_window_ms < 1 or p_hold_ms < 0 then
        raise exception 'invalid rate limit % per % ms (hold % ms)', p_count, p_window_ms, p_hold_ms;
      end if;
      insert into dialpad_rate_limit_buckets (bucket, window_ms, slots)
        values (p_bucket, p_window_ms, array_fill(0::bigint, array[p_count]))
        on conflict (bucket) do nothing;
      -- The row lock serialises reservations and releases on this bucket; in read committed each
      -- statement of this function sees the latest committed slots.
      select * into strict b from dialpad_rate_limit_buckets where bucket = p_bucket for update;
      -- The limit changed: every slot starts at the latest use, never looser than before.
      if cardinality(b.slots) <> p_count or b.window_ms <> p_window_ms then
        b.slots := array_fill((select max(s) from unnest(b.slots) s), array[p_count]);
        update dialpad_rate_limit_buckets set slots = b.slots, window_ms = p_window_ms, updated_at = now()
          where bucket = p_bucket;
      end if;
      now_ms := floor(extract(epoch from clock_timestamp()) * 1000)::bigint;
      select i into k from generate_subscripts(b.slots, 1) i order by b.slots[i], i limit 1;
      free_at := b.slots[k] + p_window_ms;
      if free_at > now_ms then
        return query select false, free_at - now_ms, null::integer, null::bigint;
        return;
      end if;
      b.slots[k] := now_ms + p_hold_ms;
      update dialpad_rate_limit_buckets set slots = b.slots, updated_at = now() where bucket = p_bucket;
      return query select true, 0::bigint, k - 1, now_ms + p_hold_ms;
    end;
    $$
  `);

  await knex.raw(`
    create function dialpad_rate_limit_release(p_bucket text, p_slot integer, p_token bigint)
    returns void
    language sql
    as $$
      update dialpad_rate_limit_buckets
        set slots[p_slot + 1] = floor(extract(epoch from clock_timestamp()) * 1000)::bigint, updated_at = now()
        where bucket = p_bucket and p_slot >= 0 and p_slot < cardinality(slots) and slots[p_slot + 1] = p_token
    $$
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists dialpad_rate_limit_release(text, integer, bigint)');
  await knex.raw('drop function if exists dialpad_rate_limit_reserve(text, integer, integer, integer)');
  await knex.schema.dropTableIfExists('dialpad_rate_limit_buckets');
}
