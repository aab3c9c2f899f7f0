import { createKnex, migrateLatest, migrateRollbackAll } from '../../src/db/knex';
import { migrations } from '../../migrations';
import { createEmptyDatabase } from '../support/db';

const CONTRACT_TABLES = [
  'accounts',
  'customers',
  'contacts',
  'suppliers',
  'calls',
  'communications',
  'dialpad_offices',
  'dialpad_departments',
  'dialpad_call_centers',
  'dialpad_users',
];

describe('migrations', () => {
  it('migrate all the way up, then all the way down, leaving nothing behind', async () => {
    const empty = await createEmptyDatabase();
    const db = createKnex(empty.url, { max: 2 });
    try {
      const applied = await migrateLatest(db);
      expect(applied).toEqual(migrations.map((m) => m.name));
      for (const table of CONTRACT_TABLES) expect(await db.schema.hasTable(table)).toBe(true);

      // Up again is a no-op.
      expect(await migrateLatest(db)).toEqual([]);

      const rolledBack = await migrateRollbackAll(db);
      expect([...rolledBack].sort()).toEqual(migrations.map((m) => m.name).sort());
      const { rows } = await db.raw<{ rows: { table_name: string }[] }>(
        "select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'knex_migrations%'",
      );
      expect(rows).toEqual([]);
      const fns = await db.raw<{ rows: unknown[] }>(
        "select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'",
      );
      expect(fns.rows).toEqual([]);

      // And up once more: down() really reverses up().
      expect(await migrateLatest(db)).toEqual(migrations.map((m) => m.name));
    } finally {
      await db.destroy();
      await empty.drop();
    }
  });
});
