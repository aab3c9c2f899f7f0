import { isValidPhoneNumber } from 'libphonenumber-js/max';
import {
  CONVERSATION_KINDS,
  generateConversations,
  type CallLeg,
  type Conversation,
  type ConversationKind,
} from '../../tools/simulator/calls';
import { generateCompany } from '../../tools/simulator/company';
import { defaultAiOfficeIds } from '../../tools/simulator/state';
import { example, SMALL_COMPANY } from './support';

const AI_STATES = ['recap_summary', 'recap_outcome', 'recap_purposes', 'recap_action_items', 'call_transcription'];
const company = generateCompany({ seed: 'calls', size: SMALL_COMPANY });
const aiOffices = new Set(defaultAiOfficeIds(company));
const START = Date.UTC(2026, 10, 27, 9, 0, 0);

function generate(n: number, options: { seed?: string; kinds?: ConversationKind[] } = {}): Conversation[] {
  return generateConversations(
    {
      company,
      seed: options.seed ?? 'lifecycles',
      aiOfficeIds: aiOffices,
      ...(options.kinds ? { kinds: options.kinds } : {}),
      placeAt: (i) => START + i * 600_000,
    },
    n,
  );
}

const byKind = (convs: Conversation[], kind: ConversationKind) => convs.filter((c) => c.kind === kind);
const events = (c: Conversation, callId: string) => c.events.filter((e) => e.callId === callId);

describe('generated call lifecycles', () => {
  const all = generate(350, { kinds: [...CONVERSATION_KINDS, ...CONVERSATION_KINDS.slice(0, 3)] });

  it('are deterministic per seed and distinct across seeds', () => {
    expect(JSON.stringify(generate(20))).toBe(JSON.stringify(generate(20)));
    expect(generate(1, { seed: 'other' })[0]!.legs[0]!.call_id).not.toBe(generate(1)[0]!.legs[0]!.call_id);
    const ids = all.flatMap((c) => c.legs.map((l) => l.call_id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('give every leg exactly one hangup, consistent times and durations, and monotonic event timestamps', () => {
    for (const c of all) {
      for (const leg of c.legs) {
        const legEvents = events(c, leg.call_id);
        expect(legEvents.filter((e) => e.state === 'hangup')).toHaveLength(1);
        const ts = legEvents.map((e) => e.eventTimestamp);
        expect(new Set(ts).size).toBe(ts.length);
        expect(ts).toEqual([...ts].sort((a, b) => a - b));
        expect(leg.date_started).toBeLessThanOrEqual(leg.date_ended);
        if (leg.date_rang !== null) expect(leg.date_rang).toBeGreaterThanOrEqual(leg.date_started);
        if (leg.date_connected !== null) {
          expect(leg.date_connected).toBeGreaterThanOrEqual(leg.date_rang ?? leg.date_started);
          expect(leg.date_connected).toBeLessThanOrEqual(leg.date_ended);
          expect(leg.talk_time).toBe(leg.date_ended - leg.date_connected - leg.hold_time);
        } else {
          expect([leg.duration, leg.talk_time]).toEqual([0, 0]);
        }
        expect(leg.duration).toBe(leg.talk_time);
        // A double, as Dialpad's (8951.03 for dates 8951 ms apart): the fraction is below 1 ms.
        expect(leg.total_duration - (leg.date_ended - leg.date_started)).toBeGreaterThanOrEqual(0);
        expect(leg.total_duration - (leg.date_ended - leg.date_started)).toBeLessThan(1);
        const hangup = legEvents.find((e) => e.state === 'hangup')!;
        expect(hangup.eventTimestamp).toBeGreaterThanOrEqual(leg.date_ended);
        // What a hangup says about the leg is its final state.
        expect(hangup.payload).toMatchObject({
          date_connected: leg.date_connected,
          date_ended: leg.date_ended,
          talk_time: leg.talk_time,
        });
        // Earlier events do not know the future.
        for (const e of legEvents.filter((x) => x.eventTimestamp < leg.date_ended && x.state !== 'hangup')) {
          expect(e.payload.date_ended).toBeNull();
        }
      }
    }
  });

  it('route a call-centre call through an entry leg and one leg per ringing operator, one of whom answers', () => {
    const ccs = byKind(all, 'callcenter');
    expect(ccs.length).toBeGreaterThan(20);
    for (const c of ccs) {
      const [entry, ...operators] = c.legs as [CallLeg, ...CallLeg[]];
      expect(entry.target.type).toBe('callcenter');
      expect(entry.date_queued).not.toBeNull();
      expect(operators.length).toBeGreaterThanOrEqual(2);
      for (const op of operators) {
        expect(op).toMatchObject({ entry_point_call_id: entry.call_id, master_call_id: entry.call_id });
        expect(op.target.type).toBe('user');
        expect(op.entry_point_target).toMatchObject({ id: entry.target.id, type: 'callcenter' });
      }
      const answered = operators.filter((op) => op.date_connected !== null);
      expect(answered).toHaveLength(1);
      expect(entry.operator_call_id).toBe(answered[0]!.call_id);
      expect(c.expected).toMatchObject({
        key: entry.call_id,
        status: 'answered',
        answeringUserId: answered[0]!.target.id,
        internalNumber: entry.internal_number,
      });
      if (c.ai) expect(c.ai.callId).toBe(answered[0]!.call_id);
    }
    // Unanswered operator legs sometimes also get `missed`.
    const unanswered = ccs.flatMap((c) =>
      c.legs
        .slice(1)
        .filter((l) => l.date_connected === null)
        .map((l) => events(c, l.call_id)),
    );
    expect(unanswered.some((evs) => evs.some((e) => e.state === 'missed'))).toBe(true);
    expect(unanswered.some((evs) => !evs.some((e) => e.state === 'missed'))).toBe(true);
  });

  it('give a transfer a second agent leg under the first, and internal calls a leg per user', () => {
    for (const c of byKind(all, 'transfer')) {
      const [a, b] = c.legs as [CallLeg, CallLeg];
      expect(a.is_transferred).toBe(true);
      expect(b.master_call_id).toBe(a.call_id);
      expect(b.date_started).toBeGreaterThanOrEqual(a.date_ended);
      expect(c.expected.talkSeconds).toBe(Math.round((a.talk_time + b.talk_time) / 1000));
    }
    for (const c of byKind(all, 'internal')) {
      const [out, inbound] = c.legs as [CallLeg, CallLeg];
      expect([out.direction, inbound.direction]).toEqual(['outbound', 'inbound']);
      expect([out.contact.type, inbound.contact.type]).toEqual(['user', 'user']);
      expect(inbound.master_call_id).toBe(out.call_id);
      expect(c.expected).toMatchObject({ isInternal: true, externalNumber: inbound.internal_number });
    }
  });

  it('end unanswered calls as missed or voicemail, with the voicemail artefacts', () => {
    for (const c of byKind(all, 'inbound_missed')) {
      expect(c.expected.status).toBe('missed');
      expect(c.events.map((e) => e.state)).toEqual(expect.arrayContaining(['ringing', 'missed', 'hangup']));
    }
    for (const c of byKind(all, 'voicemail')) {
      expect(c.expected.status).toBe('voicemail');
      const uploaded = c.events.find((e) => e.state === 'voicemail_uploaded')!;
      expect(uploaded.payload.voicemail_link).toMatch(/^https:\/\//);
      expect(uploaded.payload.transcription_text).toBe(c.expected.voicemailTranscription);
      expect(c.ai).toBeNull();
    }
  });

  it('send the Ai events minutes after hangup, only for answered calls on Ai offices', () => {
    for (const c of all) {
      const aiEvents = c.events.filter((e) => e.phase === 'ai');
      const eligible = aiOffices.has(c.officeId) && c.expected.status === 'answered';
      expect(c.expected.hasAi).toBe(eligible);
      if (!eligible) {
        expect(aiEvents).toHaveLength(0);
        continue;
      }
      expect(aiEvents.map((e) => e.state).sort()).toEqual([...AI_STATES].sort());
      const leg = c.legs.find((l) => l.call_id === c.ai!.callId)!;
      for (const e of aiEvents) {
        expect(e.callId).toBe(leg.call_id);
        expect(e.eventTimestamp - leg.date_ended).toBeGreaterThanOrEqual(120_000);
      }
      const summary = aiEvents.find((e) => e.state === 'recap_summary')!;
      expect(summary.payload).toMatchObject({
        recap_summary: c.expected.recap!.summary,
        recap_outcome: c.expected.recap!.outcome,
        recap_purposes: c.expected.recap!.purposes,
        recap_action_items: c.expected.recap!.actionItems,
      });
      expect(aiEvents.find((e) => e.state === 'recap_outcome')!.payload).not.toHaveProperty('recap_summary');
      expect(c.ai!.transcript.some((l) => l.type === 'transcript' && l.user_id === leg.target.id)).toBe(true);
    }
    expect(all.some((c) => c.expected.hasAi)).toBe(true);
  });

  it('bring callers from the US, GB, AU, DE and FR, with valid E.164 numbers', () => {
    const countries = new Set(all.map((c) => c.expected.externalCountry).filter(Boolean));
    expect([...countries].sort()).toEqual(['AU', 'DE', 'FR', 'GB', 'US']);
    for (const c of all) {
      expect(isValidPhoneNumber(c.expected.externalNumber)).toBe(true);
      expect(isValidPhoneNumber(c.expected.internalNumber)).toBe(true);
      expect(c.expected.legCallIds).toEqual(c.legs.map((l) => l.call_id));
      expect(c.expected.key).toBe(c.legs[0]!.call_id);
    }
    expect(all.some((c) => c.expected.knownContact)).toBe(true);
    expect(all.some((c) => !c.expected.knownContact && !c.expected.isInternal)).toBe(true);
  });

  it('carry at least every field of the example payloads', () => {
    const keys = (o: object) => Object.keys(o);
    const byState = (state: string) => all.flatMap((c) => c.events).find((e) => e.state === state)!.payload;
    expect(keys(byState('hangup'))).toEqual(expect.arrayContaining(keys(example('hangup-answered-inbound'))));
    expect(keys(byState('missed'))).toEqual(expect.arrayContaining(keys(example('missed-inbound'))));
    expect(keys(byState('recap_summary'))).toEqual(expect.arrayContaining(keys(example('recap-summary'))));
    expect(keys(byState('call_transcription'))).toEqual(expect.arrayContaining(keys(example('call-transcription'))));
    expect(keys(byState('voicemail_uploaded'))).toEqual(expect.arrayContaining(keys(example('voicemail-uploaded'))));
  });
});
