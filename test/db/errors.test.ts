import { dbErrorSummary, isDataError, isTransientDbError, loggableError } from '../../src/db/errors';
import { createKnex } from '../../src/db/knex';
import { createTestDatabase, type TestDatabase } from '../support/db';

/** Database errors are logged and recorded by SQLSTATE and constraint, never with the row's values. */
describe('database errors', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 2 });
  });
  afterAll(async () => tdb?.drop());

  const caught = async (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e);

  it('a constraint violation is summarised without the values it was about', async () => {
    const secret = '+15105559137 Persephone Quillfeather';
    const row = {
      dedupe_key: `k:${secret}`,
      call_id: '1',
      state: 'hangup',
      routing_status: 'routed',
      verified_with: 'current',
      payload: JSON.stringify({ name: secret }),
    };
    await tdb.db('dialpad_webhook_deliveries').insert(row);
    const err = await caught(tdb.db('dialpad_webhook_deliveries').insert(row));
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).toContain('Persephone'); // pg puts it in `detail`
    const summary = dbErrorSummary(err);
    expect(summary).toMatch(
      /^SQLSTATE 23505 \(dialpad_webhook_deliveries, dialpad_webhook_deliveries_dedupe_key_unique\)/,
    );
    expect(JSON.stringify(loggableError(err))).not.toMatch(/Persephone|5559137/);
    expect(isDataError(err)).toBe(false);
    expect(isTransientDbError(err)).toBe(false);
  });

  it('a value Postgres refuses is a data error, summarised without the value', async () => {
    const err = await caught(tdb.db.raw('select ?::bigint', ['8951.03']));
    expect(isDataError(err)).toBe(true);
    expect(dbErrorSummary(err)).toBe('SQLSTATE 22P02: invalid input syntax for type bigint: "…"');
    expect(JSON.stringify(loggableError(err))).not.toContain('8951.03');
  });

  it('Postgres out of reach is transient', async () => {
    const dead = createKnex('postgres://postgres:x@127.0.0.1:1/none', { max: 1 });
    try {
      const err = await caught(dead.raw('select 1'));
      expect(isTransientDbError(err)).toBe(true);
      expect(isDataError(err)).toBe(false);
    } finally {
      await dead.destroy();
    }
  });
});
