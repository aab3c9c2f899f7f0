import type { Knex } from 'knex';

/**
 * Refused (unverified) deliveries are counted, not logged one row each: a row per minute, status,
 * reason, shape and source address, with a count. A flood of forged requests then adds a count,
 * not rows, and cannot push out the real wrong-secret evidence the doctor relies on. `shape` says
 * whether the refused body looked like a Dialpad call event (`call_event`: what Dialpad sends with
 * a secret we do not know) or not (`other`: scanners, forgeries).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dialpad_webhook_rejections', (t) => {
    t.timestamp('minute', { useTz: true }).nullable();
    t.text('shape').notNullable().defaultTo('other');
    t.integer('count').notNullable().defaultTo(1);
    t.timestamp('last_at', { useTz: true }).nullable();
  });
  await knex.raw(`update dialpad_webhook_rejections
                     set minute = date_trunc('minute', received_at), last_at = received_at,
                         source_address = coalesce(source_address, '')`);
  await knex.raw(`delete from dialpad_webhook_rejections a using dialpad_webhook_rejections b
                   where a.minute = b.minute and a.status_code = b.status_code and a.reason = b.reason
                     and a.source_address = b.source_address and a.id > b.id`);
  await knex.raw('alter table dialpad_webhook_rejections alter column minute set not null');
  await knex.raw('alter table dialpad_webhook_rejections alter column last_at set not null');
  await knex.raw("alter table dialpad_webhook_rejections alter column source_address set default ''");
  await knex.raw('alter table dialpad_webhook_rejections alter column source_address set not null');
  await knex.raw(
    "alter table dialpad_webhook_rejections add constraint dialpad_webhook_rejections_shape_check check (shape in ('call_event', 'other'))",
  );
  await knex.raw(
    'create unique index dialpad_webhook_rejections_bucket_unique on dialpad_webhook_rejections (minute, status_code, reason, shape, source_address)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists dialpad_webhook_rejections_bucket_unique');
  await knex.raw(
    'alter table dialpad_webhook_rejections drop constraint if exists dialpad_webhook_rejections_shape_check',
  );
  await knex.raw('alter table dialpad_webhook_rejections alter column source_address drop not null');
  await knex.raw('alter table dialpad_webhook_rejections alter column source_address drop default');
  await knex.schema.alterTable('dialpad_webhook_rejections', (t) => {
    t.dropColumn('last_at');
    t.dropColumn('count');
    t.dropColumn('shape');
    t.dropColumn('minute');
  });
}
