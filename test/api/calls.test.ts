import { matchCallToRecord } from '../../src/matching';
import { createAccount, createCall, createCustomer, createSupplier, historyOfCall } from '../matching/support';
import { startApi, type ApiHarness } from './support';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('calls API', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApi();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('GET /api/accounts/:accountId/calls', () => {
    it('lists calls newest first in camelCase, page by page with a cursor', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const customer = await createCustomer(db, account, 'Listed Customer', '+1 415 555 0160');
      const base = Date.parse('2026-11-01T10:00:00Z');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          await createCall(db, account, { externalNumber: '+14155550160', startedAt: new Date(base + i * 60_000) }),
        );
      }
      // Two calls in the same millisecond, apart by microseconds only: the cursor must not skip either.
      for (const micros of ['10:30:00.123456', '10:30:00.123789']) {
        const id = await createCall(db, account, { externalNumber: null });
        await db('calls')
          .where({ id })
          .update({ started_at: db.raw('?::timestamptz', [`2026-11-01T${micros}Z`]) });
        ids.push(id);
      }
      for (const id of ids.slice(0, 5)) await matchCallToRecord(db, id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await h.api({
          method: 'GET',
          url: `/api/accounts/${account}/calls?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        });
        expect(res.statusCode).toBe(200);
        const body = res.json<{ items: { id: string }[]; nextCursor: string | null }>();
        seen.push(...body.items.map((c) => c.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(4);
      expect(seen).toEqual([ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]);

      const first = (
        await h.api({ method: 'GET', url: `/api/accounts/${account}/calls?limit=1&standalone=false` })
      ).json<{
        items: Record<string, unknown>[];
      }>().items[0];
      expect(first).toEqual({
        id: ids[4],
        accountId: account,
        source: 'dialpad',
        dialpadCallId: expect.stringMatching(/^\d{16}$/),
        direction: 'inbound',
        status: 'answered',
        isInternal: false,
        externalNumber: '+14155550160',
        internalNumber: null,
        startedAt: new Date(base + 4 * 60_000).toISOString(),
        endedAt: new Date(base + 4 * 60_000 + 125_000).toISOString(),
        durationSeconds: 125,
        notes: null,
        answeredByName: null,
        dialpadGroupType: null,
        dialpadGroupName: null,
        link: { entityType: 'customer', entityId: customer, name: 'Listed Customer', method: 'auto' },
        linkMethod: 'auto',
        needsReview: false,
        matchCandidates: [],
        aiSummary: null,
        sentiment: null,
        churnRisk: null,
        themes: null,
        resolved: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(Object.keys(first ?? {}).some((k) => k.includes('_'))).toBe(false);
    });

    it('filters by stand-alone, review, linked record and time', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      await createCustomer(db, account, 'Shared A', '+1 415 555 0161');
      await createCustomer(db, account, 'Shared B', '+1 415 555 0161');
      const supplier = await createSupplier(db, account, 'Filter Supplier', '+1 415 555 0162');
      const review = await createCall(db, account, {
        externalNumber: '+14155550161',
        startedAt: new Date('2026-11-02T09:00:00Z'),
      });
      const supplied = await createCall(db, account, {
        externalNumber: '+14155550162',
        startedAt: new Date('2026-11-03T09:00:00Z'),
      });
      const lonely = await createCall(db, account, {
        externalNumber: '+14155550163',
        startedAt: new Date('2026-11-04T09:00:00Z'),
      });
      await createCall(db, account, { externalNumber: '+14155550163', isInternal: true });
      for (const id of [review, supplied, lonely]) await matchCallToRecord(db, id);

      const list = async (query: string) => {
        const res = await h.api({ method: 'GET', url: `/api/accounts/${account}/calls?${query}` });
        expect(res.statusCode).toBe(200);
        return res.json<{ items: { id: string }[] }>().items.map((c) => c.id);
      };
      expect(await list('standalone=true')).toEqual([lonely]);
      expect(await list('needsReview=true')).toEqual([review]);
      expect(await list(`entityType=supplier&entityId=${supplier}`)).toEqual([supplied]);
      expect(await list('entityType=customer')).toEqual([review]);
      const { linked_entity_id: ruled } = await db('calls').where({ id: review }).first('linked_entity_id');
      expect(await list(`entityId=${ruled}`)).toEqual([review]);
      expect(await list('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z')).toEqual([supplied]);

      const reviewItem = (await h.api({ method: 'GET', url: `/api/accounts/${account}/calls?needsReview=true` })).json<{
        items: { matchCandidates: { entityId: string; name: string }[] }[];
      }>().items[0];
      expect(reviewItem?.matchCandidates.map((c) => c.name).sort()).toEqual(['Shared A', 'Shared B']);
    });

    it('names the field of a bad filter and answers 404 for an unknown account', async () => {
      const account = await createAccount(h.tdb.db);
      const bad = async (query: string) => {
        const res = await h.api({ method: 'GET', url: `/api/accounts/${account}/calls?${query}` });
        expect(res.statusCode).toBe(400);
        return res.json<{ error: string; message: string; field: string }>();
      };
      expect(await bad('limit=0')).toEqual({
        error: 'validation_error',
        message: 'limit: must be >= 1',
        field: 'limit',
      });
      expect((await bad('limit=500')).field).toBe('limit');
      expect(await bad('entityType=vendor')).toMatchObject({
        field: 'entityType',
        message: 'entityType: must be one of customer, contact, supplier',
      });
      expect((await bad('from=yesterday')).message).toMatch(/^from: must be an ISO 8601 date-time/);
      expect((await bad('standalone=maybe')).field).toBe('standalone');
      expect((await bad('cursor=garbage')).field).toBe('cursor');
      const notUuid = await h.api({ method: 'GET', url: '/api/accounts/not-a-uuid/calls' });
      expect(notUuid.statusCode).toBe(400);
      expect(notUuid.json()).toMatchObject({ field: 'accountId' });

      const missing = await h.api({ method: 'GET', url: `/api/accounts/${MISSING}/calls` });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error: 'not_found', message: `no account with id ${MISSING}` });
    });
  });

  describe('GET /api/calls/:id', () => {
    it('returns the call with its legs and Ai fields', async () => {
      const db = h.tdb.db;
      const account = await createAccount(db);
      const call = await createCall(db, account, { externalNumber: '+14155550164' });
      await db('calls')
        .where({ id: call })
        .update({
          ai_summary: 'Customer asked about a late delivery; agent rebooked it.',
          transcript: 'Caller: my order is late\nAgent: I will rebook it',
          sentiment: 'negative',
          churn_risk: 'medium',
          churn_reasons: JSON.stringify(['repeat complaint']),
          themes: JSON.stringify(['late delivery', 'rebooking']),
          resolved: true,
          ai_outcome: 'Delivery rebooked',
          ai_purposes: JSON.stringify(['Delivery status']),
          ai_action_items: JSON.stringify(['Send confirmation email']),
          ai_sources: JSON.stringify({
            sentiment: 'derived',
            churnRisk: 'derived',
            themes: 'derived',
            resolved: 'dialpad',
          }),
        });
      const { dialpad_call_id: entryLeg } = await db('calls').where({ id: call }).first('dialpad_call_id');
      await db('dialpad_call_legs').insert([
        {
          call_id: entryLeg,
          call_row_id: call,
          account_id: account,
          state: 'hangup',
          direction: 'inbound',
          external_number: '+14155550164',
          target_type: 'department',
          target_name: 'Support',
          date_started: new Date('2026-11-05T10:00:00Z'),
          date_ended: new Date('2026-11-05T10:00:20Z'),
        },
        {
          call_id: '6400000000000999',
          call_row_id: call,
          account_id: account,
          state: 'hangup',
          direction: 'inbound',
          entry_point_call_id: entryLeg,
          target_type: 'user',
          target_name: 'Sam Agent',
          date_started: new Date('2026-11-05T10:00:05Z'),
          date_connected: new Date('2026-11-05T10:00:08Z'),
          date_ended: new Date('2026-11-05T10:04:00Z'),
          talk_time_ms: 232_000,
        },
      ]);

      const res = await h.api({ method: 'GET', url: `/api/calls/${call}` });

      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        id: call,
        aiSummary: 'Customer asked about a late delivery; agent rebooked it.',
        transcript: 'Caller: my order is late\nAgent: I will rebook it',
        sentiment: 'negative',
        churnRisk: 'medium',
        churnReasons: ['repeat complaint'],
        themes: ['late delivery', 'rebooking'],
        resolved: true,
        aiOutcome: 'Delivery rebooked',
        aiPurposes: ['Delivery status'],
        aiActionItems: ['Send confirmation email'],
        aiSources: { sentiment: 'derived', churnRisk: 'derived', themes: 'derived', resolved: 'dialpad' },
      });
      expect(body.legs).toEqual([
        expect.objectContaining({
          callId: entryLeg,
          targetType: 'department',
          targetName: 'Support',
          talkTimeMs: null,
        }),
        expect.objectContaining({
          callId: '6400000000000999',
          entryPointCallId: entryLeg,
          targetName: 'Sam Agent',
          dateConnected: '2026-11-05T10:00:08.000Z',
          talkTimeMs: 232_000,
          isTransferred: false,
        }),
      ]);
    });

    it('answers 404 for an unknown call and 400 for an id that is not a uuid', async () => {
      const missing = await h.api({ method: 'GET', url: `/api/calls/${MISSING}` });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error: 'not_found', message: `no call with id ${MISSING}` });
      const bad = await h.api({ method: 'GET', url: '/api/calls/12345' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ field: 'id', message: 'id: must be a valid uuid' });
    });
  });

  describe('POST /api/accounts/:accountId/calls (manual logging)', () => {
    const log = (account: string, payload: Record<string, unknown>) =>
      h.api({ method: 'POST', url: `/api/accounts/${account}/calls`, payload });

    it("stores a manual call, reads the number in the account's region and matches it at once", async () => {
      const db = h.tdb.db;
      const account = await createAccount(db, { region: 'GB' });
      const supplier = await createSupplier(db, account, 'Manual Link Ltd', '+44 20 7946 0100');

      const res = await log(account, {
        direction: 'outbound',
        durationSeconds: 312,
        occurredAt: '2026-11-06T14:05:00Z',
        number: '020 7946 0100',
        notes: 'Chased the overdue invoice.',
      });

      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.matchOutcome).toBe('linked');
      expect(body.call).toMatchObject({
        accountId: account,
        source: 'manual',
        dialpadCallId: null,
        direction: 'outbound',
        status: 'answered',
        externalNumber: '+442079460100',
        startedAt: '2026-11-06T14:05:00.000Z',
        endedAt: '2026-11-06T14:10:12.000Z',
        durationSeconds: 312,
        notes: 'Chased the overdue invoice.',
        link: { entityType: 'supplier', entityId: supplier, name: 'Manual Link Ltd', method: 'auto' },
        aiSummary: null,
        legs: [],
      });
      expect(await historyOfCall(db, body.call.id)).toEqual([
        expect.objectContaining({
          entity_id: supplier,
          summary: 'Outbound call (logged manually): answered, 5m 12s',
          occurred_at: new Date('2026-11-06T14:05:00Z'),
        }),
      ]);
    });

    it('logs a call without a number as stand-alone', async () => {
      const account = await createAccount(h.tdb.db);
      const res = await log(account, {
        direction: 'inbound',
        durationSeconds: 0,
        occurredAt: '2026-11-06T09:00:00Z',
        status: 'missed',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        matchOutcome: 'no_number',
        call: { status: 'missed', externalNumber: null, link: null },
      });
    });

    it('refuses Ai fields by name: they are Dialpad-only', async () => {
      const account = await createAccount(h.tdb.db);
      const valid = { direction: 'inbound', durationSeconds: 60, occurredAt: '2026-11-06T09:00:00Z' };
      for (const field of ['aiSummary', 'transcript', 'sentiment', 'churnRisk', 'themes', 'resolved', 'churn_risk']) {
        const res = await log(account, { ...valid, [field]: field === 'resolved' ? true : 'x' });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'validation_error', field });
        expect(res.json().message).toMatch(new RegExp(`^${field}: Ai fields are Dialpad-only`));
      }
      expect(await h.tdb.db('calls').where({ account_id: account })).toEqual([]);
    });

    it.each([
      [{ durationSeconds: 60, occurredAt: '2026-11-06T09:00:00Z' }, 'direction', 'direction: is required'],
      [
        { direction: 'sideways', durationSeconds: 60, occurredAt: '2026-11-06T09:00:00Z' },
        'direction',
        'direction: must be one of inbound, outbound',
      ],
      [
        { direction: 'inbound', durationSeconds: -1, occurredAt: '2026-11-06T09:00:00Z' },
        'durationSeconds',
        'durationSeconds: must be >= 0',
      ],
      [
        { direction: 'inbound', durationSeconds: 1.5, occurredAt: '2026-11-06T09:00:00Z' },
        'durationSeconds',
        'durationSeconds: must be integer',
      ],
      [{ direction: 'inbound', durationSeconds: 60 }, 'occurredAt', 'occurredAt: is required'],
      [
        { direction: 'inbound', durationSeconds: 60, occurredAt: '06/11/2026' },
        'occurredAt',
        'occurredAt: must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T10:15:00Z',
      ],
      [
        { direction: 'inbound', durationSeconds: 60, occurredAt: '2099-01-01T00:00:00Z' },
        'occurredAt',
        'occurredAt: is in the future; log a call once it has happened',
      ],
      [
        { direction: 'outbound', durationSeconds: 0, occurredAt: '2026-11-06T09:00:00Z', status: 'missed' },
        'status',
        "status: 'missed' is for inbound calls; an outbound call nobody answered is 'no_answer'",
      ],
      [
        { direction: 'inbound', durationSeconds: 0, occurredAt: '2026-11-06T09:00:00Z', status: 'in_progress' },
        'status',
        'status: must be one of answered, missed, voicemail, no_answer',
      ],
      [
        { direction: 'inbound', durationSeconds: 60, occurredAt: '2026-11-06T09:00:00Z', caller: 'Bob' },
        'caller',
        'caller: is not a field of a manual call (fields: direction, durationSeconds, occurredAt, status, notes, number)',
      ],
    ])('names the field of an invalid manual call (%j)', async (payload, field, message) => {
      const account = await createAccount(h.tdb.db);
      const res = await log(account, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'validation_error', field, message });
    });

    it('explains an unreadable number', async () => {
      const account = await createAccount(h.tdb.db, { region: 'GB' });
      const valid = { direction: 'inbound', durationSeconds: 60, occurredAt: '2026-11-06T09:00:00Z' };
      const garbled = await log(account, { ...valid, number: 'ring reception' });
      expect(garbled.statusCode).toBe(400);
      expect(garbled.json()).toMatchObject({ field: 'number' });
      expect(garbled.json().message).toMatch(/^number: could not be read as a phone number \(not_a_number\): /);
      const fictional = await log(account, { ...valid, number: '07700 900123' });
      expect(fictional.json().message).toMatch(/^number: could not be read as a phone number \(invalid\): .*GB/);
    });

    it('answers 404 for an unknown account', async () => {
      const res = await log(MISSING, { direction: 'inbound', durationSeconds: 1, occurredAt: '2026-11-06T09:00:00Z' });
      expect(res.statusCode).toBe(404);
    });
  });
});
