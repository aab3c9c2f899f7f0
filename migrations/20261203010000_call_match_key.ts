import type { Knex } from 'knex';

/**
 * What a conversation was last matched from, so its legs' runs match it once (src/matching/match.ts):
 * `match_key`, a digest of what matching reads from the call (account, external number, internal
 * or not, direction, the link as matching left it) and of what its history line shows (status, talk
 * time, start); `match_outcome`, the outcome that match had, returned again while the key holds.
 * Both null until the call is first matched; null again when the leg fold merges another
 * conversation into it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.text('match_key').nullable();
    t.text('match_outcome').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('calls', (t) => {
    t.dropColumn('match_outcome');
    t.dropColumn('match_key');
  });
}
