import type { Knex } from 'knex';

/**
 * Matching support (src/matching):
 * - `phone_match_choices`: when several records share a number, the one a person picked for it.
 *   Later calls from the number link to that record ('remembered') instead of waiting for review.
 * - `calls_account_occurred_idx`: the calls list of an account, newest first, is ordered by
 *   `coalesce(started_at, created_at)` (a call still ringing has no start yet) with `id` as the
 *   tie-break of its cursor.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('phone_match_choices', (t) => {
    t.uuid('account_id').notNullable();
    t.text('e164').notNullable();
    t.text('entity_type').notNullable();
    t.uuid('entity_id').notNullable();
    t.uuid('chosen_on_call_id').nullable();
    t.text('chosen_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['account_id', 'e164'], { constraintName: 'phone_match_choices_pkey' });
    t.foreign('account_id', 'phone_match_choices_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.foreign('chosen_on_call_id', 'phone_match_choices_chosen_on_call_id_fkey')
      .references('calls.id')
      .onDelete('SET NULL');
    t.check("entity_type in ('customer', 'contact', 'supplier')", [], 'phone_match_choices_entity_type_check');
    t.check("e164 ~ '^\\+[1-9][0-9]{1,14}$'", [], 'phone_match_choices_e164_check');
  });

  await knex.raw(
    'create index calls_account_occurred_idx on calls (account_id, (coalesce(started_at, created_at)) desc, id desc)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists calls_account_occurred_idx');
  await knex.schema.dropTableIfExists('phone_match_choices');
}
