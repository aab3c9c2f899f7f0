import type { Knex } from 'knex';

/**
 * The contract schema (DESIGN.md): Navigator's records, calls and history, the synced Dialpad
 * directory, and the integration's own tables. Column meanings are documented in docs/schema.md.
 */

const timestamps = (t: Knex.CreateTableBuilder, knex: Knex) => {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
};

const ENTITY_TYPES = "('customer', 'contact', 'supplier')";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary({ constraintName: 'accounts_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('dialpad_office_id').nullable().unique({ indexName: 'accounts_dialpad_office_id_unique' });
    t.text('default_region').notNullable().defaultTo('US');
    timestamps(t, knex);
    t.check("default_region ~ '^[A-Z]{2}$'", [], 'accounts_default_region_iso2');
    t.check("dialpad_office_id ~ '^[0-9]+$'", [], 'accounts_dialpad_office_id_digits');
  });

  await knex.schema.createTable('customers', (t) => {
    t.uuid('id').primary({ constraintName: 'customers_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.text('name').notNullable();
    t.text('phone').nullable();
    t.text('email').nullable();
    timestamps(t, knex);
    t.foreign('account_id', 'customers_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.index(['account_id'], 'customers_account_id_idx');
  });

  await knex.schema.createTable('contacts', (t) => {
    t.uuid('id').primary({ constraintName: 'contacts_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.uuid('customer_id').nullable();
    t.text('first_name').nullable();
    t.text('last_name').nullable();
    t.text('email').nullable();
    t.text('phone').nullable();
    timestamps(t, knex);
    t.foreign('account_id', 'contacts_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.foreign('customer_id', 'contacts_customer_id_fkey').references('customers.id').onDelete('SET NULL');
    t.index(['account_id'], 'contacts_account_id_idx');
    t.index(['customer_id'], 'contacts_customer_id_idx');
  });

  await knex.schema.createTable('suppliers', (t) => {
    t.uuid('id').primary({ constraintName: 'suppliers_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.text('name').notNullable();
    t.text('phone').nullable();
    t.text('email').nullable();
    timestamps(t, knex);
    t.foreign('account_id', 'suppliers_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.index(['account_id'], 'suppliers_account_id_idx');
  });

  // Every phone number of a customer, contact or supplier, as typed and normalised. The record's own
  // `phone` column is mirrored here by a trigger (is_primary = true) so Navigator can keep writing
  // raw numbers; the integration fills e164/extension (normalisation_status 'pending' → 'ok' or
  // 'unreadable'). Extra numbers per record are plain rows with is_primary = false.
  await knex.schema.createTable('record_phone_numbers', (t) => {
    t.bigIncrements('id'); // primary key: <table>_pkey
    t.uuid('account_id').notNullable();
    t.text('entity_type').notNullable();
    t.uuid('entity_id').notNullable();
    t.text('label').nullable();
    t.boolean('is_primary').notNullable().defaultTo(false);
    t.text('raw').notNullable();
    t.text('e164').nullable();
    t.text('extension').nullable();
    t.text('normalization_status').notNullable().defaultTo('pending');
    t.text('normalization_error').nullable();
    t.timestamp('normalized_at', { useTz: true }).nullable();
    timestamps(t, knex);
    t.foreign('account_id', 'record_phone_numbers_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.check(`entity_type in ${ENTITY_TYPES}`, [], 'record_phone_numbers_entity_type_check');
    t.check(
      "normalization_status in ('pending', 'ok', 'unreadable')",
      [],
      'record_phone_numbers_normalization_status_check',
    );
    t.index(['entity_type', 'entity_id'], 'record_phone_numbers_entity_idx');
  });
  await knex.raw(
    'create unique index record_phone_numbers_primary_unique on record_phone_numbers (entity_type, entity_id) where is_primary',
  );
  await knex.raw(
    'create index record_phone_numbers_match_idx on record_phone_numbers (account_id, e164) where e164 is not null',
  );
  await knex.raw(
    "create index record_phone_numbers_pending_idx on record_phone_numbers (id) where normalization_status = 'pending'",
  );
  await knex.raw(`
    create function record_phone_numbers_mirror() returns trigger language plpgsql as $$
    declare
      kind text := TG_ARGV[0];
    begin
      if TG_OP = 'DELETE' then
        delete from record_phone_numbers where entity_type = kind and entity_id = OLD.id;
        return OLD;
      end if;
      if TG_OP = 'UPDATE' and NEW.phone is not distinct from OLD.phone and NEW.account_id = OLD.account_id then
        return NEW;
      end if;
      if NEW.phone is null or btrim(NEW.phone) = '' then
        delete from record_phone_numbers where entity_type = kind and entity_id = NEW.id and is_primary;
      else
        insert into record_phone_numbers (account_id, entity_type, entity_id, is_primary, raw, normalization_status)
        values (NEW.account_id, kind, NEW.id, true, NEW.phone, 'pending')
        on conflict (entity_type, entity_id) where is_primary do update
          set raw = excluded.raw, account_id = excluded.account_id, e164 = null, extension = null,
              normalization_status = 'pending', normalization_error = null, normalized_at = null, updated_at = now();
      end if;
      perform pg_notify('record_phone_numbers_pending', kind || ':' || NEW.id::text);
      return NEW;
    end $$;
  `);
  for (const [table, kind] of [
    ['customers', 'customer'],
    ['contacts', 'contact'],
    ['suppliers', 'supplier'],
  ] as const) {
    await knex.raw(`
      create trigger ${table}_phone_mirror
      after insert or update of phone, account_id or delete on ${table}
      for each row execute function record_phone_numbers_mirror('${kind}')
    `);
  }

  // One row per real conversation (Dialpad legs folded together) or manual log.
  await knex.schema.createTable('calls', (t) => {
    t.uuid('id').primary({ constraintName: 'calls_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.text('source').notNullable().defaultTo('manual');
    t.text('dialpad_call_id').nullable().unique({ indexName: 'calls_dialpad_call_id_unique' });
    t.text('dialpad_master_call_id').nullable();
    t.text('dialpad_office_id').nullable();
    t.text('direction').notNullable();
    t.text('status').notNullable();
    t.boolean('is_internal').notNullable().defaultTo(false);
    t.text('external_number').nullable();
    t.text('internal_number').nullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('ended_at', { useTz: true }).nullable();
    t.integer('duration_seconds').nullable();
    t.text('notes').nullable();
    // Who and what answered on the Dialpad side (names copied from the synced directory).
    t.text('answered_by_dialpad_user_id').nullable();
    t.text('answered_by_name').nullable();
    t.text('dialpad_group_type').nullable();
    t.text('dialpad_group_id').nullable();
    t.text('dialpad_group_name').nullable();
    // Ai fields: null when unknown; never placeholders.
    t.text('ai_summary').nullable();
    t.text('transcript').nullable();
    t.text('sentiment').nullable();
    t.text('churn_risk').nullable();
    t.jsonb('churn_reasons').nullable();
    t.jsonb('themes').nullable();
    t.boolean('resolved').nullable();
    t.text('ai_outcome').nullable();
    t.jsonb('ai_action_items').nullable();
    t.jsonb('ai_purposes').nullable();
    t.jsonb('ai_sources').nullable();
    // Link to a Navigator record.
    t.text('linked_entity_type').nullable();
    t.uuid('linked_entity_id').nullable();
    t.text('link_method').nullable();
    t.boolean('needs_review').notNullable().defaultTo(false);
    t.jsonb('match_candidates').nullable();
    timestamps(t, knex);
    t.foreign('account_id', 'calls_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.check("source in ('dialpad', 'manual')", [], 'calls_source_check');
    t.check("direction in ('inbound', 'outbound')", [], 'calls_direction_check');
    t.check("status in ('answered', 'missed', 'voicemail', 'no_answer', 'in_progress')", [], 'calls_status_check');
    t.check("sentiment in ('positive', 'negative', 'neutral', 'mixed')", [], 'calls_sentiment_check');
    t.check("churn_risk in ('low', 'medium', 'high', 'critical')", [], 'calls_churn_risk_check');
    t.check(`linked_entity_type in ${ENTITY_TYPES}`, [], 'calls_linked_entity_type_check');
    t.check('(linked_entity_type is null) = (linked_entity_id is null)', [], 'calls_linked_entity_pair_check');
    t.check("link_method in ('auto', 'manual', 'remembered')", [], 'calls_link_method_check');
    t.check('duration_seconds >= 0', [], 'calls_duration_nonnegative');
    t.check("themes is null or jsonb_typeof(themes) = 'array'", [], 'calls_themes_array_check');
    t.check("(source = 'dialpad') = (dialpad_call_id is not null)", [], 'calls_dialpad_id_source_check');
    t.index(['account_id', 'started_at'], 'calls_account_started_idx');
    t.index(['account_id', 'external_number'], 'calls_account_external_number_idx');
    t.index(['linked_entity_type', 'linked_entity_id'], 'calls_linked_entity_idx');
  });
  await knex.raw('create index calls_needs_review_idx on calls (account_id) where needs_review');
  await knex.raw(
    'create index calls_standalone_idx on calls (account_id, external_number) where linked_entity_id is null',
  );

  // Each Dialpad call leg, as last known; `call_row_id` folds the legs of one conversation.
  await knex.schema.createTable('dialpad_call_legs', (t) => {
    t.text('call_id').primary({ constraintName: 'dialpad_call_legs_pkey' });
    t.uuid('call_row_id').nullable();
    t.uuid('account_id').nullable();
    t.text('office_id').nullable();
    t.text('master_call_id').nullable();
    t.text('entry_point_call_id').nullable();
    t.text('operator_call_id').nullable();
    t.text('state').notNullable();
    t.bigInteger('last_event_timestamp').nullable();
    t.text('direction').nullable();
    t.text('external_number').nullable();
    t.text('internal_number').nullable();
    t.text('target_type').nullable();
    t.text('target_id').nullable();
    t.text('target_name').nullable();
    t.text('contact_id').nullable();
    t.text('contact_type').nullable();
    t.timestamp('date_started', { useTz: true }).nullable();
    t.timestamp('date_connected', { useTz: true }).nullable();
    t.timestamp('date_ended', { useTz: true }).nullable();
    t.bigInteger('talk_time_ms').nullable();
    t.bigInteger('total_duration_ms').nullable();
    t.boolean('is_transferred').notNullable().defaultTo(false);
    t.boolean('voicemail').notNullable().defaultTo(false);
    t.boolean('missed').notNullable().defaultTo(false);
    t.boolean('is_internal').notNullable().defaultTo(false);
    t.jsonb('recap').nullable();
    t.text('voicemail_transcription').nullable();
    timestamps(t, knex);
    t.foreign('call_row_id', 'dialpad_call_legs_call_row_id_fkey').references('calls.id').onDelete('SET NULL');
    t.foreign('account_id', 'dialpad_call_legs_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.index(['call_row_id'], 'dialpad_call_legs_call_row_id_idx');
    t.index(['master_call_id'], 'dialpad_call_legs_master_call_id_idx');
    t.index(['entry_point_call_id'], 'dialpad_call_legs_entry_point_call_id_idx');
    t.index(['operator_call_id'], 'dialpad_call_legs_operator_call_id_idx');
  });

  // The history timeline: calls beside emails and SMS, per customer / contact / supplier.
  await knex.schema.createTable('communications', (t) => {
    t.uuid('id').primary({ constraintName: 'communications_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.text('entity_type').notNullable();
    t.uuid('entity_id').notNullable();
    t.text('kind').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.uuid('call_id').nullable();
    t.uuid('email_id').nullable();
    t.uuid('sms_id').nullable();
    // Set when a contact's call is shown in its customer's history.
    t.uuid('via_contact_id').nullable();
    t.text('summary').nullable();
    timestamps(t, knex);
    t.foreign('account_id', 'communications_account_id_fkey').references('accounts.id').onDelete('CASCADE');
    t.foreign('call_id', 'communications_call_id_fkey').references('calls.id').onDelete('CASCADE');
    t.check(`entity_type in ${ENTITY_TYPES}`, [], 'communications_entity_type_check');
    t.check("kind in ('call', 'email', 'sms')", [], 'communications_kind_check');
    t.check(
      "(kind = 'call' and call_id is not null) or (kind = 'email' and email_id is not null) or (kind = 'sms' and sms_id is not null)",
      [],
      'communications_reference_check',
    );
    t.index(['entity_type', 'entity_id', 'occurred_at'], 'communications_timeline_idx');
    t.index(['call_id'], 'communications_call_id_idx');
  });
  await knex.raw(
    'create unique index communications_entity_call_unique on communications (entity_type, entity_id, call_id) where call_id is not null',
  );

  // The synced Dialpad directory. Ids are Dialpad's (16-digit integers) kept as text.
  const directoryTable = (name: string, extra: (t: Knex.CreateTableBuilder) => void) =>
    knex.schema.createTable(name, (t) => {
      t.text('id').primary({ constraintName: `${name}_pkey` });
      extra(t);
      t.text('state').nullable();
      t.jsonb('phone_numbers').notNullable().defaultTo('[]');
      t.boolean('active').notNullable().defaultTo(true);
      t.timestamp('synced_at', { useTz: true }).nullable();
      t.jsonb('raw').nullable();
      timestamps(t, knex);
    });
  await directoryTable('dialpad_offices', (t) => {
    t.text('name').notNullable();
    t.text('timezone').nullable();
    t.text('country').nullable();
    t.boolean('is_primary_office').nullable();
  });
  await directoryTable('dialpad_departments', (t) => {
    t.text('office_id').notNullable();
    t.text('name').notNullable();
    t.index(['office_id'], 'dialpad_departments_office_id_idx');
  });
  await directoryTable('dialpad_call_centers', (t) => {
    t.text('office_id').notNullable();
    t.text('name').notNullable();
    t.index(['office_id'], 'dialpad_call_centers_office_id_idx');
  });
  await directoryTable('dialpad_users', (t) => {
    t.text('office_id').nullable();
    t.text('first_name').nullable();
    t.text('last_name').nullable();
    t.text('display_name').nullable();
    t.jsonb('emails').notNullable().defaultTo('[]');
    t.index(['office_id'], 'dialpad_users_office_id_idx');
  });

  // Every accepted webhook delivery, durably, before anything acts on it.
  await knex.schema.createTable('dialpad_webhook_deliveries', (t) => {
    t.bigIncrements('id'); // primary key: <table>_pkey
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('dedupe_key').notNullable().unique({ indexName: 'dialpad_webhook_deliveries_dedupe_key_unique' });
    t.text('call_id').notNullable();
    t.text('state').notNullable();
    t.bigInteger('event_timestamp').nullable();
    t.text('office_id').nullable();
    t.text('target_type').nullable();
    t.text('target_id').nullable();
    t.uuid('account_id').nullable();
    t.text('routing_status').notNullable();
    t.text('signal_status').notNullable().defaultTo('pending');
    t.integer('signal_attempts').notNullable().defaultTo(0);
    t.timestamp('signalled_at', { useTz: true }).nullable();
    // The relay leaves a fresh delivery to the request that recorded it for a few seconds, and backs
    // off after failures; a delivery released by linking its office is due at once.
    t.timestamp('relay_after', { useTz: true }).notNullable().defaultTo(knex.raw("now() + interval '3 seconds'"));
    t.text('last_signal_error').nullable();
    t.text('verified_with').notNullable();
    t.jsonb('payload').notNullable();
    t.foreign('account_id', 'dialpad_webhook_deliveries_account_id_fkey')
      .references('accounts.id')
      .onDelete('SET NULL');
    t.check("routing_status in ('routed', 'unrouted', 'ignored')", [], 'dialpad_webhook_deliveries_routing_check');
    t.check("signal_status in ('pending', 'signalled', 'not_needed')", [], 'dialpad_webhook_deliveries_signal_check');
    t.check("verified_with in ('current', 'previous', 'unsigned')", [], 'dialpad_webhook_deliveries_verified_check');
    t.index(['call_id'], 'dialpad_webhook_deliveries_call_id_idx');
    t.index(['received_at'], 'dialpad_webhook_deliveries_received_at_idx');
  });
  await knex.raw(
    "create index dialpad_webhook_deliveries_pending_idx on dialpad_webhook_deliveries (relay_after, id) where signal_status = 'pending' and routing_status = 'routed'",
  );
  await knex.raw(
    "create index dialpad_webhook_deliveries_unrouted_idx on dialpad_webhook_deliveries (office_id) where routing_status = 'unrouted'",
  );

  // A bounded diagnostic log of rejected deliveries (no bodies: they are unverified).
  await knex.schema.createTable('dialpad_webhook_rejections', (t) => {
    t.bigIncrements('id'); // primary key: <table>_pkey
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('status_code').notNullable();
    t.text('reason').notNullable();
    t.text('detail').nullable();
    t.text('source_address').nullable();
    t.integer('body_bytes').nullable();
    t.index(['received_at'], 'dialpad_webhook_rejections_received_at_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dialpad_webhook_rejections');
  await knex.schema.dropTableIfExists('dialpad_webhook_deliveries');
  for (const t of ['dialpad_users', 'dialpad_call_centers', 'dialpad_departments', 'dialpad_offices']) {
    await knex.schema.dropTableIfExists(t);
  }
  await knex.schema.dropTableIfExists('communications');
  await knex.schema.dropTableIfExists('dialpad_call_legs');
  await knex.schema.dropTableIfExists('calls');
  for (const t of ['customers', 'contacts', 'suppliers']) {
    await knex.raw(`drop trigger if exists ${t}_phone_mirror on ${t}`);
  }
  await knex.raw('drop function if exists record_phone_numbers_mirror()');
  await knex.schema.dropTableIfExists('record_phone_numbers');
  await knex.schema.dropTableIfExists('suppliers');
  await knex.schema.dropTableIfExists('contacts');
  await knex.schema.dropTableIfExists('customers');
  await knex.schema.dropTableIfExists('accounts');
}
