import type { Knex } from 'knex';

/**
 * Ai details beyond the contract columns: transcript lines with speakers, what is known about the
 * Ai data of each call (complete, partial with the reason, or none), and which offices have Dialpad
 * Ai (seen from their Ai events), so calls on offices without Ai are not chased for Ai data.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('call_transcript_lines', (t) => {
    t.bigIncrements('id');
    t.uuid('call_id').notNullable();
    t.text('dialpad_call_id').notNullable();
    t.integer('seq').notNullable();
    t.text('type').notNullable();
    t.text('speaker').notNullable();
    t.text('name').nullable();
    t.text('content').notNullable();
    t.timestamp('spoken_at', { useTz: true }).nullable();
    t.text('dialpad_user_id').nullable();
    t.text('dialpad_contact_id').nullable();
    t.foreign('call_id', 'call_transcript_lines_call_id_fkey').references('calls.id').onDelete('CASCADE');
    t.unique(['call_id', 'seq'], { indexName: 'call_transcript_lines_call_seq_unique' });
    t.check("speaker in ('agent', 'caller', 'unknown')", [], 'call_transcript_lines_speaker_check');
  });
  await knex.schema.alterTable('calls', (t) => {
    t.text('ai_status').nullable();
    t.jsonb('ai_notes').nullable();
    t.jsonb('ai_explanation').nullable();
    t.check("ai_status in ('complete', 'partial', 'none')", [], 'calls_ai_status_check');
  });
  await knex.schema.createTable('dialpad_office_ai', (t) => {
    t.text('office_id').primary({ constraintName: 'dialpad_office_ai_pkey' });
    t.timestamp('last_ai_event_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dialpad_office_ai');
  await knex.schema.alterTable('calls', (t) => {
    t.dropChecks(['calls_ai_status_check']);
    t.dropColumn('ai_explanation');
    t.dropColumn('ai_notes');
    t.dropColumn('ai_status');
  });
  await knex.schema.dropTableIfExists('call_transcript_lines');
}
