import {
  decideLink,
  describeCall,
  linkCallManually,
  matchCallToRecord,
  rankCandidates,
  rematchCall,
  syncCallCommunications,
  unlinkCall,
  CallNotFoundError,
  type RankedCandidate,
} from '../../src/matching';
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

describe('matchCallToRecord', () => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  it("links a call to the customer whose profile has the number, as typed '(415) 555-0142' in a US account", async () => {
    const db = tdb.db;
    const account = await createAccount(db, { region: 'US' });
    const customer = await createCustomer(db, account, 'Bayview Bakery', '(415) 555-0142');
    const call = await createCall(db, account, { externalNumber: '+14155550142', durationSeconds: 245 });

    // The number was typed a moment ago and is still pending: matching normalises it first.
    const result = await matchCallToRecord(db, call);

    expect(result).toMatchObject({
      outcome: 'linked',
      link: { type: 'customer', id: customer, method: 'auto' },
      needsReview: false,
      candidates: [{ type: 'customer', id: customer, name: 'Bayview Bakery' }],
      changed: true,
      communications: { added: 1, updated: 0, removed: 0 },
    });
    expect(await callLink(db, call)).toMatchObject({
      linked_entity_type: 'customer',
      linked_entity_id: customer,
      link_method: 'auto',
      needs_review: false,
      match_candidates: null,
    });
    const history = await historyOfCall(db, call);
    expect(history).toEqual([
      expect.objectContaining({
        entity_type: 'customer',
        entity_id: customer,
        via_contact_id: null,
        summary: 'Inbound call: answered, 4m 05s',
      }),
    ]);
  });

  it('is idempotent: a second run changes nothing, not even updated_at', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    await createCustomer(db, account, 'Idem Co', '+1 415 555 0143');
    const call = await createCall(db, account, { externalNumber: '+14155550143' });
    await matchCallToRecord(db, call);
    const before = await callLink(db, call);
    const historyBefore = await historyOfCall(db, call);

    const again = await matchCallToRecord(db, call);

    expect(again.changed).toBe(false);
    expect(again.communications).toEqual({ added: 0, updated: 0, removed: 0 });
    expect(await callLink(db, call)).toEqual(before);
    expect(await historyOfCall(db, call)).toEqual(historyBefore);
  });

  it("links a contact's number to the contact and shows the call in its customer's history too", async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Harbor Freight Lines', '(415) 555-0100');
    const contact = await createContact(db, account, {
      firstName: 'Ann',
      lastName: 'Lee',
      phone: '415.555.0144',
      customerId: customer,
    });
    const call = await createCall(db, account, {
      externalNumber: '+14155550144',
      status: 'missed',
      durationSeconds: 0,
    });

    const result = await matchCallToRecord(db, call);

    expect(result.outcome).toBe('linked');
    expect(result.link).toEqual({ type: 'contact', id: contact, method: 'auto' });
    const history = await historyOfCall(db, call);
    expect(history.map((h) => [h.entity_type, h.entity_id, h.via_contact_id, h.summary])).toEqual(
      [
        ['contact', contact, null, 'Inbound call: missed'],
        ['customer', customer, contact, 'Inbound call with Ann Lee: missed'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it("links a supplier's UK number stored as '020 7946 0958' in a GB account", async () => {
    const db = tdb.db;
    const account = await createAccount(db, { region: 'GB' });
    const supplier = await createSupplier(db, account, 'Thames Packaging Ltd', '020 7946 0958');
    const call = await createCall(db, account, { externalNumber: '+442079460958', direction: 'outbound' });

    const result = await matchCallToRecord(db, call);

    expect(result.link).toEqual({ type: 'supplier', id: supplier, method: 'auto' });
    expect((await historyOfCall(db, call)).map((h) => h.entity_id)).toEqual([supplier]);
  });

  it('follows the product order: a customer before a contact before a supplier, without review', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const supplier = await createSupplier(db, account, 'Shared Supplier', '+1 415 555 0145');
    const contact = await createContact(db, account, { firstName: 'Bo', lastName: 'Ng', phone: '+1 415 555 0145' });
    const callA = await createCall(db, account, { externalNumber: '+14155550145' });
    expect((await matchCallToRecord(db, callA)).link).toEqual({ type: 'contact', id: contact, method: 'auto' });

    const customer = await createCustomer(db, account, 'Shared Customer', '+1 415 555 0145');
    const callB = await createCall(db, account, { externalNumber: '+14155550145' });
    const result = await matchCallToRecord(db, callB);
    expect(result.link).toEqual({ type: 'customer', id: customer, method: 'auto' });
    expect(result.needsReview).toBe(false);
    expect(result.candidates.map((c) => c.type)).toEqual(['customer', 'contact', 'supplier']);
    expect(result.candidates.map((c) => c.id)).toEqual([customer, contact, supplier]);
  });

  it('flags a number shared by two customers for review, links one by rule and lists every candidate', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const older = await createCustomer(db, account, 'North Shore Dental', '(415) 555-0146');
    const newer = await createCustomer(db, account, 'North Shore Dental (old record)', '415-555-0146');
    await db('customers')
      .where({ id: older })
      .update({ updated_at: new Date(Date.now() - 86_400_000) });
    const call = await createCall(db, account, { externalNumber: '+14155550146' });

    const result = await matchCallToRecord(db, call);

    // Rule: most recently updated record first.
    expect(result).toMatchObject({
      outcome: 'needs_review',
      link: { type: 'customer', id: newer, method: 'auto' },
      needsReview: true,
    });
    const row = await callLink(db, call);
    expect(row.needs_review).toBe(true);
    expect(row.match_candidates).toEqual([
      { type: 'customer', id: newer, name: 'North Shore Dental (old record)' },
      { type: 'customer', id: older, name: 'North Shore Dental' },
    ]);
    expect((await historyOfCall(db, call)).map((h) => h.entity_id)).toEqual([newer]);
    expect((await matchCallToRecord(db, call)).changed).toBe(false);
  });

  it('remembers the record a person picks for a shared number and links later calls from it by itself', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const a = await createCustomer(db, account, 'Twin A', '+1 415 555 0147');
    const b = await createCustomer(db, account, 'Twin B', '+1 415 555 0147');
    const first = await createCall(db, account, { externalNumber: '+14155550147' });
    const waiting = await createCall(db, account, { externalNumber: '+14155550147' });
    await matchCallToRecord(db, first);
    await matchCallToRecord(db, waiting);
    const picked = (await callLink(db, first)).linked_entity_id === a ? b : a;

    const linked = await linkCallManually(db, { callId: first, entityType: 'customer', entityId: picked });

    expect(linked.rememberedForNumber).toBe(true);
    expect(linked.relinkedCallIds).toEqual([waiting]);
    expect(await callLink(db, first)).toMatchObject({
      linked_entity_id: picked,
      link_method: 'manual',
      needs_review: false,
    });
    // The number's other call waiting for review follows the answer.
    expect(await callLink(db, waiting)).toMatchObject({
      linked_entity_id: picked,
      link_method: 'remembered',
      needs_review: false,
    });

    const later = await createCall(db, account, { externalNumber: '+14155550147' });
    const result = await matchCallToRecord(db, later);
    expect(result).toMatchObject({
      outcome: 'remembered',
      link: { type: 'customer', id: picked, method: 'remembered' },
      needsReview: false,
    });
    expect((await historyOfCall(db, later)).map((h) => h.entity_id)).toEqual([picked]);
    expect((await matchCallToRecord(db, later)).changed).toBe(false);

    // The pick no longer applies once its record has lost the number.
    await db('customers').where({ id: picked }).update({ phone: null });
    const afterwards = await createCall(db, account, { externalNumber: '+14155550147' });
    expect((await matchCallToRecord(db, afterwards)).link).toEqual({
      type: 'customer',
      id: picked === a ? b : a,
      method: 'auto',
    });
  });

  it('does not remember a link to a record that does not share the number', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const holder = await createCustomer(db, account, 'Holder', '+1 415 555 0148');
    const other = await createCustomer(db, account, 'Someone else');
    const call = await createCall(db, account, { externalNumber: '+14155550148' });
    await matchCallToRecord(db, call);

    const linked = await linkCallManually(db, { callId: call, entityType: 'customer', entityId: other });

    expect(linked.rememberedForNumber).toBe(false);
    const next = await createCall(db, account, { externalNumber: '+14155550148' });
    expect((await matchCallToRecord(db, next)).link?.id).toBe(holder);
    expect(await db('phone_match_choices').where({ account_id: account })).toEqual([]);
  });

  it("never overrides a person's link, and re-linking moves the history", async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Auto Match Inc', '+1 415 555 0149');
    const manager = await createCustomer(db, account, 'Parent Holding');
    const contact = await createContact(db, account, {
      firstName: 'Cy',
      lastName: 'Park',
      customerId: manager,
    });
    const call = await createCall(db, account, { externalNumber: '+14155550149' });
    await matchCallToRecord(db, call);
    expect((await historyOfCall(db, call)).map((h) => h.entity_id)).toEqual([customer]);

    await linkCallManually(db, { callId: call, entityType: 'contact', entityId: contact });
    const moved = await historyOfCall(db, call);
    expect(moved.map((h) => [h.entity_type, h.entity_id, h.via_contact_id])).toEqual([
      ['contact', contact, null],
      ['customer', manager, contact],
    ]);

    const again = await matchCallToRecord(db, call);
    expect(again).toMatchObject({ outcome: 'manual', changed: false, link: { id: contact, method: 'manual' } });
    expect(await historyOfCall(db, call)).toEqual(moved);
  });

  it('unlinking removes the history entries and keeps the call stand-alone until re-matched', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Unlink Me', '+1 415 555 0150');
    const call = await createCall(db, account, { externalNumber: '+14155550150' });
    await matchCallToRecord(db, call);

    const unlinked = await unlinkCall(db, call);

    expect(unlinked.communications).toEqual({ added: 0, updated: 0, removed: 1 });
    expect(await historyOfCall(db, call)).toEqual([]);
    expect(await callLink(db, call)).toMatchObject({
      linked_entity_id: null,
      link_method: 'manual',
      needs_review: false,
    });
    expect((await matchCallToRecord(db, call)).outcome).toBe('manual');
    expect((await callLink(db, call)).linked_entity_id).toBeNull();

    const rematched = await rematchCall(db, call);
    expect(rematched.link).toEqual({ type: 'customer', id: customer, method: 'auto' });
    expect((await historyOfCall(db, call)).map((h) => h.entity_id)).toEqual([customer]);
  });

  it('never matches an internal call, and removes an automatic link once a call turns out internal', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    await createCustomer(db, account, 'Looks Internal', '+1 415 555 0151');
    const internal = await createCall(db, account, { externalNumber: '+14155550151', isInternal: true });
    expect(await matchCallToRecord(db, internal)).toMatchObject({ outcome: 'internal', link: null, changed: false });
    expect(await historyOfCall(db, internal)).toEqual([]);

    const later = await createCall(db, account, { externalNumber: '+14155550151' });
    await matchCallToRecord(db, later);
    expect(await historyOfCall(db, later)).toHaveLength(1);
    await db('calls').where({ id: later }).update({ is_internal: true });
    expect(await matchCallToRecord(db, later)).toMatchObject({ outcome: 'internal', link: null, changed: true });
    expect(await historyOfCall(db, later)).toEqual([]);
  });

  it('leaves a call stand-alone when no record has its number, or it has no number', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const unknown = await createCall(db, account, { externalNumber: '+14155550152' });
    expect(await matchCallToRecord(db, unknown)).toMatchObject({ outcome: 'standalone', link: null, changed: false });
    const anonymous = await createCall(db, account, { externalNumber: null });
    expect(await matchCallToRecord(db, anonymous)).toMatchObject({ outcome: 'no_number', link: null });
  });

  it("only matches records of the call's own account, and never an unreadable number", async () => {
    const db = tdb.db;
    const mine = await createAccount(db);
    const theirs = await createAccount(db);
    await createCustomer(db, theirs, 'Other Account Customer', '+1 415 555 0153');
    await createCustomer(db, mine, 'Typo Customer', 'call me maybe');
    const call = await createCall(db, mine, { externalNumber: '+14155550153' });
    expect((await matchCallToRecord(db, call)).outcome).toBe('standalone');
  });

  it('matches a manually logged call that has a number', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const supplier = await createSupplier(db, account, 'Manual Supplies', '(415) 555-0154');
    const call = await createCall(db, account, {
      source: 'manual',
      externalNumber: '+14155550154',
      direction: 'outbound',
      durationSeconds: 60,
    });
    expect((await matchCallToRecord(db, call)).link).toEqual({ type: 'supplier', id: supplier, method: 'auto' });
    expect((await historyOfCall(db, call))[0]?.summary).toBe('Outbound call (logged manually): answered, 1m 00s');
  });

  it('throws CallNotFoundError for an unknown call', async () => {
    await expect(matchCallToRecord(tdb.db, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      CallNotFoundError,
    );
  });
});

describe('syncCallCommunications', () => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });

  afterAll(async () => {
    await tdb?.drop();
  });

  it('follows the call: a later start, status or duration rewrites the entry; nothing else is written', async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const customer = await createCustomer(db, account, 'Timeline Co', '+1 415 555 0155');
    const call = await createCall(db, account, {
      externalNumber: '+14155550155',
      status: 'in_progress',
      durationSeconds: 0,
    });
    await matchCallToRecord(db, call);
    expect((await historyOfCall(db, call))[0]?.summary).toBe('Inbound call: in progress');

    const startedAt = new Date('2026-11-20T09:30:00.000Z');
    await db('calls').where({ id: call }).update({ status: 'answered', duration_seconds: 3725, started_at: startedAt });
    expect(await syncCallCommunications(db, call)).toEqual({ added: 0, updated: 1, removed: 0 });
    const [entry] = await historyOfCall(db, call);
    expect(entry).toMatchObject({
      entity_id: customer,
      summary: 'Inbound call: answered, 1h 02m 05s',
      occurred_at: startedAt,
    });
    expect(await syncCallCommunications(db, call)).toEqual({ added: 0, updated: 0, removed: 0 });
  });

  it("moves the customer's entry when the linked contact moves to another customer", async () => {
    const db = tdb.db;
    const account = await createAccount(db);
    const first = await createCustomer(db, account, 'First Employer');
    const second = await createCustomer(db, account, 'Second Employer');
    const contact = await createContact(db, account, {
      firstName: 'Di',
      lastName: 'Ro',
      phone: '+1 415 555 0156',
      customerId: first,
    });
    const call = await createCall(db, account, { externalNumber: '+14155550156' });
    await matchCallToRecord(db, call);
    await db('contacts').where({ id: contact }).update({ customer_id: second });

    expect(await syncCallCommunications(db, call)).toEqual({ added: 1, updated: 0, removed: 1 });
    expect((await historyOfCall(db, call)).map((h) => h.entity_id).sort()).toEqual([contact, second].sort());
  });
});

describe('the matching rule', () => {
  const at = (iso: string) => new Date(iso);
  const candidate = (over: Partial<RankedCandidate>): RankedCandidate => ({
    type: 'customer',
    id: '00000000-0000-4000-8000-000000000001',
    name: 'X',
    isPrimary: true,
    recordUpdatedAt: at('2026-01-01T00:00:00Z'),
    ...over,
  });

  it('orders by kind, then own phone before an additional number, then most recently updated, then lowest id', () => {
    const ranked = rankCandidates([
      candidate({ id: 's', type: 'supplier' }),
      candidate({ id: 'c3', isPrimary: false, recordUpdatedAt: at('2026-06-01T00:00:00Z') }),
      candidate({ id: 'k', type: 'contact' }),
      candidate({ id: 'c2', recordUpdatedAt: at('2026-03-01T00:00:00Z') }),
      candidate({ id: 'c1b', recordUpdatedAt: at('2026-02-01T00:00:00Z') }),
      candidate({ id: 'c1a', recordUpdatedAt: at('2026-02-01T00:00:00Z') }),
    ]);
    expect(ranked.map((c) => c.id)).toEqual(['c2', 'c1a', 'c1b', 'c3', 'k', 's']);
  });

  it('needs review only when the first kind is shared; a remembered pick wins while its record holds the number', () => {
    const customer = candidate({ id: 'cu' });
    const contactA = candidate({ id: 'ka', type: 'contact' });
    const contactB = candidate({ id: 'kb', type: 'contact' });
    expect(decideLink([])).toEqual({ outcome: 'standalone', link: null, needsReview: false, matchCandidates: null });
    expect(decideLink([customer, contactA, contactB])).toMatchObject({ outcome: 'linked', needsReview: false });
    expect(decideLink([contactA, contactB])).toMatchObject({
      outcome: 'needs_review',
      link: { id: 'ka' },
      needsReview: true,
      matchCandidates: [
        { type: 'contact', id: 'ka', name: 'X' },
        { type: 'contact', id: 'kb', name: 'X' },
      ],
    });
    const choice = { accountId: 'a', e164: '+14155550100', entityType: 'contact' as const, entityId: 'kb' };
    expect(decideLink([contactA, contactB], choice)).toMatchObject({
      outcome: 'remembered',
      link: { id: 'kb', method: 'remembered' },
      needsReview: false,
    });
    expect(decideLink([customer], choice)).toMatchObject({ outcome: 'linked', link: { id: 'cu' } });
  });

  it('describes a call in one line without its number', () => {
    expect(describeCall({ direction: 'inbound', status: 'voicemail', duration_seconds: 0, source: 'dialpad' })).toBe(
      'Inbound call: voicemail',
    );
    expect(
      describeCall({ direction: 'outbound', status: 'no_answer', duration_seconds: null, source: 'dialpad' }, 'Ann'),
    ).toBe('Outbound call with Ann: not answered');
    expect(describeCall({ direction: 'inbound', status: 'answered', duration_seconds: 42, source: 'dialpad' })).toBe(
      'Inbound call: answered, 42s',
    );
  });
});
