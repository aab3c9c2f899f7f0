import { loadConfigOrExit } from '../config';
import { createKnex, migrateLatest, migrateRollbackAll } from './knex';

/** `npm run db:migrate` / `npm run db:rollback [-- --all]` against DATABASE_URL. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('dev');
  if (!config.databaseUrl) {
    process.stderr.write('DATABASE_URL: required for migrations (postgres://user:password@host:5432/db)\n');
    process.exit(78);
  }
  const db = createKnex(config.databaseUrl, { max: 1, ca: config.databaseCa });
  try {
    const command = process.argv[2] ?? 'latest';
    if (command === 'latest') {
      const applied = await migrateLatest(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
    } else if (command === 'rollback') {
      const all = process.argv.includes('--all');
      const [, done] = (await db.migrate.rollback(undefined, all)) as [number, string[]];
      process.stdout.write(done.length ? `rolled back: ${done.join(', ')}\n` : 'nothing to roll back\n');
    } else if (command === 'rollback-all') {
      const done = await migrateRollbackAll(db);
      process.stdout.write(`rolled back: ${done.join(', ') || 'nothing'}\n`);
    } else {
      throw new Error(`unknown command ${command}; use latest or rollback [--all]`);
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
