import { CallRepository } from '../../src/calls/repository';
import type { CallEventWithPayload, CallLegEvent } from '../../src/domain/call-event';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { legEvent, newDialpadId } from '../support/legs';

/**
 * Found by the reliability suite (db-errors, issue 16): an internal call between users of two
 * offices, each office linked to its own account, is one `calls` row whose `account_id` is the
 * account of whichever leg was recorded first (the row is inserted with the first event's account
 * and never changed). The README promises an order-independent merge; the row's account is not.
 * Trigger: record the callee's inbound leg before the caller's outbound leg (in production: the
 * callee's hangup arriving first, or the caller's leg being refused and replayed later).
 */
describe('the account of a conversation whose legs route to two accounts', () => {
  let tdb: TestDatabase;
  let repo: CallRepository;
  const officeA = '5527348325810001';
  const officeB = '5527348325810002';
  let accountA: string;
  let accountB: string;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 4 });
    repo = new CallRepository(tdb.db);
    const [a] = await tdb.db('accounts').insert({ name: 'Office A', dialpad_office_id: officeA }).returning('id');
    const [b] = await tdb.db('accounts').insert({ name: 'Office B', dialpad_office_id: officeB }).returning('id');
    accountA = (a as { id: string }).id;
    accountB = (b as { id: string }).id;
  });
  afterAll(async () => tdb.drop());

  /** An answered internal call: user 1 (office A) calls user 2 (office B). */
  const internalCall = () => {
    const out = newDialpadId();
    const inb = newDialpadId();
    const user1 = { id: '5991398486730001', type: 'user', name: 'User One', phone: '+15105550101', officeId: officeA };
    const user2 = { id: '5991398486730002', type: 'user', name: 'User Two', phone: '+15105550102', officeId: officeB };
    const common = { dateStarted: 1764241200000, dateConnected: 1764241205000, dateEnded: 1764241300000 };
    const outbound = legEvent({
      ...common,
      callId: out,
      state: 'hangup',
      direction: 'outbound',
      externalNumber: user2.phone,
      internalNumber: user1.phone,
      target: user1,
      contact: { ...user2, officeId: null },
      talkTimeMs: 95000,
      eventTimestamp: 1764241300500,
    });
    const inbound = legEvent({
      ...common,
      callId: inb,
      masterCallId: out,
      state: 'hangup',
      direction: 'inbound',
      externalNumber: user1.phone,
      internalNumber: user2.phone,
      target: user2,
      contact: { ...user1, officeId: null },
      talkTimeMs: 95000,
      eventTimestamp: 1764241300700,
    });
    return { outbound, inbound };
  };
  const sig = (event: CallLegEvent, accountId: string, officeId: string): CallEventWithPayload => ({
    deliveryId: null,
    accountId,
    officeId,
    event,
  });
  const accountOf = async (legId: string) => {
    const leg = await tdb.db('dialpad_call_legs').where({ call_id: legId }).first('call_row_id');
    const row = await tdb.db('calls').where({ id: leg.call_row_id }).first('account_id');
    return row.account_id as string;
  };

  it('is the same whichever leg is recorded first', async () => {
    const first = internalCall();
    await repo.recordLegEvent(sig(first.outbound, accountA, officeA));
    await repo.recordLegEvent(sig(first.inbound, accountB, officeB));

    const second = internalCall();
    await repo.recordLegEvent(sig(second.inbound, accountB, officeB));
    await repo.recordLegEvent(sig(second.outbound, accountA, officeA));

    expect([await accountOf(first.outbound.callId), await accountOf(second.outbound.callId)]).toEqual([
      accountA,
      accountA,
    ]);
    expect(await accountOf(second.inbound.callId)).not.toBe(accountB);
  });
});
