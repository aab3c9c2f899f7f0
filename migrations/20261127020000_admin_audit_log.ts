import type { Knex } from 'knex';

/** Who changed what on an account, and when (office links, registrations, replays). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('admin_audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.uuid('account_id').nullable();
    t.text('old_value').nullable();
    t.text('new_value').nullable();
    t.text('source_address').nullable();
    t.index(['account_id', 'occurred_at'], 'admin_audit_log_account_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('admin_audit_log');
}
