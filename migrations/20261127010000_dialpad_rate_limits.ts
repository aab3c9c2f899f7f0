import type { Knex } from 'knex';

/**
 * Dialpad's rate limits are per company, so every process calling Dialpad must draw from one
 * budget: the sliding windows live here (src/dialpad/pg-rate-limiter.ts; the algorithm and why it
 * is exact are in src/dialpad/rate-limit.ts, whose tryReserve / releaseSlot these functions mirror).
 *
 * One row per bucket holds, per slot, when its window starts (`slots`) and until when it is held
 * by a request in flight (`held`, 0 when not), as epoch ms by the database's clock so that hosts
 * need not agree on the time. `dialpad_rate_limit_reserve` takes the row lock and grants a slot
 * whose window has passed, or says when to look again (nothing is booked ahead);
 * `dialpad_rate_limit_release` restarts the slot's window at the moment the answer came in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dialpad_rate_limit_buckets', (t) => {
    t.text('bucket').primary({ constraintName: 'dialpad_rate_limit_buckets_pkey' });
    t.integer('window_ms').notNullable();
    t.specificType('slots', 'bigint[]').notNullable();
    t.specificType('held', 'bigint[]').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('window_ms > 0', [], 'dialpad_rate_limit_buckets_window_positive');
    t.check('cardinality(slots) >= 1', [], 'dialpad_rate_limit_buckets_slots_not_empty');
    t.check('cardinality(held) = cardinality(slots)', [], 'dialpad_rate_limit_buckets_held_matches_slots');
  });

  await knex.raw(`
    create function dialpad_rate_limit_reserve(p_bucket text, p_count integer, p_window_ms integer, p_hold_ms integer)
    returns table (granted boolean, wait_ms bigint, slot integer, token bigint)
    language plpgsql
    as $$
    declare
      b dialpad_rate_limit_buckets%rowtype;
      now_ms bigint;
      poll_ms bigint := greatest(10, p_window_ms / p_count / 2);
      best integer;
      best_free bigint;
      next_ms bigint;
      free_at bigint;
    begin
      if p_count < 1 or p_window_ms < 1 or p_hold_ms < 0 then
        raise exception 'invalid rate limit % per % ms (hold % ms)', p_count, p_window_ms, p_hold_ms;
      end if;
      insert into dialpad_rate_limit_buckets (bucket, window_ms, slots, held)
        values (p_bucket, p_window_ms, array_fill(0::bigint, array[p_count]), array_fill(0::bigint, array[p_count]))
        on conflict (bucket) do nothing;
      -- The row lock serialises reservations and releases on this bucket; in read committed each
      -- statement of this function sees the latest committed slots.
      select * into strict b from dialpad_rate_limit_buckets where bucket = p_bucket for update;
      -- The limit changed: every slot starts at the latest use, never looser than before.
      if cardinality(b.slots) <> p_count or b.window_ms <> p_window_ms then
        b.slots := array_fill((select max(s) from unnest(b.slots || b.held) s), array[p_count]);
        b.held := array_fill(0::bigint, array[p_count]);
      end if;
      now_ms := floor(extract(epoch from clock_timestamp()) * 1000)::bigint;
      for i in 1 .. p_count loop
        free_at := (case when b.held[i] > 0 then b.held[i] else b.slots[i] end) + p_window_ms;
        if free_at <= now_ms and (best is null or free_at < best_free) then
          best := i;
          best_free := free_at;
        end if;
        next_ms := least(next_ms, case when b.held[i] > 0 then greatest(b.slots[i] + p_window_ms, now_ms + poll_ms) else free_at end);
      end loop;
      if best is null then
        update dialpad_rate_limit_buckets set slots = b.slots, held = b.held, window_ms = p_window_ms
          where bucket = p_bucket and (window_ms <> p_window_ms or cardinality(slots) <> p_count);
        return query select false, next_ms - now_ms, null::integer, null::bigint;
        return;
      end if;
      b.slots[best] := now_ms;
      b.held[best] := case when p_hold_ms > 0 then now_ms + p_hold_ms else 0 end;
      update dialpad_rate_limit_buckets
        set slots = b.slots, held = b.held, window_ms = p_window_ms, updated_at = now()
        where bucket = p_bucket;
      return query select true, 0::bigint, best - 1, now_ms;
    end;
    $$
  `);

  await knex.raw(`
    create function dialpad_rate_limit_release(p_bucket text, p_slot integer, p_token bigint)
    returns void
    language sql
    as $$
      update dialpad_rate_limit_buckets
        set slots[p_slot + 1] = greatest(p_token, floor(extract(epoch from clock_timestamp()) * 1000)::bigint),
            held[p_slot + 1] = 0,
            updated_at = now()
        where bucket = p_bucket and p_slot >= 0 and p_slot < cardinality(slots)
          and slots[p_slot + 1] = p_token
    $$
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists dialpad_rate_limit_release(text, integer, bigint)');
  await knex.raw('drop function if exists dialpad_rate_limit_reserve(text, integer, integer, integer)');
  await knex.schema.dropTableIfExists('dialpad_rate_limit_buckets');
}
