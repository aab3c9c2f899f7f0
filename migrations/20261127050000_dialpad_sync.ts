import type { Knex } from 'knex';

/**
 * Two-way contact sync with Dialpad (src/sync, documented in src/sync/README.md and docs/schema.md):
 *
 * - `contacts` gains its Dialpad link: the Dialpad contact id (unique per account), its type and
 *   owner, which side created the pair (`dialpad_origin`, which decides conflicts), two content
 *   hashes (the Dialpad contact and this row as they were at the last sync: a side whose hash moved
 *   was edited there, so an edit is sent the other way once and never echoed back), when the row was
 *   last seen in Dialpad or pushed, when it disappeared from Dialpad, and why it cannot be pushed.
 * - `dialpad_contact_local_hash(contact_id)`: this row's synced content (names, email, phone
 *   numbers) as one hash, computed in the database so every writer (Navigator included) is covered.
 * - `dialpad_contact_sync_state`: per account, the checkpoint of the contact import pass in
 *   progress (which list, which Dialpad page cursor) so a killed sync resumes where it stopped, and
 *   the last pass's and push's figures for anyone watching.
 * - `dialpad_contact_tombstones`: the Dialpad ids of linked contacts Navigator deleted (a trigger
 *   records them), so the next import does not bring them back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contacts', (t) => {
    t.text('dialpad_contact_id').nullable();
    t.text('dialpad_contact_type').nullable();
    t.text('dialpad_owner_id').nullable();
    t.text('dialpad_origin').nullable();
    t.text('dialpad_remote_hash').nullable();
    t.text('dialpad_local_hash').nullable();
    t.timestamp('dialpad_synced_at', { useTz: true }).nullable();
    t.timestamp('dialpad_deleted_at', { useTz: true }).nullable();
    t.text('dialpad_push_error').nullable();
    t.timestamp('dialpad_push_error_at', { useTz: true }).nullable();
    t.check("dialpad_contact_type in ('shared', 'local')", [], 'contacts_dialpad_contact_type_check');
    t.check("dialpad_origin in ('dialpad', 'navigator')", [], 'contacts_dialpad_origin_check');
  });
  await knex.raw(
    'create unique index contacts_account_dialpad_contact_unique on contacts (account_id, dialpad_contact_id) where dialpad_contact_id is not null',
  );
  // Linking a Dialpad contact to an existing Navigator contact by email.
  await knex.raw(
    'create index contacts_account_email_idx on contacts (account_id, lower(btrim(email))) where email is not null',
  );

  // Phones are taken as matching would read them (E.164 once normalised, the raw text until then or
  // when unreadable), primary first, so reformatting a number is not an edit but changing it is.
  await knex.raw(`
    create function dialpad_contact_local_hash(p_contact_id uuid) returns text
    language sql stable
    as $$
      select md5(concat_ws(chr(31),
        coalesce(btrim(c.first_name), ''),
        coalesce(btrim(c.last_name), ''),
        coalesce(lower(btrim(c.email)), ''),
        coalesce((
          select string_agg(coalesce(r.e164, 'raw:' || btrim(r.raw)), ','
                            order by r.is_primary desc, coalesce(r.e164, 'raw:' || btrim(r.raw)))
            from record_phone_numbers r
           where r.entity_type = 'contact' and r.entity_id = c.id
        ), '')))
        from contacts c
       where c.id = p_contact_id
    $$
  `);

  await knex.schema.createTable('dialpad_contact_sync_state', (t) => {
    t.uuid('account_id').primary({ constraintName: 'dialpad_contact_sync_state_pkey' });
    t.text('office_id').nullable();
    // The pass in progress (null between passes): its start, the owners whose local contacts it
    // lists after the shared ones (fixed at the start so positions stay meaningful), and where it is.
    t.timestamp('pass_started_at', { useTz: true }).nullable();
    t.jsonb('owner_ids').notNullable().defaultTo('[]');
    t.integer('source_index').notNullable().defaultTo(0);
    t.text('cursor').nullable();
    t.integer('pages_done').notNullable().defaultTo(0);
    t.jsonb('counts').notNullable().defaultTo('{}');
    t.timestamp('last_pass_completed_at', { useTz: true }).nullable();
    t.jsonb('last_pass_counts').nullable();
    t.integer('last_pass_marked_deleted').nullable();
    t.timestamp('last_push_at', { useTz: true }).nullable();
    t.integer('push_pending_creates').nullable();
    t.integer('push_pending_updates').nullable();
    t.integer('push_failed').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.foreign('account_id', 'dialpad_contact_sync_state_account_id_fkey').references('accounts.id').onDelete('CASCADE');
  });

  await knex.schema.createTable('dialpad_contact_tombstones', (t) => {
    t.uuid('account_id').notNullable();
    t.text('dialpad_contact_id').notNullable();
    t.timestamp('deleted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['account_id', 'dialpad_contact_id'], { constraintName: 'dialpad_contact_tombstones_pkey' });
    t.foreign('account_id', 'dialpad_contact_tombstones_account_id_fkey').references('accounts.id').onDelete('CASCADE');
  });
  await knex.raw(`
    create function dialpad_contact_tombstone() returns trigger language plpgsql as $$
    begin
      insert into dialpad_contact_tombstones (account_id, dialpad_contact_id)
      values (OLD.account_id, OLD.dialpad_contact_id)
      on conflict do nothing;
      return OLD;
    end $$
  `);
  await knex.raw(`
    create trigger contacts_dialpad_tombstone
    after delete on contacts
    for each row when (OLD.dialpad_contact_id is not null)
    execute function dialpad_contact_tombstone()
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists contacts_dialpad_tombstone on contacts');
  await knex.raw('drop function if exists dialpad_contact_tombstone()');
  await knex.schema.dropTableIfExists('dialpad_contact_tombstones');
  await knex.schema.dropTableIfExists('dialpad_contact_sync_state');
  await knex.raw('drop function if exists dialpad_contact_local_hash(uuid)');
  await knex.raw('drop index if exists contacts_account_email_idx');
  await knex.raw('drop index if exists contacts_account_dialpad_contact_unique');
  await knex.schema.alterTable('contacts', (t) => {
    t.dropChecks(['contacts_dialpad_contact_type_check', 'contacts_dialpad_origin_check']);
    for (const c of [
      'dialpad_push_error_at',
      'dialpad_push_error',
      'dialpad_deleted_at',
      'dialpad_synced_at',
      'dialpad_local_hash',
      'dialpad_remote_hash',
      'dialpad_origin',
      'dialpad_owner_id',
      'dialpad_contact_type',
      'dialpad_contact_id',
    ]) {
      t.dropColumn(c);
    }
  });
}
