import type { Knex } from 'knex';

/**
 * Taking every event Dialpad sends, and never dropping one once taken:
 *
 * - `dialpad_webhook_deliveries` keeps each verified event's claims as received (`claims`), what
 *   did not fit the typed event and why (`left_out`), how often it was replayed (`replays`, part of
 *   the call run's de-duplication so a replay is applied again), and dead letters: an event the call
 *   run could not apply is set aside (`signal_status` 'dead_letter', with `apply_error`,
 *   `apply_attempts`, `dead_lettered_at`) until `replay` sends it again.
 * - `dialpad_webhook_refused_events`: verified bodies refused with 400 (no usable `call_id` or
 *   `state`), kept with their reason so a parser fix and `replay` can still recover them.
 * - `dialpad_call_run_sweeps`: the call runs that ended Failed, Terminated or TimedOut and whose
 *   deliveries the sweep has put back in the relay's queue (once per run).
 * - `dialpad_office_ai`: what Dialpad's API answered about an office's Ai data (a run of answered
 *   calls with neither transcript nor recap says the office has no Ai; any Ai data says it has).
 * - `calls.ai_checked_at`: when the conversation's Ai data was last collected and its insights derived.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dialpad_webhook_deliveries', (t) => {
    t.jsonb('claims').nullable();
    t.jsonb('left_out').nullable();
    t.integer('replays').notNullable().defaultTo(0);
    t.text('apply_error').nullable();
    t.integer('apply_attempts').notNullable().defaultTo(0);
    t.timestamp('dead_lettered_at', { useTz: true }).nullable();
  });
  await knex.raw('alter table dialpad_webhook_deliveries drop constraint dialpad_webhook_deliveries_signal_check');
  await knex.raw(
    "alter table dialpad_webhook_deliveries add constraint dialpad_webhook_deliveries_signal_check check (signal_status in ('pending', 'signalled', 'not_needed', 'dead_letter'))",
  );
  await knex.raw(
    "create index dialpad_webhook_deliveries_dead_letter_idx on dialpad_webhook_deliveries (dead_lettered_at) where signal_status = 'dead_letter'",
  );

  await knex.schema.createTable('dialpad_webhook_refused_events', (t) => {
    t.bigIncrements('id'); // primary key: <table>_pkey
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('verified_with').notNullable();
    t.text('reason').notNullable();
    t.text('detail').notNullable();
    t.jsonb('claims').nullable();
    // The verified text when it is not a JSON object (so `claims` cannot hold it).
    t.text('payload_text').nullable();
    t.integer('body_bytes').notNullable();
    t.bigInteger('recovered_delivery_id').nullable();
    t.timestamp('recovered_at', { useTz: true }).nullable();
    t.check(
      "verified_with in ('current', 'previous', 'unsigned')",
      [],
      'dialpad_webhook_refused_events_verified_check',
    );
    t.index(['received_at'], 'dialpad_webhook_refused_events_received_at_idx');
  });

  await knex.schema.createTable('dialpad_call_run_sweeps', (t) => {
    t.text('run_id').primary({ constraintName: 'dialpad_call_run_sweeps_pkey' });
    t.text('workflow_id').notNullable();
    t.text('call_id').notNullable();
    t.text('status').notNullable();
    t.timestamp('closed_at', { useTz: true }).nullable();
    t.integer('requeued').notNullable();
    t.timestamp('swept_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['swept_at'], 'dialpad_call_run_sweeps_swept_at_idx');
  });

  await knex.schema.alterTable('dialpad_office_ai', (t) => {
    t.timestamp('last_ai_event_at', { useTz: true }).nullable().alter();
    t.integer('api_misses').notNullable().defaultTo(0);
    t.timestamp('last_api_answer_at', { useTz: true }).nullable();
  });
  await knex.raw('alter table dialpad_office_ai alter column last_ai_event_at drop default');

  await knex.schema.alterTable('calls', (t) => {
    t.timestamp('ai_checked_at', { useTz: true }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.dropColumn('ai_checked_at');
  });
  await knex('dialpad_office_ai').whereNull('last_ai_event_at').delete();
  await knex.raw('alter table dialpad_office_ai alter column last_ai_event_at set default now()');
  await knex.schema.alterTable('dialpad_office_ai', (t) => {
    t.dropColumn('last_api_answer_at');
    t.dropColumn('api_misses');
    t.timestamp('last_ai_event_at', { useTz: true }).notNullable().alter();
  });
  await knex.schema.dropTableIfExists('dialpad_call_run_sweeps');
  await knex.schema.dropTableIfExists('dialpad_webhook_refused_events');
  await knex.raw('drop index if exists dialpad_webhook_deliveries_dead_letter_idx');
  await knex('dialpad_webhook_deliveries').where({ signal_status: 'dead_letter' }).update({ signal_status: 'pending' });
  await knex.raw('alter table dialpad_webhook_deliveries drop constraint dialpad_webhook_deliveries_signal_check');
  await knex.raw(
    "alter table dialpad_webhook_deliveries add constraint dialpad_webhook_deliveries_signal_check check (signal_status in ('pending', 'signalled', 'not_needed'))",
  );
  await knex.schema.alterTable('dialpad_webhook_deliveries', (t) => {
    t.dropColumn('dead_lettered_at');
    t.dropColumn('apply_attempts');
    t.dropColumn('apply_error');
    t.dropColumn('replays');
    t.dropColumn('left_out');
    t.dropColumn('claims');
  });
}
