import { replayDeliveries, pendingAmong } from '../../src/ops';
import { signEvent } from '../support/signing';
import {
  createAccount,
  emitAndSettle,
  runsOf,
  SECRET,
  startOpsStack,
  TEST_ACTOR,
  waitFor,
  type OpsStack,
} from './support';
import { callWorkflowId } from '../../workflows/shared/ids';

/**
 * Replay puts stored deliveries back in the ingress relay's queue; the relay (driven by hand here)
 * sends them, a finished call workflow runs again and merges them into the same rows.
 */
describe('replay', () => {
  let s: OpsStack;
  let officeA: string;
  let officeB: string;
  let accountA: string;

  beforeAll(async () => {
    s = await startOpsStack({ sim: { seed: 'ops-replay' } });
    [officeA, officeB] = s.sim.state.company.offices.map((o) => o.id) as [string, string];
    accountA = await createAccount(s, 'Replayed Ltd', officeA);
  });

  afterAll(async () => {
    await s?.close();
  });

  const deliveries = (callIds: string[]) =>
    s.tdb.db('dialpad_webhook_deliveries').whereIn('call_id', callIds).orderBy('id');

  it('one call: its deliveries go back to the relay, and its workflow runs again into the same call row', async () => {
    const emitted = await emitAndSettle(s, {
      seed: 'replay-one',
      calls: 1,
      kinds: ['callcenter'],
      target: { url: s.hookUrl, secret: SECRET },
    });
    const conv = emitted.conversations[0]!;
    const legs = conv.legs.map((l) => l.call_id);
    const before = await s.tdb.db('calls').where({ dialpad_call_id: conv.expected.key }).first();
    expect(before).toBeDefined();
    const stored = await deliveries(legs);
    // States the product does not act on (ringing, connected, …) are kept too, but never signalled.
    const acted = stored.filter((d) => d.routing_status !== 'ignored');
    expect(acted.length).toBeGreaterThanOrEqual(legs.length);
    expect(acted.every((d) => d.signal_status === 'signalled')).toBe(true);
    expect(stored.filter((d) => d.routing_status === 'ignored').every((d) => d.signal_status === 'not_needed')).toBe(
      true,
    );

    // By the conversation's id: every leg's deliveries, read again from their stored claims.
    const r = await replayDeliveries(s.tdb.db, { callId: conv.expected.key }, TEST_ACTOR);
    expect(r).toMatchObject({
      selected: stored.length,
      reparsed: stored.length,
      requeued: acted.length,
      stillUnrouted: 0,
    });
    const requeued = (await deliveries(legs)).filter((d) => d.routing_status !== 'ignored');
    expect(requeued.every((d) => d.signal_status === 'pending' && d.replays === 1)).toBe(true);
    expect(await pendingAmong(s.tdb.db, r.deliveryIds)).toBe(acted.length);

    expect(await s.app.deliveryRelay.runOnce()).toBe(acted.length);
    expect(await pendingAmong(s.tdb.db, r.deliveryIds)).toBe(0);
    for (const leg of legs) {
      await s.temporal.client.workflow.getHandle(callWorkflowId(leg)).result();
      await waitFor(async () => (await runsOf(s, callWorkflowId(leg))) === 2);
    }
    const rows = await s.tdb.db('calls').where({ dialpad_call_id: conv.expected.key });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before.id, status: before.status, duration_seconds: before.duration_seconds });

    const [audit] = await s.tdb.db('admin_audit_log').where({ action: 'replay_deliveries' });
    expect(audit).toMatchObject({ actor: 'test', account_id: accountA });
    expect(JSON.parse(audit.new_value)).toMatchObject({ callId: conv.expected.key, requeued: acted.length });

    // A single leg by its own id selects only that leg's deliveries.
    const one = await replayDeliveries(s.tdb.db, { callId: legs[1]! }, TEST_ACTOR);
    expect(one.selected).toBe(stored.filter((d) => d.call_id === legs[1]).length);
    await s.app.deliveryRelay.runOnce();
  });

  it('a time range for an account also routes deliveries that waited for its office, once it is linked', async () => {
    const from = new Date(Date.now() - 1000);
    const callId = '7100000000000001';
    const event = {
      call_id: callId,
      state: 'hangup',
      direction: 'inbound',
      external_number: '+14155550142',
      internal_number: '+15105550100',
      target: {
        id: s.sim.state.company.users.find((u) => u.officeId === officeB)!.id,
        type: 'user',
        office_id: officeB,
      },
      date_started: Date.now() - 120_000,
      date_ended: Date.now() - 60_000,
      event_timestamp: Date.now() - 59_000,
    };
    const res = await s.app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: await signEvent(event, SECRET),
    });
    expect(res.json()).toEqual({ status: 'unrouted' });

    // Linked behind the ingress's back (e.g. straight in the database): nothing released it.
    const accountB = await createAccount(s, 'Late Link Ltd', officeB);
    const to = new Date(Date.now() + 1000);
    const r = await replayDeliveries(s.tdb.db, { from, to, accountId: accountB }, TEST_ACTOR);
    expect(r).toMatchObject({ selected: 1, requeued: 1, newlyRouted: 1, stillUnrouted: 0 });
    expect(await s.app.deliveryRelay.runOnce()).toBe(1);
    await s.temporal.client.workflow.getHandle(callWorkflowId(callId)).result();
    expect(await s.tdb.db('calls').where({ dialpad_call_id: callId }).first()).toMatchObject({
      account_id: accountB,
      status: 'missed',
    });

    // Account A's range holds none of it.
    const forA = await replayDeliveries(s.tdb.db, { from, to, accountId: accountA }, TEST_ACTOR);
    expect(forA.selected).toBe(0);
  });

  it('deliveries for an office still unlinked stay waiting and are reported', async () => {
    const from = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const event = {
      call_id: '7100000000000002',
      state: 'hangup',
      target: { id: 1, type: 'office', office_id: '4343434343434343' },
      event_timestamp: Date.now(),
    };
    await s.app.inject({ method: 'POST', url: '/webhooks/dialpad', payload: await signEvent(event, SECRET) });
    const r = await replayDeliveries(s.tdb.db, { from, to: new Date(Date.now() + 1000) }, TEST_ACTOR);
    expect(r).toMatchObject({ selected: 1, requeued: 0, stillUnrouted: 1, waitingOffices: ['4343434343434343'] });
    await expect(replayDeliveries(s.tdb.db, { callId: 'abc' }, TEST_ACTOR)).rejects.toThrow(/numeric/);
  });
});
