import { DeliveryStore } from '../../src/ingress/delivery-repository';
import { SignalledMarks } from '../../src/ingress/signalled-marks';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { legEvent } from '../support/legs';

/**
 * The ingress marks signalled deliveries in batches: ids added within a few milliseconds are
 * written by one UPDATE, a failed write is reported (the relay sends those again) and later marks
 * still go through, and a flush writes what is waiting.
 */
describe('SignalledMarks', () => {
  let tdb: TestDatabase;
  let store: DeliveryStore;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    store = new DeliveryStore(tdb.db);
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: '5527348325810176' });
  });
  afterAll(async () => tdb?.drop());

  async function recordSome(n: number, base: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await store.record({
        event: legEvent({ callId: String(base + i), state: 'hangup' }),
        officeId: '5527348325810176',
        accountId: null,
        verifiedWith: 'current',
      });
      ids.push(r.id);
    }
    return ids;
  }
  const statuses = async (ids: string[]) =>
    (await tdb.db('dialpad_webhook_deliveries').whereIn('id', ids).orderBy('id').select('signal_status')).map(
      (r) => r.signal_status,
    );

  it('marks added together are written by one statement', async () => {
    const ids = await recordSome(25, 6100000000000000);
    const writes: number[] = [];
    const marks = new SignalledMarks(
      async (batch) => (writes.push(batch.length), store.markSignalled(batch)),
      () => undefined,
      { delayMs: 20, maxBatch: 500 },
    );
    for (const id of ids) marks.add(id);
    expect(await statuses(ids)).toEqual(ids.map(() => 'pending'));
    // The timer writes the batch on its own (no flush called); a loaded machine may take a while.
    const deadline = Date.now() + 10_000;
    while (writes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(writes).toEqual([25]);
    await marks.flush(); // nothing left to gather: waits for the timer's write to end
    expect(writes).toEqual([25]);
    expect(await statuses(ids)).toEqual(ids.map(() => 'signalled'));
  });

  it('a full batch is written at once, and flush writes the rest', async () => {
    const ids = await recordSome(7, 6200000000000000);
    const writes: number[] = [];
    const marks = new SignalledMarks(
      async (batch) => (writes.push(batch.length), store.markSignalled(batch)),
      () => undefined,
      { delayMs: 60_000, maxBatch: 5 },
    );
    for (const id of ids) marks.add(id);
    await marks.flush();
    expect(writes).toEqual([5, 2]);
    expect(await statuses(ids)).toEqual(ids.map(() => 'signalled'));
  });

  it('a failed write is reported with its size and later marks still go through', async () => {
    const ids = await recordSome(4, 6300000000000000);
    const errors: number[] = [];
    let fail = true;
    const marks = new SignalledMarks(
      async (batch) => {
        if (fail) throw new Error('connection terminated');
        return store.markSignalled(batch);
      },
      (_err, count) => errors.push(count),
      { delayMs: 5, maxBatch: 500 },
    );
    marks.add(ids[0]!);
    marks.add(ids[1]!);
    await marks.flush();
    fail = false;
    marks.add(ids[2]!);
    marks.add(ids[3]!);
    await marks.flush();
    expect(errors).toEqual([2]);
    expect(await statuses(ids)).toEqual(['pending', 'pending', 'signalled', 'signalled']);
  });
});
