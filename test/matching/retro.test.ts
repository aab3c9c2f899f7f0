import {
  matchCallToRecord,
  retroMatchNumber,
  retroMatchRecord,
  retroMatchSweep,
  unlinkCall,
  RecordNotFoundError,
} from '../../src/matching';
import { normalizePendingPhoneNumbers } from '../../src/phone/pending';
import { createTestDatabase, type TestDatabase } from '../support/db';
import {
  callLink,
  createAccount,
  createCall,
  createContact,
  createCustomer,
  createSupplier,
  historyOfCall,
} from './support';

describe('retro-matching', () => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  it('links a stand-alone call once its number is added to a supplier', async () => {
    const db = tdb.db;
    const account = await createAccount(db, { region: 'GB' });
    const call = await createCall(db, account, { externalNumber: '+442079460001' });
    const older = await createCall(db, account, { externalNumber: '+442079460001', startedAt: new Date('2026-01-05') });
    await matchCallToRecord(db, call);
    await matchCallToRecord(db, older);
    expect((await callLink(db, call)).linked_entity_id).toBeNull();

    const supplier = await createSupplier(db, account, 'Late Supplier', '020 7946 0001');
    await normalizePendingPhoneNumbers(db);
    const result = await retroMatchNumber(db, account, ['+442079460001']);

    expect(result).toMatchObject({ examined: 2, linked: 2, needsReview: 0, resolved: 0 });
    expect([...result.changedCallIds].sort()).toEqual([call, older].sort());
    expect(await callLink(db, call)).toMatchObject({ linked_entity_id: supplier, link_method: 'auto' });
    expect((await historyOfCall(db, older)).map((h) => h.entity_id)).toEqual([supplier]);

    // Linked calls are no longer looked at.
    expect(await retroMatchNumber(db, account, ['+442079460001'])).toMatchObject({ examined: 0, changedCallIds: [] });
  });

  it('leaves alone calls linked automatically, decided by a person, internal, or of another account', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const otherAccount = await createAccount(db);
    const first = await createCustomer(db, account, 'First Holder', '+1 212 555 0101');
    const linked = await createCall(db, account, { externalNumber: '+12125550101' });
    await matchCallToRecord(db, linked);
    const unlinked = await createCall(db, account, { externalNumber: '+12125550101' });
    await matchCallToRecord(db, unlinked);
    await unlinkCall(db, unlinked);
    const internal = await createCall(db, account, { externalNumber: '+12125550101', isInternal: true });
    const elsewhere = await createCall(db, otherAccount, { externalNumber: '+12125550101' });

    await createSupplier(db, account, 'Second Holder', '+1 212 555 0101');
    const result = await retroMatchNumber(db, account, ['+12125550101']);

    expect(result).toMatchObject({ examined: 0, linked: 0 });
    expect((await callLink(db, linked)).linked_entity_id).toBe(first);
    expect((await callLink(db, unlinked)).linked_entity_id).toBeNull();
    expect((await callLink(db, internal)).linked_entity_id).toBeNull();
    expect((await callLink(db, elsewhere)).linked_entity_id).toBeNull();
  });

  it('settles a review once the number is no longer shared', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const keep = await createCustomer(db, account, 'Keeper', '+1 212 555 0102');
    const drop = await createCustomer(db, account, 'Dropper', '+1 212 555 0102');
    const call = await createCall(db, account, { externalNumber: '+12125550102' });
    await matchCallToRecord(db, call);
    expect((await callLink(db, call)).needs_review).toBe(true);

    await db('customers').where({ id: drop }).update({ phone: '+1 212 555 0199' });
    const result = await retroMatchNumber(db, account, ['+12125550102']);

    expect(result).toMatchObject({ examined: 1, linked: 0, resolved: 1, changedCallIds: [call] });
    expect(await callLink(db, call)).toMatchObject({
      linked_entity_id: keep,
      needs_review: false,
      match_candidates: null,
    });
  });

  it("retroMatchRecord normalises the record's numbers, links their calls and reports unreadable numbers", async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Parent');
    const contact = await createContact(db, account, { firstName: 'Eve', lastName: 'Ma', customerId: customer });
    const call = await createCall(db, account, { externalNumber: '+12125550103' });
    const mobileCall = await createCall(db, account, { externalNumber: '+12125550104' });
    await matchCallToRecord(db, call);

    await db('contacts').where({ id: contact }).update({ phone: '(212) 555-0103' });
    await db('record_phone_numbers').insert([
      { account_id: account, entity_type: 'contact', entity_id: contact, raw: '212 555 0104', label: 'mobile' },
      { account_id: account, entity_type: 'contact', entity_id: contact, raw: 'ask reception', label: 'desk' },
    ]);
    const result = await retroMatchRecord(db, { accountId: account, entityType: 'contact', entityId: contact });

    expect(result).toMatchObject({ examined: 2, linked: 2 });
    expect(result.numbers).toEqual([
      expect.objectContaining({ raw: '(212) 555-0103', isPrimary: true, e164: '+12125550103', status: 'ok' }),
      expect.objectContaining({ raw: '212 555 0104', label: 'mobile', e164: '+12125550104', status: 'ok' }),
      expect.objectContaining({
        raw: 'ask reception',
        status: 'unreadable',
        e164: null,
        error: expect.stringMatching(/^not_a_number: /),
      }),
    ]);
    for (const id of [call, mobileCall]) {
      expect((await historyOfCall(db, id)).map((h) => [h.entity_type, h.via_contact_id])).toEqual([
        ['contact', null],
        ['customer', contact],
      ]);
    }

    const otherAccount = await createAccount(db);
    await expect(
      retroMatchRecord(db, { accountId: otherAccount, entityType: 'contact', entityId: contact }),
    ).rejects.toBeInstanceOf(RecordNotFoundError);
  });
});

describe('retroMatchSweep', () => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  it('links stand-alone calls from numbers normalised recently, as a safety net for the trigger', async () => {
    const db = tdb.db;
    const account = await createAccount(db, { region: 'GB' });
    const call = await createCall(db, account, { externalNumber: '+442079460002' });
    const stale = await createCall(db, account, { externalNumber: '+442079460003' });
    await matchCallToRecord(db, call);
    await matchCallToRecord(db, stale);

    // A number normalised long ago is outside the window (and its calls were matched back then).
    const old = await createSupplier(db, account, 'Old Number Ltd', '020 7946 0003');
    await normalizePendingPhoneNumbers(db);
    await db('record_phone_numbers')
      .where({ entity_id: old })
      .update({ normalized_at: new Date(Date.now() - 3 * 3600_000) });

    // Navigator saved the supplier but never called the trigger endpoint; the number is still pending.
    const supplier = await createSupplier(db, account, 'Forgetful Navigator Ltd', '020 7946 0002');
    const result = await retroMatchSweep(db, { sinceMinutes: 60 });

    expect(result).toMatchObject({ numbers: 1, examined: 1, linked: 1, changedCallIds: [call] });
    expect(result.normalized.ok).toBeGreaterThanOrEqual(1);
    expect(await callLink(db, call)).toMatchObject({ linked_entity_id: supplier, link_method: 'auto' });
    expect((await callLink(db, stale)).linked_entity_id).toBeNull();

    expect(await retroMatchSweep(db, { sinceMinutes: 60 })).toMatchObject({ numbers: 0, examined: 0, linked: 0 });
    expect((await retroMatchSweep(db, { sinceMinutes: 24 * 60 })).changedCallIds).toEqual([stale]);
  });

  it('rejects a window that is not a positive number of minutes', async () => {
    await expect(retroMatchSweep(tdb.db, { sinceMinutes: 0 })).rejects.toThrow(RangeError);
  });
});
