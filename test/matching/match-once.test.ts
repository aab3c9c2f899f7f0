import { linkCallManually, matchCallToRecord, rematchCall, retroMatchRecord } from '../../src/matching';
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

/**
 * A conversation is matched once however many of its legs' runs ask (`calls.match_key`): a run
 * whose conversation reads as when it was last matched gets that outcome back (`reused`) without
 * a lookup and without a write; a change to what matching reads matches again.
 */
describe('matching a conversation once', () => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 12 });
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  const keyOf = async (call: string) =>
    tdb
      .db('calls')
      .where({ id: call })
      .first<{ match_key: string | null; match_outcome: string | null }>('match_key', 'match_outcome');

  it('a second match of an unchanged conversation reuses the first: no lookup, nothing written', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Once Bakery', '(415) 555-0301');
    const call = await createCall(db, account, { externalNumber: '+14155550301' });

    const first = await matchCallToRecord(db, call);
    expect(first).toMatchObject({
      outcome: 'linked',
      link: { type: 'customer', id: customer, method: 'auto' },
      changed: true,
      reused: false,
      communications: { added: 1, updated: 0, removed: 0 },
    });
    const row = await callLink(db, call);
    const history = await historyOfCall(db, call);
    const stored = await keyOf(call);
    expect(stored.match_outcome).toBe('linked');
    expect(stored.match_key).toMatch(/^[\w-]+\.[\w-]+$/);

    // The records change behind the call's back: a lookup would unlink it. The second run does not
    // look: it returns the first outcome and the link as it stands.
    await db('customers').where({ id: customer }).update({ phone: null });
    const second = await matchCallToRecord(db, call);
    expect(second).toMatchObject({
      outcome: 'linked',
      link: { type: 'customer', id: customer, method: 'auto' },
      needsReview: false,
      changed: false,
      reused: true,
      communications: { added: 0, updated: 0, removed: 0 },
    });
    expect(await callLink(db, call)).toEqual(row); // updated_at included
    expect(await historyOfCall(db, call)).toEqual(history); // updated_at included
    expect(await keyOf(call)).toEqual(stored);

    // `force` (retro-matching, a rematch) looks the records up whatever the key says.
    const forced = await matchCallToRecord(db, call, { force: true });
    expect(forced).toMatchObject({ outcome: 'standalone', link: null, changed: true, reused: false });
    expect(await historyOfCall(db, call)).toEqual([]);
  });

  it('ten legs asking at once: one lookup, nine reuse it', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Ten Legs Ltd', '+1 415 555 0302');
    const call = await createCall(db, account, { externalNumber: '+14155550302' });

    const results = await Promise.all(Array.from({ length: 10 }, () => matchCallToRecord(db, call)));

    expect(results.filter((r) => !r.reused)).toHaveLength(1);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    for (const r of results) {
      expect(r).toMatchObject({ outcome: 'linked', link: { type: 'customer', id: customer, method: 'auto' } });
    }
    expect(await historyOfCall(db, call)).toHaveLength(1);
  });

  it('matches again when a later leg brings the external number', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Late Number Co', '415-555-0303');
    const call = await createCall(db, account, { externalNumber: null });

    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'no_number', reused: false });
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'no_number', reused: true });

    // As the leg fold writes it when an event carrying the number is folded in.
    await db('calls').where({ id: call }).update({ external_number: '+14155550303' });
    expect(await matchCallToRecord(db, call)).toMatchObject({
      outcome: 'linked',
      link: { type: 'customer', id: customer, method: 'auto' },
      reused: false,
      changed: true,
    });
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'linked', reused: true });
  });

  it('matches again when the call turns out internal, or moves to another account', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const other = await createAccount(db, { name: 'Other' });
    await createCustomer(db, account, 'First Account Customer', '+1 415 555 0304');
    const otherSupplier = await createSupplier(db, other, 'Other Account Supplier', '+1 415 555 0304');
    const call = await createCall(db, account, { externalNumber: '+14155550304' });

    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'linked', link: { type: 'customer' } });
    await db('calls').where({ id: call }).update({ account_id: other });
    expect(await matchCallToRecord(db, call)).toMatchObject({
      outcome: 'linked',
      link: { type: 'supplier', id: otherSupplier },
      reused: false,
    });
    await db('calls').where({ id: call }).update({ is_internal: true });
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'internal', link: null, reused: false });
    expect(await historyOfCall(db, call)).toEqual([]);
  });

  it('a later status or talk time rewrites the history line without a lookup', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    await createCustomer(db, account, 'Status Co', '+1 415 555 0305');
    const call = await createCall(db, account, {
      externalNumber: '+14155550305',
      status: 'in_progress',
      durationSeconds: 0,
    });
    await matchCallToRecord(db, call);
    const linkBefore = await callLink(db, call);
    expect((await historyOfCall(db, call))[0]?.summary).toBe('Inbound call: in progress');

    // The leg fold, as the answered leg ends.
    await db('calls').where({ id: call }).update({ status: 'answered', duration_seconds: 245 });
    expect(await matchCallToRecord(db, call)).toMatchObject({
      outcome: 'linked',
      reused: true,
      communications: { added: 0, updated: 1, removed: 0 },
    });
    expect((await historyOfCall(db, call))[0]?.summary).toBe('Inbound call: answered, 4m 05s');
    expect(await callLink(db, call)).toEqual(linkBefore);
    expect(await matchCallToRecord(db, call)).toMatchObject({
      reused: true,
      communications: { added: 0, updated: 0, removed: 0 },
    });
  });

  it("never overrides a person's link: the next match sees it changed and leaves it; a rematch looks up again", async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Auto Pick', '+1 415 555 0306');
    const contact = await createContact(db, account, { firstName: 'Per', lastName: 'Son' });
    const call = await createCall(db, account, { externalNumber: '+14155550306' });
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'linked', link: { id: customer } });

    await linkCallManually(db, { callId: call, entityType: 'contact', entityId: contact });
    expect(await matchCallToRecord(db, call)).toMatchObject({
      outcome: 'manual',
      link: { type: 'contact', id: contact, method: 'manual' },
      reused: false,
    });
    expect(await matchCallToRecord(db, call)).toMatchObject({
      outcome: 'manual',
      link: { type: 'contact', id: contact, method: 'manual' },
      reused: true,
    });
    expect(await callLink(db, call)).toMatchObject({ linked_entity_id: contact, link_method: 'manual' });

    expect(await rematchCall(db, call)).toMatchObject({ outcome: 'linked', link: { id: customer }, reused: false });
  });

  it('retro-matching still links a stand-alone call once its number is added to a record', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const call = await createCall(db, account, { externalNumber: '+14155550307' });
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'standalone', reused: false });
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'standalone', reused: true });

    const supplier = await createSupplier(db, account, 'Retro Supplier', '(415) 555-0307');
    // Without retro-matching a later run reuses the stand-alone outcome: the call did not change.
    expect(await matchCallToRecord(db, call)).toMatchObject({ outcome: 'standalone', reused: true });

    const retro = await retroMatchRecord(db, { accountId: account, entityType: 'supplier', entityId: supplier });
    expect(retro).toMatchObject({ examined: 1, linked: 1, changedCallIds: [call] });
    expect(await callLink(db, call)).toMatchObject({ linked_entity_type: 'supplier', linked_entity_id: supplier });
    expect((await historyOfCall(db, call)).map((h) => h.entity_id)).toEqual([supplier]);
    // And what retro-matching stored is what the next run reuses.
    expect(await matchCallToRecord(db, call)).toMatchObject({
      outcome: 'linked',
      link: { type: 'supplier', id: supplier },
      reused: true,
    });
  });
});
