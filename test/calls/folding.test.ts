import { storeLegTranscript } from '../../src/ai/transcript-repository';
import { CallRepository } from '../../src/calls/repository';
import type { CallEventWithPayload, CallLegEvent } from '../../workflows/shared/call-event';
import { createTestDatabase, type TestDatabase } from '../support/db';
import {
  callCentreCall,
  legEvent,
  newDialpadId,
  OFFICE_ID,
  shuffledWithDuplicates,
  transferredCall,
} from '../support/legs';

describe('folding legs into one conversation (real Postgres)', () => {
  let tdb: TestDatabase;
  let repo: CallRepository;
  let accountId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 12 });
    repo = new CallRepository(tdb.db);
    const [a] = await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE_ID }).returning('id');
    accountId = (a as { id: string }).id;
  });
  afterAll(async () => tdb.drop());

  const sig = (event: CallLegEvent): CallEventWithPayload => ({
    deliveryId: null,
    accountId,
    officeId: OFFICE_ID,
    event,
  });
  const callsFor = async (legIds: string[]) => {
    const rows = await tdb.db('dialpad_call_legs').whereIn('call_id', legIds).distinct('call_row_id');
    return tdb.db('calls').whereIn(
      'id',
      rows.map((r: { call_row_id: string }) => r.call_row_id),
    );
  };

  it.each([1, 2, 3, 4, 5])(
    'a call-centre call in random order with duplicates (seed %i) is one answered call',
    async (seed) => {
      const scenario = callCentreCall();
      for (const e of shuffledWithDuplicates(scenario.events, seed)) await repo.recordLegEvent(sig(e));
      const calls = await callsFor(scenario.legIds);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        status: 'answered',
        direction: 'inbound',
        dialpad_call_id: scenario.legIds[0],
        answered_by_dialpad_user_id: scenario.answeringAgentId,
        answered_by_name: 'Agent 3',
        dialpad_group_type: 'callcenter',
        dialpad_group_name: 'Support',
        duration_seconds: 191,
        external_number: '+14155550142',
      });
    },
  );

  it('the same call-centre call processed with every leg concurrently is still one row', async () => {
    const scenario = callCentreCall();
    await Promise.all(shuffledWithDuplicates(scenario.events, 42, 4).map((e) => repo.recordLegEvent(sig(e))));
    const calls = await callsFor(scenario.legIds);
    expect(calls).toHaveLength(1);
    expect(calls[0].status).toBe('answered');
    expect(calls[0].answered_by_dialpad_user_id).toBe(scenario.answeringAgentId);
  });

  it('a transferred call is one conversation whose talk time adds both agents', async () => {
    const scenario = transferredCall();
    for (const e of [...scenario.events].reverse()) await repo.recordLegEvent(sig(e));
    const calls = await callsFor(scenario.legIds);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'answered', duration_seconds: 120, dialpad_call_id: scenario.legIds[0] });
  });

  it('a late link merges two conversations into the older one, keeping what either knew', async () => {
    const a = newDialpadId();
    const b = newDialpadId();
    const first = await repo.recordLegEvent(sig(legEvent({ callId: a, state: 'hangup', dateStarted: 1764241200000 })));
    const second = await repo.recordLegEvent(
      sig(
        legEvent({
          callId: b,
          state: 'hangup',
          dateStarted: 1764241201000,
          dateConnected: 1764241205000,
          talkTimeMs: 10_000,
        }),
      ),
    );
    expect(second.callRowId).not.toBe(first.callRowId);
    await tdb.db('calls').where({ id: second.callRowId }).update({ notes: 'kept from the merged row' });

    // b's later event names a as its entry point: the two groups are one conversation.
    const merged = await repo.recordLegEvent(
      sig(
        legEvent({
          callId: b,
          state: 'hangup',
          entryPointCallId: a,
          eventTimestamp: 1764241396200,
          dateStarted: 1764241201000,
        }),
      ),
    );
    expect(merged.callRowId).toBe(first.callRowId);
    expect(merged.mergedCallRowIds).toEqual([second.callRowId]);
    const calls = await callsFor([a, b]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'answered', notes: 'kept from the merged row', dialpad_call_id: a });
    expect(await tdb.db('calls').where({ id: second.callRowId })).toHaveLength(0);
  });

  it("a transfer whose legs were two conversations until the link came keeps both legs' transcript lines, in order", async () => {
    const scenario = transferredCall();
    const [first, second] = scenario.legIds as [string, string];
    const [firstEvent, secondEvent] = scenario.events as [CallLegEvent, CallLegEvent];
    // The second leg comes first and without its link; its conversation is the older row.
    const b = await repo.recordLegEvent(
      sig({ ...secondEvent, masterCallId: null, eventTimestamp: secondEvent.eventTimestamp! - 1 }),
    );
    const a = await repo.recordLegEvent(sig(firstEvent));
    expect(a.callRowId).not.toBe(b.callRowId);
    const line = (legCallId: string, name: string, content: string) => ({
      dialpad_call_id: legCallId,
      type: 'transcript',
      speaker: 'agent',
      name,
      content,
      spoken_at: null,
      dialpad_user_id: null,
      dialpad_contact_id: null,
    });
    await storeLegTranscript(tdb.db, {
      callRowId: a.callRowId,
      legCallId: first,
      rows: [line(first, 'Agent One', 'Hello.'), line(first, 'Agent One', 'Transferring you now.')],
    });
    await storeLegTranscript(tdb.db, {
      callRowId: b.callRowId,
      legCallId: second,
      rows: [line(second, 'Agent Two', 'Shipping here.'), line(second, 'Agent Two', 'It ships tomorrow.')],
    });

    // The second leg's linked event joins the two: the older row (b's) survives, with every line.
    const merged = await repo.recordLegEvent(sig(secondEvent));
    expect(merged.callRowId).toBe(b.callRowId);
    expect(merged.mergedCallRowIds).toEqual([a.callRowId]);
    const lines = await tdb
      .db('call_transcript_lines')
      .where({ call_id: merged.callRowId })
      .orderBy('seq')
      .select('seq', 'dialpad_call_id', 'content');
    expect(lines.map((l) => [l.seq, l.dialpad_call_id, l.content])).toEqual([
      [0, first, 'Hello.'],
      [1, first, 'Transferring you now.'],
      [2, second, 'Shipping here.'],
      [3, second, 'It ships tomorrow.'],
    ]);
    const [call] = await callsFor(scenario.legIds);
    expect(call).toMatchObject({
      dialpad_call_id: first,
      transcript: [
        'Agent One: Hello.',
        'Agent One: Transferring you now.',
        'Agent Two: Shipping here.',
        'Agent Two: It ships tomorrow.',
      ].join('\n'),
      ai_sources: { transcript: 'dialpad' },
    });
  });

  it('an older event never overwrites newer state, and a never-connected hangup is not answered', async () => {
    const id = newDialpadId();
    await repo.recordLegEvent(
      sig(legEvent({ callId: id, state: 'hangup', eventTimestamp: 2000, dateEnded: 1764241395000 })),
    );
    await repo.recordLegEvent(sig(legEvent({ callId: id, state: 'ringing', eventTimestamp: 1000, dateEnded: null })));
    const leg = await tdb.db('dialpad_call_legs').where({ call_id: id }).first();
    expect(leg.state).toBe('hangup');
    expect(leg.date_ended).not.toBeNull();
    const [call] = await callsFor([id]);
    expect(call.status).toBe('missed');
  });

  it.each([
    ['voicemail', [{ state: 'voicemail_uploaded', voicemailTranscription: 'Please call me back' }], 'voicemail'],
    ['outbound not answered', [{ state: 'hangup', direction: 'outbound' as const }], 'no_answer'],
    [
      'outbound answered',
      [{ state: 'hangup', direction: 'outbound' as const, dateConnected: 1764241210000, talkTimeMs: 5000 }],
      'answered',
    ],
    [
      'internal',
      [
        {
          state: 'hangup',
          contact: { id: '1', type: 'user', name: 'Agent Nine', phone: '+15105550109', officeId: OFFICE_ID },
        },
      ],
      'missed',
    ],
  ])('%s', async (name, overrides, status) => {
    const id = newDialpadId();
    for (const o of overrides) await repo.recordLegEvent(sig(legEvent({ callId: id, ...o })));
    const [call] = await callsFor([id]);
    expect(call.status).toBe(status);
    expect(call.is_internal).toBe(name === 'internal');
  });

  it('a recap before the hangup and after it lands on the same row', async () => {
    const id = newDialpadId();
    await repo.recordLegEvent(
      sig(
        legEvent({
          callId: id,
          state: 'recap_summary',
          eventTimestamp: 3000,
          recap: { summary: 'Moved delivery to Friday.' },
        }),
      ),
    );
    await repo.recordLegEvent(
      sig(
        legEvent({
          callId: id,
          state: 'hangup',
          eventTimestamp: 2000,
          dateConnected: 1764241206000,
          talkTimeMs: 189000,
        }),
      ),
    );
    await repo.recordLegEvent(
      sig(legEvent({ callId: id, state: 'recap_outcome', eventTimestamp: 4000, recap: { outcome: 'Resolved' } })),
    );
    const calls = await callsFor([id]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      status: 'answered',
      ai_summary: 'Moved delivery to Friday.',
      ai_outcome: 'Resolved',
    });
    const leg = await tdb.db('dialpad_call_legs').where({ call_id: id }).first();
    expect(leg.state).toBe('hangup');
  });
});

describe('names from the synced directory', () => {
  let tdb: TestDatabase;
  afterAll(async () => tdb?.drop());

  it('the answering user and the call centre take their current directory names', async () => {
    tdb = await createTestDatabase({ max: 4 });
    const repo = new CallRepository(tdb.db);
    const [a] = await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE_ID }).returning('id');
    const scenario = callCentreCall();
    await tdb
      .db('dialpad_call_centers')
      .insert({ id: '6000000000000001', office_id: OFFICE_ID, name: 'Customer Care' });
    await tdb
      .db('dialpad_users')
      .insert({ id: scenario.answeringAgentId, office_id: OFFICE_ID, display_name: 'Sam Rivera' });
    for (const e of scenario.events) {
      await repo.recordLegEvent({
        deliveryId: null,
        accountId: (a as { id: string }).id,
        officeId: OFFICE_ID,
        event: e,
      });
    }
    const call = await tdb.db('calls').where({ dialpad_call_id: scenario.legIds[0] }).first();
    expect(call).toMatchObject({ dialpad_group_name: 'Customer Care', answered_by_name: 'Sam Rivera' });
  });
});
