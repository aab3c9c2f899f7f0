import { ScheduleNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { ensureRetroMatchSweepSchedule, RETRO_MATCH_SWEEP_SCHEDULE_ID } from '../../src/schedules';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import type { CallWorkflowState } from '../../workflows';
import { legEvent, newDialpadId, toDialpadEvent } from '../support/legs';
import { signEvent } from '../support/signing';
import { requests, startSyncStack, type SyncStack } from '../sync/support';
import { createContact, createCustomer, createSupplier } from './support';
import { callWorkflowId } from '../../workflows/shared/ids';
import { taskQueuesOf } from '../../workflows/shared/task-queues';

/**
 * Issue 6 through the real stack: signed webhooks into the ingress, the call workflow on a real
 * worker and Temporal, matching in Postgres, the API for linking and history, and the Dialpad
 * simulator receiving the contact push-back.
 */
const SECRET = 'matching-e2e-secret-0123456789abcdef';
const API_TOKEN = 'api-token-matching-e2e-0123456789';

describe('matching calls to records, through the real stack', () => {
  let s: SyncStack;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let usAccount: string;
  let gbAccount: string;
  let gbOffice: string;

  beforeAll(async () => {
    s = await startSyncStack({
      sim: { seed: 'matching-e2e', size: { offices: 2, departments: 1, callCenters: 1, users: 6, contacts: 10 } },
      env: { DIALPAD_WEBHOOK_SECRET: SECRET, API_TOKEN, CALL_AI_WAIT_SECONDS: '1' },
    });
    usAccount = s.accountId;
    gbOffice = s.sim.state.company.offices[1]!.id;
    const [gb] = await s.tdb
      .db('accounts')
      .insert({ name: 'London Ltd', dialpad_office_id: gbOffice, default_region: 'GB' })
      .returning('id');
    gbAccount = (gb as { id: string }).id;
    temporal = createTemporalClient(s.config.temporal);
    app = await buildApp({ config: s.config, db: s.tdb.db, temporal, relay: { disabled: true } });
  });

  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await s?.close();
  });

  const db = () => s.tdb.db;
  const api = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${API_TOKEN}` }, ...(payload ? { payload } : {}) });

  /** An inbound call from `from` to `officeId`, delivered as Dialpad would, until its run ends. */
  async function callFrom(from: string, officeId = s.officeId) {
    const callId = newDialpadId();
    const now = Date.now();
    const event = legEvent({
      callId,
      state: 'hangup',
      externalNumber: from,
      eventTimestamp: now,
      dateStarted: now - 60_000,
      dateEnded: now - 1_000,
      totalDurationMs: 59_000,
      target: { id: '5991398486736896', type: 'user', name: 'Agent One', phone: '+15105550100', officeId },
      contact: { id: null, type: null, name: null, phone: from, officeId: null },
    });
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: await signEvent(toDialpadEvent(event), SECRET),
      headers: { 'content-type': 'application/jwt' },
    });
    expect(res.statusCode).toBe(200);
    const state: CallWorkflowState = await temporal.client.workflow.getHandle(callWorkflowId(callId)).result();
    const row = await db()('calls').where({ id: state.callRowId! }).first();
    return { state, row };
  }

  it("links a call from a customer's number typed '(415) 555-0142'", async () => {
    const customer = await createCustomer(db(), usAccount, 'Bayview Bakery', '(415) 555-0142');
    const { state, row } = await callFrom('+14155550142');
    expect(state.match).toBe('linked');
    expect(row).toMatchObject({ linked_entity_type: 'customer', linked_entity_id: customer, link_method: 'auto' });
    const history = (await api('GET', `/api/customers/${customer}/communications`)).json();
    expect(history.items.map((i: { call: { id: string } | null }) => i.call?.id)).toEqual([row.id]);
  });

  it("links a contact's number to the contact, shows it in its customer's history, and pushes the contact to Dialpad once", async () => {
    const customer = await createCustomer(db(), usAccount, 'Harbour Cafe', '+1 415 555 0150');
    const contact = await createContact(db(), usAccount, {
      firstName: 'Dana',
      lastName: 'Whitfield',
      phone: '415.555.0151',
      customerId: customer,
    });
    const since = s.sim.state.requests.at(-1)?.seq ?? 0;

    const first = await callFrom('+14155550151');
    expect(first.row).toMatchObject({ linked_entity_type: 'contact', linked_entity_id: contact });
    expect(first.state.contactPushBack).toBe('created');
    const contactHistory = (await api('GET', `/api/contacts/${contact}/communications`)).json();
    const customerHistory = (await api('GET', `/api/customers/${customer}/communications`)).json();
    expect(contactHistory.items.map((i: { call: { id: string } | null }) => i.call?.id)).toEqual([first.row.id]);
    expect(customerHistory.items.map((i: { call: { id: string } | null }) => i.call?.id)).toEqual([first.row.id]);

    // Dialpad knows the contact now, under the Navigator id as its uid, with its name and number.
    const inDialpad = s.sim.state.contacts.findByUid(contact);
    expect(inDialpad).toMatchObject({ firstName: 'Dana', lastName: 'Whitfield', phones: ['+14155550151'] });
    const stored = await db()('contacts').where({ id: contact }).first('dialpad_contact_id');
    expect(stored.dialpad_contact_id).toBe(inDialpad!.id);

    // The next call from the contact creates nothing more in Dialpad.
    const second = await callFrom('+14155550151');
    expect(second.state.contactPushBack).toBe('already_in_dialpad');
    expect(requests(s, { since, method: 'PUT', path: '/api/v2/contacts' })).toHaveLength(1);
  });

  it("links a supplier's UK number stored as '020 7946 0958' in a GB account", async () => {
    const supplier = await createSupplier(db(), gbAccount, 'Thames Supplies', '020 7946 0958');
    const { row } = await callFrom('+442079460958', gbOffice);
    expect(row).toMatchObject({ account_id: gbAccount, linked_entity_type: 'supplier', linked_entity_id: supplier });
  });

  it('flags a number on two customers for review; once a person picks one, the next call links to it by itself', async () => {
    const older = await createCustomer(db(), usAccount, 'Twin One', '+1 (415) 555-0160');
    const picked = await createCustomer(db(), usAccount, 'Twin Two', '415-555-0160');
    const first = await callFrom('+14155550160');
    expect(first.state.match).toBe('needs_review');
    expect(first.row.needs_review).toBe(true);
    expect(first.row.match_candidates.map((c: { id: string }) => c.id).sort()).toEqual([older, picked].sort());

    const review = (await api('GET', `/api/accounts/${usAccount}/calls?needsReview=true`)).json();
    expect(review.items.map((c: { id: string }) => c.id)).toContain(first.row.id);

    const pick = await api('PUT', `/api/calls/${first.row.id}/link`, { entityType: 'customer', entityId: picked });
    expect(pick.statusCode).toBe(200);
    expect(pick.json()).toMatchObject({ rememberedForNumber: true });

    const next = await callFrom('+14155550160');
    expect(next.row).toMatchObject({ linked_entity_type: 'customer', linked_entity_id: picked, needs_review: false });
  });

  it('a stand-alone call links itself when its number is added to a supplier (API-triggered workflow)', async () => {
    const { state, row } = await callFrom('+14155550170');
    expect(state.match).toBe('standalone');
    expect(row.linked_entity_id).toBeNull();

    const supplier = await createSupplier(db(), usAccount, 'Late Supplier');
    await db()('suppliers').where({ id: supplier }).update({ phone: '(415) 555-0170' });
    const res = await api('POST', '/api/records/phone-numbers/changed', {
      accountId: usAccount,
      entityType: 'supplier',
      entityId: supplier,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ linked: 1, workflowId: expect.stringMatching(/^navigator-retro-match-/) });
    expect(await db()('calls').where({ id: row.id }).first()).toMatchObject({
      linked_entity_type: 'supplier',
      linked_entity_id: supplier,
    });
  });

  it('the periodic sweep links a stand-alone call whose number was written without telling the API', async () => {
    const { row } = await callFrom('+14155550180');
    expect(row.linked_entity_id).toBeNull();
    await createCustomer(db(), usAccount, 'Quiet Customer', '415 555 0180');

    // Every worker process ensures this schedule when it starts (src/worker.ts): one started by
    // another test file on this run's Temporal (test/ops/worker-metrics.test.ts) leaves it behind.
    await temporal.client.schedule
      .getHandle(RETRO_MATCH_SWEEP_SCHEDULE_ID)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    expect(await ensureRetroMatchSweepSchedule(temporal.client, s.config.temporal.taskQueue)).toBe('created');
    expect(await ensureRetroMatchSweepSchedule(temporal.client, s.config.temporal.taskQueue)).toBe('updated');
    const schedule = temporal.client.schedule.getHandle(RETRO_MATCH_SWEEP_SCHEDULE_ID);
    // A sweep: on the sync queue, named from TEMPORAL_TASK_QUEUE, never in the live calls' slots.
    expect((await schedule.describe()).action).toMatchObject({
      taskQueue: taskQueuesOf(s.config.temporal.taskQueue).sync,
    });
    try {
      await schedule.trigger();
      let linked: string | null = null;
      for (let i = 0; i < 300 && !linked; i++) {
        const current = await db()('calls')
          .where({ id: row.id })
          .first<{ linked_entity_type: string | null }>('linked_entity_type');
        linked = current.linked_entity_type;
        if (!linked) await new Promise((r) => setTimeout(r, 100));
      }
      expect(linked).toBe('customer');
      const runs = (await schedule.describe()).info.recentActions;
      expect(runs.length).toBeGreaterThanOrEqual(1);
    } finally {
      await schedule.delete();
    }
  });

  it('a call linked by hand to a contact Dialpad does not know pushes the contact there', async () => {
    const { row } = await callFrom('+14155550190');
    const contact = await createContact(db(), usAccount, { firstName: 'Hand', lastName: 'Picked' });
    const res = await api('PUT', `/api/calls/${row.id}/link`, { entityType: 'contact', entityId: contact });
    expect(res.statusCode).toBe(200);
    const push = temporal.client.workflow.getHandle(`dialpad-contact-push-${contact}`);
    expect(await push.result()).toMatchObject({ outcome: 'created' });
    // The run on the live calls' queue, its request to Dialpad on the Dialpad queue.
    const queues = taskQueuesOf(s.config.temporal.taskQueue);
    expect((await push.describe()).taskQueue).toBe(queues.calls);
    const scheduled = (await push.fetchHistory()).events!.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name).toBe(queues.dialpad);
    expect(s.sim.state.contacts.findByUid(contact)).toMatchObject({ firstName: 'Hand', lastName: 'Picked' });
  });
});
