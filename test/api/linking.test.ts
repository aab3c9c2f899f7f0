import { matchCallToRecord } from '../../src/matching';
import { normalizePendingPhoneNumbers } from '../../src/phone/pending';
import {
  callLink,
  createAccount,
  createCall,
  createContact,
  createCustomer,
  createSupplier,
  historyOfCall,
} from '../matching/support';
import { startApi, type ApiHarness } from './support';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('linking and history API', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi({ worker: true });
  });

  afterAll(async () => {
    await h?.close();
  });

  const link = (callId: string, payload: Record<string, unknown>) =>
    h.api({ method: 'PUT', url: `/api/calls/${callId}/link`, payload });

  describe('PUT and DELETE /api/calls/:id/link', () => {
    it('a person picks one of the customers sharing a number; the next call from it links by itself', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const a = await createCustomer(db, account, 'Pacific Tiles', '(415) 555-0170');
      const b = await createCustomer(db, account, 'Pacific Tiles & Stone', '415 555 0170');
      const call = await createCall(db, account, { externalNumber: '+14155550170' });
      await matchCallToRecord(db, call);

      const flagged = (await h.api({ method: 'GET', url: `/api/calls/${call}` })).json();
      expect(flagged.needsReview).toBe(true);
      expect(flagged.matchCandidates.map((c: { entityId: string }) => c.entityId).sort()).toEqual([a, b].sort());
      const other = flagged.link.entityId === a ? b : a;

      const res = await link(call, { entityType: 'customer', entityId: other });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        rememberedForNumber: true,
        relinkedCallIds: [],
        call: { id: call, needsReview: false, linkMethod: 'manual', link: { entityId: other, method: 'manual' } },
      });
      expect((await historyOfCall(db, call)).map((e) => e.entity_id)).toEqual([other]);

      const next = await createCall(db, account, { externalNumber: '+14155550170' });
      expect(await matchCallToRecord(db, next)).toMatchObject({
        outcome: 'remembered',
        needsReview: false,
        link: { type: 'customer', id: other, method: 'remembered' },
      });
      const listed = (await h.api({ method: 'GET', url: `/api/accounts/${account}/calls?needsReview=true` })).json<{
        items: unknown[];
      }>();
      expect(listed.items).toEqual([]);
    });

    it('re-linking moves the history; unlinking removes it and matching leaves the call stand-alone', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const customer = await createCustomer(db, account, 'Original Match', '+1 415 555 0171');
      const employer = await createCustomer(db, account, 'Employer Co');
      const contact = await createContact(db, account, { firstName: 'Gil', lastName: 'Tan', customerId: employer });
      const call = await createCall(db, account, { externalNumber: '+14155550171' });
      await matchCallToRecord(db, call);

      const moved = await link(call, { entityType: 'contact', entityId: contact });
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({
        rememberedForNumber: false,
        call: { link: { entityType: 'contact', entityId: contact, name: 'Gil Tan', method: 'manual' } },
      });
      expect((await historyOfCall(db, call)).map((e) => [e.entity_type, e.entity_id, e.via_contact_id])).toEqual([
        ['contact', contact, null],
        ['customer', employer, contact],
      ]);
      const customerHistory = await h.api({ method: 'GET', url: `/api/customers/${customer}/communications` });
      expect(customerHistory.json()).toEqual({ items: [], nextCursor: null });

      const unlinked = await h.api({ method: 'DELETE', url: `/api/calls/${call}/link` });
      expect(unlinked.statusCode).toBe(200);
      expect(unlinked.json().call).toMatchObject({ link: null, linkMethod: 'manual', needsReview: false });
      expect(await historyOfCall(db, call)).toEqual([]);
      expect((await matchCallToRecord(db, call)).link).toBeNull();
      const standalone = (await h.api({ method: 'GET', url: `/api/accounts/${account}/calls?standalone=true` })).json<{
        items: { id: string }[];
      }>();
      expect(standalone.items.map((c) => c.id)).toEqual([call]);

      const rematched = await h.api({ method: 'POST', url: `/api/calls/${call}/match` });
      expect(rematched.statusCode).toBe(200);
      expect(rematched.json()).toMatchObject({
        matchOutcome: 'linked',
        call: { link: { entityType: 'customer', entityId: customer, method: 'auto' } },
      });
    });

    it('names the missing or invalid field', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const call = await createCall(db, account, { externalNumber: '+14155550172' });
      const customer = await createCustomer(db, account, 'Valid');

      expect((await link(call, { entityId: customer })).json()).toEqual({
        error: 'validation_error',
        field: 'entityType',
        message: 'entityType: is required',
      });
      expect((await link(call, { entityType: 'customer' })).json()).toMatchObject({ field: 'entityId' });
      const wrongType = await link(call, { entityType: 'lead', entityId: customer });
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json()).toMatchObject({ message: 'entityType: must be one of customer, contact, supplier' });
      const badId = await link(call, { entityType: 'customer', entityId: 'abc' });
      expect(badId.statusCode).toBe(400);
      expect(badId.json()).toMatchObject({ field: 'entityId' });
    });

    it('refuses a record of another account (400), unknown records and calls (404) and internal calls (409)', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const elsewhere = await createAccount(db);
      const foreign = await createSupplier(db, elsewhere, 'Foreign Supplier');
      const call = await createCall(db, account, { externalNumber: '+14155550173' });

      const crossAccount = await link(call, { entityType: 'supplier', entityId: foreign });
      expect(crossAccount.statusCode).toBe(400);
      expect(crossAccount.json()).toMatchObject({ error: 'invalid_link', field: 'entityId' });
      expect(crossAccount.json().message).toMatch(/^entityId: .*another account/);

      const unknownRecord = await link(call, { entityType: 'customer', entityId: MISSING });
      expect(unknownRecord.statusCode).toBe(404);
      expect(unknownRecord.json()).toMatchObject({ error: 'not_found', message: `no customer with id ${MISSING}` });
      // A supplier's id is not a customer's.
      expect((await link(call, { entityType: 'customer', entityId: foreign })).statusCode).toBe(404);

      expect((await link(MISSING, { entityType: 'supplier', entityId: foreign })).statusCode).toBe(404);
      expect((await h.api({ method: 'DELETE', url: `/api/calls/${MISSING}/link` })).statusCode).toBe(404);
      expect((await h.api({ method: 'POST', url: `/api/calls/${MISSING}/match` })).statusCode).toBe(404);

      const internal = await createCall(db, account, { externalNumber: '+14155550173', isInternal: true });
      const mine = await createSupplier(db, account, 'Mine');
      const refused = await link(internal, { entityType: 'supplier', entityId: mine });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: 'conflict' });
      expect((await callLink(db, internal)).linked_entity_id).toBeNull();
      expect(await callLink(db, call)).toMatchObject({ linked_entity_id: null, link_method: null });
    });
  });

  describe('GET /api/:records/:id/communications', () => {
    it("shows a customer's calls, its contacts' calls and its emails, newest first, page by page", async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const customer = await createCustomer(db, account, 'Timeline Ltd', '+1 415 555 0174');
      const contact = await createContact(db, account, {
        firstName: 'Hal',
        lastName: 'Ode',
        phone: '+1 415 555 0175',
        customerId: customer,
      });
      const own = await createCall(db, account, {
        externalNumber: '+14155550174',
        startedAt: new Date('2026-11-10T09:00:00Z'),
      });
      const viaContact = await createCall(db, account, {
        externalNumber: '+14155550175',
        startedAt: new Date('2026-11-11T09:00:00Z'),
        direction: 'outbound',
        status: 'no_answer',
        durationSeconds: 0,
      });
      const internal = await createCall(db, account, { externalNumber: '+14155550174', isInternal: true });
      for (const id of [own, viaContact, internal]) await matchCallToRecord(db, id);
      const [email] = await db('communications')
        .insert({
          account_id: account,
          entity_type: 'customer',
          entity_id: customer,
          kind: 'email',
          email_id: '11111111-1111-4111-8111-111111111111',
          occurred_at: new Date('2026-11-10T12:00:00Z'),
          summary: 'Re: delivery window',
        })
        .returning('id');

      const first = await h.api({ method: 'GET', url: `/api/customers/${customer}/communications?limit=2` });
      expect(first.statusCode).toBe(200);
      const page1 = first.json();
      expect(page1.items).toEqual([
        {
          id: expect.any(String),
          kind: 'call',
          occurredAt: '2026-11-11T09:00:00.000Z',
          summary: 'Outbound call with Hal Ode: not answered',
          viaContactId: contact,
          emailId: null,
          smsId: null,
          call: expect.objectContaining({
            id: viaContact,
            direction: 'outbound',
            status: 'no_answer',
            link: { entityType: 'contact', entityId: contact, name: 'Hal Ode', method: 'auto' },
          }),
        },
        {
          id: (email as { id: string }).id,
          kind: 'email',
          occurredAt: '2026-11-10T12:00:00.000Z',
          summary: 'Re: delivery window',
          viaContactId: null,
          emailId: '11111111-1111-4111-8111-111111111111',
          smsId: null,
          call: null,
        },
      ]);
      expect(page1.nextCursor).toEqual(expect.any(String));

      const page2 = (
        await h.api({
          method: 'GET',
          url: `/api/customers/${customer}/communications?limit=2&cursor=${page1.nextCursor}`,
        })
      ).json();
      expect(page2.items.map((i: { call: { id: string } | null }) => i.call?.id)).toEqual([own]);
      expect(page2.nextCursor).toBeNull();

      const contactHistory = (await h.api({ method: 'GET', url: `/api/contacts/${contact}/communications` })).json();
      expect(contactHistory.items).toHaveLength(1);
      expect(contactHistory.items[0]).toMatchObject({ viaContactId: null, summary: 'Outbound call: not answered' });
    });

    it('answers 404 for an unknown record, and for a record id of another kind', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const supplier = await createSupplier(db, account, 'Kind Matters');
      expect((await h.api({ method: 'GET', url: `/api/suppliers/${supplier}/communications` })).statusCode).toBe(200);
      const wrongKind = await h.api({ method: 'GET', url: `/api/customers/${supplier}/communications` });
      expect(wrongKind.statusCode).toBe(404);
      expect(wrongKind.json()).toEqual({ error: 'not_found', message: `no customer with id ${supplier}` });
      expect((await h.api({ method: 'GET', url: `/api/contacts/${MISSING}/communications` })).statusCode).toBe(404);
      const badLimit = await h.api({ method: 'GET', url: `/api/suppliers/${supplier}/communications?limit=-3` });
      expect(badLimit.json()).toMatchObject({ field: 'limit' });
    });
  });

  describe('GET /api/accounts/:accountId/phone-numbers/unreadable', () => {
    it('lists every number that cannot be read, with its record and the reason, and nothing else', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db, { region: 'GB' });
      const other = await createAccount(db, { region: 'GB' });
      const customer = await createCustomer(db, account, 'Garbled Ltd', 'call me maybe');
      const contact = await createContact(db, account, { firstName: 'Ola', lastName: 'Nord', phone: '12' });
      await createSupplier(db, account, 'Readable Supplier', '020 7946 0958');
      await createCustomer(db, other, 'Elsewhere', 'not a number');
      // The normaliser runs before matching, on a retro-match, and in the sweep; here directly.
      await normalizePendingPhoneNumbers(db);

      const res = await h.api({ method: 'GET', url: `/api/accounts/${account}/phone-numbers/unreadable` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.total).toBe(2);
      expect(body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            entityType: 'customer',
            entityId: customer,
            name: 'Garbled Ltd',
            raw: 'call me maybe',
          }),
          expect.objectContaining({ entityType: 'contact', entityId: contact, name: 'Ola Nord', raw: '12' }),
        ]),
      );
      for (const item of body.items) expect(item.error).toEqual(expect.any(String));
      const missing = await h.api({ method: 'GET', url: `/api/accounts/${MISSING}/phone-numbers/unreadable` });
      expect(missing.statusCode).toBe(404);
    });
  });

  describe('POST /api/records/phone-numbers/changed', () => {
    const changed = (payload: Record<string, unknown>) =>
      h.api({ method: 'POST', url: '/api/records/phone-numbers/changed', payload });

    it('links a stand-alone call once its number is added to a supplier, and says what it linked', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db, { region: 'GB' });
      const call = await createCall(db, account, { externalNumber: '+442079460177' });
      await matchCallToRecord(db, call);
      const supplier = await createSupplier(db, account, 'Later Supplier');

      await db('suppliers').where({ id: supplier }).update({ phone: '020 7946 0177' });
      await db('record_phone_numbers').insert({
        account_id: account,
        entity_type: 'supplier',
        entity_id: supplier,
        raw: 'n/a',
        label: 'fax',
      });
      const res = await changed({ accountId: account, entityType: 'supplier', entityId: supplier });

      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ examined: 1, linked: 1, needsReview: 0, resolved: 0 });
      expect(body.numbers).toEqual([
        {
          raw: '020 7946 0177',
          label: null,
          isPrimary: true,
          e164: '+442079460177',
          extension: null,
          status: 'ok',
          error: null,
        },
        expect.objectContaining({ raw: 'n/a', label: 'fax', status: 'unreadable', error: expect.any(String) }),
      ]);
      expect(body.changedCalls).toEqual([
        expect.objectContaining({
          id: call,
          link: { entityType: 'supplier', entityId: supplier, name: 'Later Supplier', method: 'auto' },
        }),
      ]);
      expect((await historyOfCall(db, call)).map((e) => e.entity_id)).toEqual([supplier]);
      // It ran as a workflow ops can find in the Temporal UI.
      expect(body.workflowId).toMatch(new RegExp(`^navigator-retro-match-supplier-${supplier}-`));
      const run = await h.temporal.client.workflow.getHandle(body.workflowId).describe();
      expect(run).toMatchObject({ type: 'retroMatchRecordWorkflow', status: { name: 'COMPLETED' } });

      const again = await changed({ accountId: account, entityType: 'supplier', entityId: supplier });
      expect(again.json()).toMatchObject({ examined: 0, linked: 0, changedCalls: [] });
    });

    it('still links the calls when Temporal does not answer, by matching in the request', async () => {
      const offline = await startApi({ env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } });
      try {
        const db = offline.tdb.db;
        const account = await createAccount(db, { region: 'GB' });
        const call = await createCall(db, account, { externalNumber: '+442079460178' });
        await matchCallToRecord(db, call);
        const supplier = await createSupplier(db, account, 'Offline Supplier', '020 7946 0178');
        const res = await offline.api({
          method: 'POST',
          url: '/api/records/phone-numbers/changed',
          payload: { accountId: account, entityType: 'supplier', entityId: supplier },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ workflowId: null, examined: 1, linked: 1 });
        expect((await historyOfCall(db, call)).map((e) => e.entity_id)).toEqual([supplier]);
      } finally {
        await offline.close();
      }
    });

    it('names the invalid field and answers 404 for a record not in the account', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const elsewhere = await createAccount(db);
      const customer = await createCustomer(db, account, 'Numbered');

      const missingField = await changed({ accountId: account, entityType: 'customer' });
      expect(missingField.statusCode).toBe(400);
      expect(missingField.json()).toEqual({
        error: 'validation_error',
        field: 'entityId',
        message: 'entityId: is required',
      });
      expect((await changed({ accountId: account, entityType: 'client', entityId: customer })).json()).toMatchObject({
        field: 'entityType',
      });
      const wrongAccount = await changed({ accountId: elsewhere, entityType: 'customer', entityId: customer });
      expect(wrongAccount.statusCode).toBe(404);
      expect((await changed({ accountId: account, entityType: 'contact', entityId: customer })).statusCode).toBe(404);
    });
  });
});
