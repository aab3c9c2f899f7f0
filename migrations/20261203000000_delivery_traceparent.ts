import type { Knex } from 'knex';

/**
 * The W3C `traceparent` of the webhook request that recorded a delivery (null while tracing is
 * off): the relay, signalling later and possibly from another process, continues that request's
 * trace into the call workflow.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dialpad_webhook_deliveries', (t) => {
    t.text('traceparent').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dialpad_webhook_deliveries', (t) => {
    t.dropColumn('traceparent');
  });
}
