import type { Knex } from 'knex';

/** The cheapest round trip to Postgres: resolves when a connection answers. */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}
