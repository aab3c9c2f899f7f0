import type { Knex } from 'knex';
import { normalizePendingPhoneNumbers, requeuePhoneNumberNormalization } from '../../src/phone/pending';
import { createTestDatabase, type TestDatabase } from '../support/db';

interface PhoneRow {
  entity_type: string;
  entity_id: string;
  is_primary: boolean;
  raw: string;
  e164: string | null;
  extension: string | null;
  normalization_status: string;
  normalization_error: string | null;
  normalized_at: Date | null;
}

let testDb: TestDatabase;
let db: Knex;

beforeAll(async () => {
  testDb = await createTestDatabase({ max: 10 });
  db = testDb.db;
});

afterAll(async () => {
  await testDb.drop();
});

beforeEach(async () => {
  await db.raw('truncate accounts cascade');
});

async function account(name: string, defaultRegion: string): Promise<string> {
  const [row] = await db('accounts').insert({ name, default_region: defaultRegion }).returning<{ id: string }[]>('id');
  return row!.id;
}

async function record(table: 'customers' | 'suppliers', accountId: string, phone: string | null): Promise<string> {
  const [row] = await db(table)
    .insert({ account_id: accountId, name: `${table} ${phone}`, phone })
    .returning<{ id: string }[]>('id');
  return row!.id;
}

async function contact(accountId: string, phone: string | null, customerId?: string): Promise<string> {
  const [row] = await db('contacts')
    .insert({ account_id: accountId, first_name: 'Jo', last_name: 'Bloggs', phone, customer_id: customerId ?? null })
    .returning<{ id: string }[]>('id');
  return row!.id;
}

async function phoneOf(entityType: string, entityId: string): Promise<PhoneRow> {
  const row = await db<PhoneRow>('record_phone_numbers')
    .where({ entity_type: entityType, entity_id: entityId, is_primary: true })
    .first();
  if (!row) throw new Error(`no phone row for ${entityType} ${entityId}`);
  return row;
}

async function statusCounts(): Promise<Record<string, number>> {
  const rows = await db('record_phone_numbers')
    .select('normalization_status')
    .count<{ normalization_status: string; count: string }[]>('* as count')
    .groupBy('normalization_status');
  return Object.fromEntries(rows.map((r) => [r.normalization_status, Number(r.count)]));
}

describe('normalizePendingPhoneNumbers', () => {
  it("reads each record's phone in its account's region and records why unreadable ones failed", async () => {
    const gb = await account('Acme UK', 'GB');
    const us = await account('Acme US', 'US');
    const gbCustomer = await record('customers', gb, '020 7946 0958');
    const gbContact = await contact(gb, '07400 123456 ext 12', gbCustomer);
    const gbSupplier = await record('suppliers', gb, 'n/a');
    const usCustomer = await record('customers', us, '(415) 555-2671 x5');
    const usContact = await contact(us, '020 7946 0958');
    const usSupplier = await record('suppliers', us, '+44 (0)20 7946 0958');
    const noPhone = await record('customers', us, null);

    expect(await statusCounts()).toEqual({ pending: 6 });

    const result = await normalizePendingPhoneNumbers(db);
    expect(result).toEqual({ processed: 6, ok: 4, unreadable: 2 });

    expect(await phoneOf('customer', gbCustomer)).toMatchObject({
      raw: '020 7946 0958',
      e164: '+442079460958',
      extension: null,
      normalization_status: 'ok',
      normalization_error: null,
      normalized_at: expect.any(Date),
    });
    expect(await phoneOf('contact', gbContact)).toMatchObject({
      e164: '+447400123456',
      extension: '12',
      normalization_status: 'ok',
    });
    expect(await phoneOf('supplier', gbSupplier)).toMatchObject({
      e164: null,
      extension: null,
      normalization_status: 'unreadable',
      normalization_error: expect.stringMatching(/^not_a_number: /),
      normalized_at: expect.any(Date),
    });
    expect(await phoneOf('customer', usCustomer)).toMatchObject({
      e164: '+14155552671',
      extension: '5',
      normalization_status: 'ok',
    });
    // The same digits that are a London number in the GB account are nothing in the US one.
    expect(await phoneOf('contact', usContact)).toMatchObject({
      e164: null,
      normalization_status: 'unreadable',
      normalization_error: expect.stringMatching(/^too_long: .*\(US\)/),
    });
    expect(await phoneOf('supplier', usSupplier)).toMatchObject({ e164: '+442079460958', normalization_status: 'ok' });
    expect(await db('record_phone_numbers').where({ entity_id: noPhone })).toEqual([]);

    expect(await normalizePendingPhoneNumbers(db)).toEqual({ processed: 0, ok: 0, unreadable: 0 });
  });

  it('normalises additional numbers of a record, not only the mirrored primary phone', async () => {
    const gb = await account('Acme UK', 'GB');
    const customer = await record('customers', gb, '020 7946 0958');
    await db('record_phone_numbers').insert({
      account_id: gb,
      entity_type: 'customer',
      entity_id: customer,
      label: 'mobile',
      raw: '07400 123456',
    });

    expect(await normalizePendingPhoneNumbers(db)).toEqual({ processed: 2, ok: 2, unreadable: 0 });
    const numbers = await db('record_phone_numbers')
      .where({ entity_id: customer })
      .orderBy('is_primary', 'desc')
      .pluck('e164');
    expect(numbers).toEqual(['+442079460958', '+447400123456']);
  });

  it('normalises the new number after Navigator edits a phone', async () => {
    const gb = await account('Acme UK', 'GB');
    const customer = await record('customers', gb, '020 7946 0958');
    await normalizePendingPhoneNumbers(db);

    await db('customers').where({ id: customer }).update({ phone: '+33 6 12 34 56 78' });
    expect(await phoneOf('customer', customer)).toMatchObject({
      raw: '+33 6 12 34 56 78',
      e164: null,
      normalization_status: 'pending',
      normalized_at: null,
    });

    expect(await normalizePendingPhoneNumbers(db)).toEqual({ processed: 1, ok: 1, unreadable: 0 });
    expect(await phoneOf('customer', customer)).toMatchObject({ e164: '+33612345678', normalization_status: 'ok' });
  });

  it('skips a row whose phone is being edited, and reads the edited value once it is committed', async () => {
    const gb = await account('Acme UK', 'GB');
    const edited = await record('customers', gb, '020 7946 0958');
    const other = await record('suppliers', gb, '07400 123456');

    const editing = await db.transaction();
    try {
      // The trigger's upsert holds the phone row's lock until Navigator's transaction ends.
      await editing('customers').where({ id: edited }).update({ phone: '0161 496 0000' });

      expect(await normalizePendingPhoneNumbers(db)).toEqual({ processed: 1, ok: 1, unreadable: 0 });
      expect(await phoneOf('supplier', other)).toMatchObject({ normalization_status: 'ok' });
      expect(await phoneOf('customer', edited)).toMatchObject({
        raw: '020 7946 0958',
        normalization_status: 'pending',
      });
      await editing.commit();
    } catch (error) {
      await editing.rollback();
      throw error;
    }

    expect(await normalizePendingPhoneNumbers(db)).toEqual({ processed: 1, ok: 1, unreadable: 0 });
    expect(await phoneOf('customer', edited)).toMatchObject({
      raw: '0161 496 0000',
      e164: '+441614960000',
      normalization_status: 'ok',
    });
  });

  it('shares the work between concurrent workers without handling a row twice', async () => {
    const us = await account('Acme US', 'US');
    const total = 240;
    await db('customers').insert(
      Array.from({ length: total }, (_, i) => ({
        account_id: us,
        name: `Customer ${i}`,
        phone: `(415) 555-${String(1000 + i).padStart(4, '0')}`,
      })),
    );

    const results = await Promise.all(
      Array.from({ length: 4 }, () => normalizePendingPhoneNumbers(db, { limit: total, batchSize: 10 })),
    );

    expect(results.reduce((sum, r) => sum + r.processed, 0)).toBe(total);
    expect(results.reduce((sum, r) => sum + r.ok, 0)).toBe(total);
    expect(await statusCounts()).toEqual({ ok: total });
    const distinct = await db('record_phone_numbers').countDistinct<{ count: string }[]>('e164 as count');
    expect(Number(distinct[0]!.count)).toBe(total);
  });

  it('stops at the limit, in batches', async () => {
    const gb = await account('Acme UK', 'GB');
    for (let i = 0; i < 5; i++) await record('customers', gb, `020 7946 ${1000 + i}`);

    expect(await normalizePendingPhoneNumbers(db, { limit: 2 })).toEqual({ processed: 2, ok: 2, unreadable: 0 });
    expect(await statusCounts()).toEqual({ ok: 2, pending: 3 });
    expect(await normalizePendingPhoneNumbers(db, { limit: 10, batchSize: 2 })).toEqual({
      processed: 3,
      ok: 3,
      unreadable: 0,
    });
  });

  it('rejects a limit or batch size that is not a positive integer', async () => {
    await expect(normalizePendingPhoneNumbers(db, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(normalizePendingPhoneNumbers(db, { batchSize: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe('requeuePhoneNumberNormalization', () => {
  it("re-reads an account's numbers after its default region is corrected", async () => {
    const wrong = await account('Acme UK, created as US', 'US');
    const elsewhere = await account('Acme US', 'US');
    const customer = await record('customers', wrong, '020 7946 0958');
    const supplier = await record('suppliers', wrong, '+1 415 555 2671');
    const untouched = await record('customers', elsewhere, '020 7946 0958');
    await normalizePendingPhoneNumbers(db);
    expect(await phoneOf('customer', customer)).toMatchObject({ normalization_status: 'unreadable' });

    await db('accounts').where({ id: wrong }).update({ default_region: 'GB' });
    expect(await requeuePhoneNumberNormalization(db, { accountId: wrong })).toBe(2);
    // The last reading stays usable for matching until the row is read again.
    expect(await phoneOf('supplier', supplier)).toMatchObject({
      e164: '+14155552671',
      normalization_status: 'pending',
    });

    expect(await normalizePendingPhoneNumbers(db)).toEqual({ processed: 2, ok: 2, unreadable: 0 });
    expect(await phoneOf('customer', customer)).toMatchObject({
      e164: '+442079460958',
      normalization_status: 'ok',
      normalization_error: null,
    });
    expect(await phoneOf('customer', untouched)).toMatchObject({ normalization_status: 'unreadable' });
  });

  it('can re-queue only the unreadable numbers', async () => {
    const gb = await account('Acme UK', 'GB');
    await record('customers', gb, '020 7946 0958');
    await record('suppliers', gb, '07700 900123');
    await normalizePendingPhoneNumbers(db);

    expect(await requeuePhoneNumberNormalization(db, { onlyUnreadable: true })).toBe(1);
    expect(await statusCounts()).toEqual({ ok: 1, pending: 1 });
  });
});
