import { fetchAndStoreTranscript } from '../../src/ai/enrich';
import { storeLegTranscript } from '../../src/ai/transcript-repository';
import { CallRepository } from '../../src/calls/repository';
import type { DialpadClient } from '../../src/dialpad/client';
import type { DialpadTranscript } from '../../src/dialpad/types';
import type { CallLegEvent } from '../../workflows/shared/call-event';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { OFFICE_ID, transferredCall } from '../support/legs';

/**
 * A transferred call has one transcript per answered leg, each fetched by its own leg's run: the
 * conversation holds every leg's lines, legs in the order they started, whatever order (or at the
 * same moment) the runs store them in. Real Postgres; Dialpad's transcript endpoint is a stand-in
 * that answers each leg's lines.
 */
describe("a conversation's transcript, one leg at a time (real Postgres)", () => {
  let tdb: TestDatabase;
  let repo: CallRepository;
  let accountId: string;
  const transcripts = new Map<string, DialpadTranscript['lines']>();
  const dialpad = {
    getTranscript: async (callId: string): Promise<DialpadTranscript> => {
      await new Promise((r) => setTimeout(r, 5));
      return { call_id: callId, lines: transcripts.get(callId) ?? [] };
    },
  } as unknown as DialpadClient;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 12 });
    repo = new CallRepository(tdb.db);
    const [a] = await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE_ID }).returning('id');
    accountId = (a as { id: string }).id;
  });
  afterAll(async () => tdb.drop());

  const record = (event: CallLegEvent) =>
    repo.recordLegEvent({ deliveryId: null, accountId, officeId: OFFICE_ID, event });

  /** A transfer folded into one conversation; each leg's transcript is ready at "Dialpad". */
  async function transfer(): Promise<{ first: string; second: string; callRowId: string }> {
    const scenario = transferredCall();
    const [first, second] = scenario.legIds as [string, string];
    for (const e of scenario.events) await record(e);
    transcripts.set(first, [
      { type: 'transcript', content: 'Hello, Acme support.', name: 'Agent One', user_id: '5991398486736896' },
      { type: 'transcript', content: 'My order never arrived.', name: 'Dana Whitfield', contact_id: '61314' },
      { type: 'moment', content: 'Delivery issue', name: 'Dana Whitfield' },
      {
        type: 'transcript',
        content: 'Let me transfer you to shipping.',
        name: 'Agent One',
        user_id: '5991398486736896',
      },
    ]);
    transcripts.set(second, [
      { type: 'transcript', content: 'Shipping, Agent Two here.', name: 'Agent Two', user_id: '5991398486736999' },
      { type: 'transcript', content: 'I am waiting for order 4411.', contact_id: '61314' },
      { type: 'transcript', content: 'It ships tomorrow.', name: 'Agent Two', user_id: '5991398486736999' },
    ]);
    const callRowId = (await repo.conversationOfLeg(first))!;
    expect(await repo.conversationOfLeg(second)).toBe(callRowId);
    return { first, second, callRowId };
  }

  const fetchLeg = (callRowId: string, legCallId: string) =>
    fetchAndStoreTranscript({ db: tdb.db, dialpad }, { callRowId, legCallId });

  const stored = async (callRowId: string) => {
    const lines = await tdb
      .db('call_transcript_lines')
      .where({ call_id: callRowId })
      .orderBy('seq')
      .select('seq', 'dialpad_call_id', 'content', 'speaker');
    const call = await tdb.db('calls').where({ id: callRowId }).first('transcript', 'ai_sources');
    return { lines, transcript: call.transcript as string | null, sources: call.ai_sources };
  };

  const TEXT = [
    'Agent One: Hello, Acme support.',
    'Dana Whitfield: My order never arrived.',
    'Agent One: Let me transfer you to shipping.',
    'Agent Two: Shipping, Agent Two here.',
    'Caller: I am waiting for order 4411.',
    'Agent Two: It ships tomorrow.',
  ].join('\n');

  const expectBothLegs = async (t: { first: string; second: string; callRowId: string }) => {
    const { lines, transcript, sources } = await stored(t.callRowId);
    expect(lines.map((l) => [l.seq, l.dialpad_call_id, l.content])).toEqual([
      [0, t.first, 'Hello, Acme support.'],
      [1, t.first, 'My order never arrived.'],
      [2, t.first, 'Delivery issue'],
      [3, t.first, 'Let me transfer you to shipping.'],
      [4, t.second, 'Shipping, Agent Two here.'],
      [5, t.second, 'I am waiting for order 4411.'],
      [6, t.second, 'It ships tomorrow.'],
    ]);
    expect(transcript).toBe(TEXT);
    expect(sources).toMatchObject({ transcript: 'dialpad' });
  };

  it('the second leg stored first, then the first: both legs, first leg first', async () => {
    const t = await transfer();
    expect(await fetchLeg(t.callRowId, t.second)).toEqual({ stored: true, lines: 3 });
    expect((await stored(t.callRowId)).transcript).toBe(TEXT.split('\n').slice(3).join('\n'));
    expect(await fetchLeg(t.callRowId, t.first)).toEqual({ stored: true, lines: 4 });
    await expectBothLegs(t);
  });

  it('the first leg stored first, then the second: the same lines and text', async () => {
    const t = await transfer();
    expect(await fetchLeg(t.callRowId, t.first)).toEqual({ stored: true, lines: 4 });
    expect(await fetchLeg(t.callRowId, t.second)).toEqual({ stored: true, lines: 3 });
    await expectBothLegs(t);
  });

  it('both legs stored at the same moment, several times over: the same lines and text', async () => {
    for (let round = 0; round < 5; round++) {
      const t = await transfer();
      const results = await Promise.all([
        fetchLeg(t.callRowId, t.second),
        fetchLeg(t.callRowId, t.first),
        fetchLeg(t.callRowId, t.second),
        fetchLeg(t.callRowId, t.first),
      ]);
      // Each leg stored once or more (a run that finds its leg's lines stored does not fetch again).
      for (const r of results) expect(r.stored || r.reason === 'already_stored').toBe(true);
      await expectBothLegs(t);
    }
  });

  it("a leg stored again is found stored; storing it again replaces only that leg's lines", async () => {
    const t = await transfer();
    await fetchLeg(t.callRowId, t.first);
    await fetchLeg(t.callRowId, t.second);
    expect(await fetchLeg(t.callRowId, t.first)).toEqual({ stored: false, lines: 0, reason: 'already_stored' });
    await expectBothLegs(t);

    await storeLegTranscript(tdb.db, {
      callRowId: t.callRowId,
      legCallId: t.first,
      rows: [
        {
          dialpad_call_id: t.first,
          type: 'transcript',
          speaker: 'agent',
          name: 'Agent One',
          content: 'Acme support, corrected.',
          spoken_at: null,
          dialpad_user_id: '5991398486736896',
          dialpad_contact_id: null,
        },
      ],
    });
    const { lines, transcript } = await stored(t.callRowId);
    expect(lines.map((l) => [l.seq, l.dialpad_call_id, l.content])).toEqual([
      [0, t.first, 'Acme support, corrected.'],
      [1, t.second, 'Shipping, Agent Two here.'],
      [2, t.second, 'I am waiting for order 4411.'],
      [3, t.second, 'It ships tomorrow.'],
    ]);
    expect(transcript).toBe(['Agent One: Acme support, corrected.', ...TEXT.split('\n').slice(3)].join('\n'));
  });

  it('a leg whose conversation was merged away after its run found it stores into the merged conversation', async () => {
    const scenario = transferredCall();
    const [first, second] = scenario.legIds as [string, string];
    const [firstEvent, secondEvent] = scenario.events as [CallLegEvent, CallLegEvent];
    transcripts.set(first, [{ type: 'transcript', content: 'First leg.', name: 'Agent One', user_id: '1' }]);
    // The second leg's first event comes without its link: two conversations for a moment.
    const a = await record(firstEvent);
    const b = await record({ ...secondEvent, masterCallId: null, eventTimestamp: secondEvent.eventTimestamp! - 1 });
    expect(b.callRowId).not.toBe(a.callRowId);
    expect(await fetchLeg(a.callRowId, first)).toEqual({ stored: true, lines: 1 });
    // The second leg's run found its conversation (b); then the link merged b into a.
    await record(secondEvent);
    expect(await tdb.db('calls').where({ id: b.callRowId })).toHaveLength(0);
    const into = await storeLegTranscript(tdb.db, {
      callRowId: b.callRowId,
      legCallId: second,
      rows: [
        {
          dialpad_call_id: second,
          type: 'transcript',
          speaker: 'agent',
          name: 'Agent Two',
          content: 'Second leg.',
          spoken_at: null,
          dialpad_user_id: '2',
          dialpad_contact_id: null,
        },
      ],
    });
    expect(into).toBe(a.callRowId);
    const { lines, transcript } = await stored(a.callRowId);
    expect(lines.map((l) => [l.seq, l.dialpad_call_id])).toEqual([
      [0, first],
      [1, second],
    ]);
    expect(transcript).toBe('Agent One: First leg.\nAgent Two: Second leg.');
  });
});
