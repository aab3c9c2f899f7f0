import type { DeliveryRecord, ExpectedConversation } from '../../tools/simulator';
import { mad, median, timingVerdict } from '../../tools/reliability/lib/timing';
import { declaredPolicy, DECLARED_ROUTES, routePolicyGaps } from '../../tools/reliability/scenarios/api-auth';
import { judgeGivenUp } from '../../tools/reliability/scenarios/calls';
import { transcriptMd5, transcriptText } from '../../tools/reliability/lib/event-fields';
import type { StoredCall, StoredSnapshot } from '../../tools/reliability/lib/snapshot';
import { compareSnapshot, eventKey, type ExpectedOutcome } from '../../tools/reliability/lib/verify';

/**
 * The reliability suite's verification (tools/reliability/lib/verify.ts): every event the emitter sent is
 * accounted for. These feed it an expected set and a stored set by hand.
 */
const ACCOUNT = '11111111-1111-4111-8111-111111111111';
const OTHER_ACCOUNT = '22222222-2222-4222-8222-222222222222';
const CUSTOMER = '33333333-3333-4333-8333-333333333333';

function answeredWithAi(): ExpectedOutcome {
  const leg = '6000000000000001';
  const conversation: ExpectedConversation = {
    key: leg,
    kind: 'inbound_answered',
    officeId: '5500000000000001',
    direction: 'inbound',
    status: 'answered',
    externalNumber: '+14155550142',
    externalCountry: 'US',
    internalNumber: '+15105550100',
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:05:00.000Z',
    talkSeconds: 240,
    answeringUserId: '5991398486736001',
    calleeUserId: null,
    contactId: '6131436978913280',
    knownContact: true,
    isInternal: false,
    hasAi: true,
    aiCallId: leg,
    recap: {
      summary: 'The caller was charged twice for the same order and asked for a refund.',
      outcome: 'Refund issued',
      purposes: ['Billing'],
      actionItems: ['Refund the second charge', 'Email the receipt'],
    },
    tone: null,
    voicemailTranscription: null,
    legCallIds: [leg],
  };
  const at = 1764583200000;
  return {
    conversation,
    events: [
      { callId: leg, state: 'ringing', eventTimestamp: at },
      { callId: leg, state: 'connected', eventTimestamp: at + 5000 },
      { callId: leg, state: 'hangup', eventTimestamp: at + 300000 },
      { callId: leg, state: 'recap_summary', eventTimestamp: at + 400000 },
      { callId: leg, state: 'recap_outcome', eventTimestamp: at + 401000 },
      { callId: leg, state: 'recap_purposes', eventTimestamp: at + 402000 },
      { callId: leg, state: 'recap_action_items', eventTimestamp: at + 403000 },
      { callId: leg, state: 'call_transcription', eventTimestamp: at + 404000 },
    ],
    transcript: [
      { type: 'transcript', name: 'Dana Whitfield', content: 'I was charged twice for the same order.' },
      { type: 'transcript', name: 'Agent One', content: 'Let me look at that for you.' },
      { type: 'moment', name: 'Agent One', content: 'refund' },
    ],
    accountId: ACCOUNT,
    link: { type: 'customer', id: CUSTOMER },
    voicemail: null,
  };
}

function voicemail(): ExpectedOutcome {
  const leg = '6000000000000002';
  const base = answeredWithAi();
  const at = 1764583800000;
  return {
    conversation: {
      ...base.conversation,
      key: leg,
      kind: 'voicemail',
      status: 'voicemail',
      talkSeconds: 0,
      answeringUserId: null,
      hasAi: false,
      aiCallId: null,
      recap: null,
      voicemailTranscription: 'Hi, it is Dana, please call me back about my order. Thanks.',
      legCallIds: [leg],
    },
    events: [
      { callId: leg, state: 'ringing', eventTimestamp: at },
      { callId: leg, state: 'voicemail', eventTimestamp: at + 20000 },
      { callId: leg, state: 'hangup', eventTimestamp: at + 50000 },
      { callId: leg, state: 'voicemail_uploaded', eventTimestamp: at + 60000 },
      { callId: leg, state: 'transcription', eventTimestamp: at + 80000 },
    ],
    transcript: null,
    accountId: ACCOUNT,
    link: null,
    voicemail: { legId: leg, text: 'Hi, it is Dana, please call me back about my order. Thanks.' },
  };
}

/** What Postgres would hold if every event had been applied once, exactly. */
function perfectStore(expected: ExpectedOutcome[]): StoredSnapshot {
  const snap: StoredSnapshot = {
    legs: new Map(),
    calls: new Map(),
    callsByDialpadId: new Map(),
    deliveries: new Map(),
    transcripts: new Map(),
  };
  expected.forEach((o, i) => {
    const e = o.conversation;
    const id = `row-${i}`;
    const row: StoredCall = {
      id,
      dialpad_call_id: e.key,
      account_id: o.accountId,
      status: e.status,
      direction: e.direction,
      external_number: e.externalNumber,
      duration_seconds: e.talkSeconds,
      answered_by_dialpad_user_id: e.answeringUserId,
      is_internal: e.isInternal,
      ai_summary: e.recap?.summary ?? null,
      ai_outcome: e.recap?.outcome ?? null,
      ai_purposes: e.recap?.purposes ?? null,
      ai_action_items: e.recap?.actionItems ?? null,
      transcript: o.transcript ? transcriptText(o.transcript) : null,
      linked_entity_type: o.link?.type ?? null,
      linked_entity_id: o.link?.id ?? null,
    };
    snap.calls.set(id, row);
    snap.callsByDialpadId.set(e.key, [row]);
    for (const leg of e.legCallIds) {
      snap.legs.set(leg, {
        call_id: leg,
        call_row_id: id,
        voicemail_transcription: o.voicemail?.legId === leg ? o.voicemail.text : null,
      });
    }
    if (o.transcript) snap.transcripts.set(id, { lines: o.transcript.length, md5: transcriptMd5(o.transcript) });
    for (const ev of o.events) {
      const acted = !['ringing', 'connected', 'calling', 'queued'].includes(ev.state);
      snap.deliveries.set(eventKey(ev), [
        {
          dedupe_key: eventKey(ev),
          routing_status: acted ? 'routed' : 'ignored',
          signal_status: acted ? 'signalled' : 'not_needed',
        },
      ]);
    }
  });
  return snap;
}

describe('the reliability verification (per event)', () => {
  it('accounts for every event of a correct store: all applied, nothing lost', () => {
    const expected = [answeredWithAi(), voicemail()];
    const c = compareSnapshot(expected, perfectStore(expected));
    expect(c.events).toMatchObject({ sent: 13, applied: 10, lost: 0, duplicated: 0, wrong: 0 });
    expect(c.events.notActedOn).toEqual({ sent: 3, kept: 3 });
    expect([c.expected, c.stored, c.lost, c.duplicated, c.wrong]).toEqual([2, 2, 0, 0, 0]);
  });

  it('reports a dropped event: its delivery never recorded', () => {
    const expected = [answeredWithAi(), voicemail()];
    const snap = perfectStore(expected);
    const dropped = expected[0]!.events.find((e) => e.state === 'recap_outcome')!;
    snap.deliveries.delete(eventKey(dropped));
    const c = compareSnapshot(expected, snap);
    expect(c.events).toMatchObject({ applied: 9, lost: 1, duplicated: 0, wrong: 0 });
    expect(c.events.lostBy).toEqual({ 'no delivery row': 1 });
    expect(c.events.samples[0]).toContain(eventKey(dropped));
    // The row is complete (recap_summary carries the outcome too): only per event is the loss seen.
    expect(c.lost + c.wrong).toBe(0);
  });

  it('reports a voicemail transcription that never reached its leg as a lost event', () => {
    const expected = [voicemail()];
    const snap = perfectStore(expected);
    snap.legs.get(expected[0]!.voicemail!.legId)!.voicemail_transcription = null;
    const c = compareSnapshot(expected, snap);
    expect(c.events).toMatchObject({ lost: 1, lostBy: { 'voicemail_transcription missing': 1 } });
    expect(c.wrong).toBe(1);
    expect(c.events.wrongByField).toEqual({ 'conversation.voicemail_transcription': 1 });
  });

  it('reports dead letters and deliveries still queued as lost', () => {
    const expected = [answeredWithAi()];
    const snap = perfectStore(expected);
    const [hangup, summary] = ['hangup', 'recap_summary'].map((s) => expected[0]!.events.find((e) => e.state === s)!);
    snap.deliveries.get(eventKey(hangup!))![0]!.signal_status = 'dead_letter';
    snap.deliveries.get(eventKey(summary!))![0]!.signal_status = 'pending';
    const c = compareSnapshot(expected, snap);
    expect(c.events.lostBy).toEqual({ 'dead letter': 1, 'still waiting for the relay': 1 });
  });

  it('reports a wrong field by name, without its value', () => {
    const expected = [answeredWithAi()];
    const snap = perfectStore(expected);
    const row = snap.calls.get('row-0')!;
    row.ai_outcome = 'Customer hung up angry';
    row.external_number = '+14155550199';
    const c = compareSnapshot(expected, snap);
    expect(c.events).toMatchObject({ wrong: 1, lost: 0, wrongByField: { ai_outcome: 1 } });
    expect(c.events.wrongByField).toMatchObject({
      'conversation.ai_outcome': 1,
      'conversation.external_number': 1,
    });
    expect(c.wrong).toBe(1);
    const text = JSON.stringify(c);
    expect(text).not.toContain('Customer hung up angry');
    expect(text).not.toContain('+14155550199');
    expect(text).not.toContain('Refund issued');
  });

  it('reports an event applied twice: transcript lines or a list stored twice', () => {
    const expected = [answeredWithAi()];
    const snap = perfectStore(expected);
    const t = snap.transcripts.get('row-0')!;
    snap.transcripts.set('row-0', { lines: t.lines * 2, md5: 'x' });
    snap.calls.get('row-0')!.ai_action_items = [
      ...expected[0]!.conversation.recap!.actionItems,
      ...expected[0]!.conversation.recap!.actionItems,
    ];
    const c = compareSnapshot(expected, snap);
    expect(c.events.duplicated).toBe(2);
    expect(c.events.lost).toBe(0);
  });

  it('reports two rows for one conversation as duplicated events and a duplicated conversation', () => {
    const expected = [answeredWithAi()];
    const snap = perfectStore(expected);
    const second = { ...snap.calls.get('row-0')!, id: 'row-9' };
    snap.calls.set('row-9', second);
    snap.callsByDialpadId.set(expected[0]!.conversation.key, [snap.calls.get('row-0')!, second]);
    const c = compareSnapshot(expected, snap);
    expect(c.duplicated).toBe(1);
    expect(c.events.duplicated).toBe(6);
  });

  it('checks the account and the link to the Navigator record', () => {
    const expected = [answeredWithAi()];
    const snap = perfectStore(expected);
    snap.calls.get('row-0')!.account_id = OTHER_ACCOUNT;
    snap.calls.get('row-0')!.linked_entity_id = null;
    snap.calls.get('row-0')!.linked_entity_type = null;
    const c = compareSnapshot(expected, snap);
    expect(c.events.wrongByField).toEqual({ 'conversation.account_id': 1, 'conversation.linked_entity': 1 });
    // The other office of an internal call is tolerated, and counted apart.
    const tolerated = compareSnapshot([{ ...expected[0]!, alsoAccountIds: [OTHER_ACCOUNT], link: undefined }], snap);
    expect(tolerated.wrong).toBe(0);
    expect(Object.values(tolerated.events.notes)).toEqual([1]);
  });

  it('flags Ai data on a conversation that had none', () => {
    const expected = [voicemail()];
    const snap = perfectStore(expected);
    snap.calls.get('row-0')!.ai_summary = 'Something Dialpad never sent';
    expect(compareSnapshot(expected, snap).events.wrongByField).toEqual({ 'conversation.ai_summary': 1 });
  });

  it('leaves excused events out and does not judge their conversation whole', () => {
    const o = answeredWithAi();
    const snap = perfectStore([o]);
    const lostOne = o.events.find((e) => e.state === 'hangup')!;
    snap.deliveries.delete(eventKey(lostOne));
    snap.calls.get('row-0')!.status = 'in_progress';
    const c = compareSnapshot([{ ...o, excused: new Set([eventKey(lostOne)]) }], snap);
    expect(c.events).toMatchObject({ excused: 1, lost: 0, applied: 5 });
    expect([c.expected, c.excused, c.wrong]).toEqual([0, 1, 0]);
  });
});

describe('which given-up deliveries an outage excuses (both-outage-long)', () => {
  const delivery = (
    callId: string,
    attempts: [number, number | null][],
    outcome: DeliveryRecord['outcome'],
  ): DeliveryRecord => ({
    conversation: 0,
    callId,
    state: 'hangup',
    eventTimestamp: 1,
    duplicate: false,
    url: 'http://x',
    webhookId: null,
    contentType: null,
    signed: true,
    dueAt: attempts[0]![0],
    attempts: attempts.map(([at, status]) => ({ at, status })),
    outcome,
  });

  it('excuses only deliveries whose every try fell inside the outage', () => {
    const outage = { from: 1000, backAt: 20_000 };
    const j = judgeGivenUp(
      [
        delivery(
          'a',
          [
            [2000, 503],
            [4000, 503],
            [8000, 503],
            [16_000, 503],
          ],
          'exhausted',
        ),
        delivery(
          'b',
          [
            [500, 503],
            [2500, 503],
            [6500, 503],
            [14_500, 503],
          ],
          'exhausted',
        ),
        delivery(
          'c',
          [
            [12_000, 503],
            [14_000, 503],
            [18_000, 503],
            [21_000, 503],
          ],
          'exhausted',
        ),
        delivery('d', [[3000, 400]], 'rejected'),
        delivery(
          'e',
          [
            [3000, 503],
            [5000, 200],
          ],
          'delivered',
        ),
      ],
      outage,
    );
    expect([...j.excusedKeys]).toEqual(['a:hangup:1']);
    expect(j.notExcused.map((d) => d.callId)).toEqual(['b', 'c', 'd']);
    expect(j.s4xx).toBe(1);
    expect(j.s5xxAfterBack).toBe(1);
  });
});

describe('the declared route policies (api-auth)', () => {
  it('names a route without a declared policy, and a declared route the app lost', () => {
    const routes = Object.keys(DECLARED_ROUTES)
      .filter((n) => n !== 'GET /api/admin/dead-letters')
      .map((n) => ({ method: n.split(' ')[0]!, path: n.split(' ')[1]!.replace(/:p/g, ':id') }));
    routes.push({ method: 'HEAD', path: '/api/calls/:id' }, { method: 'POST', path: '/api/calls/:id/export' });
    expect(routePolicyGaps(routes)).toEqual({
      undeclared: ['POST /api/calls/:p/export'],
      missing: ['GET /api/admin/dead-letters'],
    });
    expect(declaredPolicy('HEAD', '/api/admin/dead-letters')).toBe('admin');
    expect(declaredPolicy('GET', '/api/calls/:callId')).toBe('api');
  });
});

describe('the constant-time statistic', () => {
  it('medians and MAD are robust to a few interrupted rounds', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([10, 10, 11, 9, 1000])).toBe(1);
  });

  it('passes equal medians, fails a difference above the A/A noise', () => {
    const base = Array.from({ length: 50 }, (_, i) => 1000 + (i % 7));
    const slow = base.map((x) => x * 1.2);
    const spiky = base.map((x, i) => (i % 10 === 0 ? x * 50 : x));
    expect(timingVerdict({ prefix: spiky, none: base, none2: base }, { batch: 10 }).withinNoise).toBe(true);
    const v = timingVerdict({ prefix: slow, none: base, none2: base }, { batch: 10 });
    expect(v.withinNoise).toBe(false);
    expect(v.relDiff).toBeCloseTo(0.2, 2);
    // A noisy run widens the threshold (3 × the A/A difference).
    const noisy = timingVerdict({ prefix: slow, none: base, none2: base.map((x) => x * 1.1) }, { batch: 10 });
    expect(noisy.threshold).toBeCloseTo(0.3, 2);
    expect(noisy.withinNoise).toBe(true);
  });
});
