import { MockActivityEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { createCallActivities } from '../../activities/call-activities';
import { buildApp } from '../../src/app';
import type { CallEventSignal } from '../../workflows/shared/call-event';
import { claimsTextOf } from '../../src/ingress/claims-text';
import { DeliveryStore } from '../../src/ingress/delivery-repository';
import { parseDialpadJson } from '../../src/dialpad/json';
import { parseCallEvent } from '../../src/ingress/validate';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { example, signRaw } from '../support/signing';
import { testConfig } from '../support/temporal';

/**
 * Product bugs the reliability suite's hostile scenario found against docs/webhooks.md (a verified
 * body is refused only without a usable call_id or state, and what is accepted is stored), in the
 * minimal form of the requests that did it, kept so they stay fixed.
 */
const SECRET = 'test-webhook-secret-0123456789-abcdefgh';
const OFFICE = '5527348325810176';

describe('found by the hostile scenario', () => {
  let tdb: TestDatabase;
  let temporal: TemporalHandles;
  let app: FastifyInstance;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 4 });
    const config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE });
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await tdb?.drop();
  });

  const post = (body: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: body,
      headers: { 'content-type': 'application/jwt' },
    });
  /** An example event as JSON text, with overrides, and extra members written raw. */
  const eventText = (overrides: Record<string, unknown>, extra?: string) => {
    const text = JSON.stringify(example('hangup-answered-inbound', overrides));
    return extra ? `${text.slice(0, -1)},${extra}}` : text;
  };

  describe('a number with 16 or more digits after the decimal point', () => {
    // parseDialpadJson quotes every run of 16+ digits outside a string as a long id,
    // including the digits of a fraction: `4.3500000000000005` becomes `4."3500000000000005"`.
    it('is read as a number, not made invalid JSON', () => {
      expect(parseDialpadJson('{"mos_score":4.3500000000000005}')).toEqual({
        mos_score: 4.3500000000000005,
      });
      expect(parseDialpadJson('{"talk_time":-1.0000000000000027}')).toEqual({
        talk_time: -1.0000000000000027,
      });
    });

    it('in a verified event (CallProto mos_score 4.3500000000000005) is a 200, not a 400 "event is not valid JSON"', async () => {
      // A state not acted on, so the answer depends on nothing but reading the event.
      const text = eventText({ call_id: 6421977457190001, state: 'ringing', mos_score: 4.3500000000000005 });
      expect(text).toContain('"mos_score":4.3500000000000005');
      const body = await signRaw(text, SECRET);
      const res = await post(body);
      expect(res.json()).toEqual({ status: 'ignored', reason: 'state ringing is not acted on' });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('deeply nested JSON: the jsonb stack depth limit (54001), the recursion of storableClaimsText', () => {
    const DEPTH = 40_000; // the hostile scenario's `labels`; Postgres still parses 10,000
    const deep = `"labels":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

    it('a verified body without a call_id is a 400 and kept, not a 503', async () => {
      const body = await signRaw(`{"state":"hangup",${deep}}`, SECRET);
      const res = await post(body);
      expect(res.json()).toMatchObject({ error: 'malformed_payload' });
      expect(res.statusCode).toBe(400);
    });

    it('an accepted event is recorded (DeliveryStore.record, as the ingress and the call run both do)', async () => {
      const claimsText = eventText({ call_id: 6421977457190002 }, deep);
      const { event, leftOut } = parseCallEvent(parseDialpadJson(claimsText) as Record<string, unknown>);
      const recorded = await new DeliveryStore(tdb.db).record({
        event,
        officeId: OFFICE,
        accountId: null,
        verifiedWith: 'current',
        claimsText,
        leftOut,
      });
      expect(recorded.duplicate).toBe(false);
      // Kept as its exact text, which replay reads back.
      const row = await tdb
        .db('dialpad_webhook_deliveries')
        .where({ id: recorded.id })
        .first(tdb.db.raw('claims::text as text'));
      expect(claimsTextOf(row.text as string)).toBe(claimsText);
    });

    it('claims jsonb refuses (a NUL) nested 5,000 deep are made storable (storableClaimsText recurses: RangeError)', async () => {
      // Postgres parses 5,000 levels; the fallback that makes NUL storable walks them recursively
      // and overflows Node's stack from about 4,000 levels (seen in the scenario at 10,000).
      const nested = `"labels":${'['.repeat(5_000)}${']'.repeat(5_000)}`;
      const claimsText = eventText({ call_id: 6421977457190004, contact: { name: 'Jane\u0000Roe' } }, nested);
      const { event, leftOut } = parseCallEvent(parseDialpadJson(claimsText) as Record<string, unknown>);
      await expect(
        new DeliveryStore(tdb.db).record({
          event,
          officeId: OFFICE,
          accountId: null,
          verifiedWith: 'current',
          claimsText,
          leftOut,
        }),
      ).resolves.toMatchObject({ duplicate: false });
    });

    it('the call run records an event the ingress could not (recordCallEvent with `unrecorded`)', async () => {
      const claimsText = eventText({ call_id: 6421977457190003 }, deep);
      const { event, leftOut } = parseCallEvent(parseDialpadJson(claimsText) as Record<string, unknown>);
      const sig: CallEventSignal = {
        deliveryId: null,
        accountId: null,
        officeId: null,
        verifiedWith: 'current',
        event,
        unrecorded: { claimsText, leftOut },
      };
      const { recordCallEvent } = createCallActivities({ db: tdb.db });
      await expect(new MockActivityEnvironment().run(recordCallEvent, sig)).resolves.toMatchObject({
        unrouted: false,
      });
    });
  });
});
