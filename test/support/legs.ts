import type { CallLegEvent } from '../../workflows/shared/call-event';

export const OFFICE_ID = '5527348325810176';
let counter = 0;

/** A fresh, unique Dialpad-style id (16 digits). */
export function newDialpadId(): string {
  counter++;
  return String(5000000000000000 + Math.floor(Math.random() * 1e11) * 1000 + (counter % 1000));
}

/** A leg event with the fields of Dialpad's examples; override what the scenario needs. */
export function legEvent(overrides: Partial<CallLegEvent> & { callId: string; state: string }): CallLegEvent {
  return {
    eventTimestamp: 1764241396100,
    masterCallId: null,
    entryPointCallId: null,
    operatorCallId: null,
    direction: 'inbound',
    externalNumber: '+14155550142',
    internalNumber: '+15105550100',
    target: { id: '5991398486736896', type: 'user', name: 'Agent One', phone: '+15105550100', officeId: OFFICE_ID },
    contact: { id: '6131436978913280', type: 'local', name: 'Dana Whitfield', phone: '+14155550142', officeId: null },
    groupId: null,
    dateStarted: 1764241200000,
    dateConnected: null,
    dateEnded: 1764241395000,
    talkTimeMs: 0,
    totalDurationMs: 195000,
    isTransferred: false,
    recap: null,
    voicemailTranscription: null,
    ...overrides,
  };
}

export interface Scenario {
  name: string;
  events: CallLegEvent[];
  legIds: string[];
}

/**
 * A customer rings a call centre: the entry leg, four operator legs ringing at once (or
 * `operators`), one answers. Every leg gets a hangup; unanswered operator legs also get `missed`.
 * The caller's number is `externalNumber` (default legEvent's).
 */
export function callCentreCall(
  start = 1764241200000,
  opts: { operators?: number; externalNumber?: string } = {},
): Scenario & { answeringAgentId: string } {
  const entry = newDialpadId();
  const master = entry;
  const cc = {
    id: '6000000000000001',
    type: 'callcenter',
    name: 'Support',
    phone: '+15105550199',
    officeId: OFFICE_ID,
  };
  const agents = Array.from({ length: opts.operators ?? 4 }, (_, i) => String(5991398486736001 + i));
  const answering = 2;
  const caller = opts.externalNumber
    ? {
        externalNumber: opts.externalNumber,
        contact: { id: null, type: null, name: null, phone: opts.externalNumber, officeId: null },
      }
    : {};
  const operatorLegs = agents.map(() => newDialpadId());
  const end = start + 200_000;
  const events: CallLegEvent[] = [
    legEvent({
      ...caller,
      callId: entry,
      state: 'hangup',
      target: cc,
      masterCallId: null,
      dateStarted: start,
      dateConnected: start + 9_000,
      dateEnded: end,
      talkTimeMs: end - start - 9_000,
      eventTimestamp: end + 100,
      operatorCallId: operatorLegs[answering]!,
    }),
  ];
  agents.forEach((agentId, i) => {
    const legId = operatorLegs[i]!;
    const answered = i === answering;
    const legEnd = answered ? end : start + 9_000;
    const phone = `+1510555${String(100 + i).padStart(4, '0')}`;
    const base = {
      ...caller,
      callId: legId,
      masterCallId: master,
      entryPointCallId: entry,
      target: { id: agentId, type: 'user', name: `Agent ${i + 1}`, phone, officeId: OFFICE_ID },
      dateStarted: start + 1_000,
      dateConnected: answered ? start + 9_000 : null,
      dateEnded: legEnd,
      talkTimeMs: answered ? end - start - 9_000 : 0,
    };
    if (!answered) events.push(legEvent({ ...base, state: 'missed', eventTimestamp: legEnd + 50 }));
    events.push(legEvent({ ...base, state: 'hangup', eventTimestamp: legEnd + 100 }));
  });
  return { name: 'call centre', events, legIds: [entry, ...operatorLegs], answeringAgentId: agents[answering]! };
}

/** Agent One answers, then transfers to Agent Two: two legs linked by master_call_id. */
export function transferredCall(start = 1764241200000): Scenario {
  const first = newDialpadId();
  const second = newDialpadId();
  const events = [
    legEvent({
      callId: first,
      state: 'hangup',
      dateStarted: start,
      dateConnected: start + 5_000,
      dateEnded: start + 65_000,
      talkTimeMs: 60_000,
      isTransferred: true,
      eventTimestamp: start + 65_100,
    }),
    legEvent({
      callId: second,
      state: 'hangup',
      masterCallId: first,
      target: { id: '5991398486736999', type: 'user', name: 'Agent Two', phone: '+15105550109', officeId: OFFICE_ID },
      dateStarted: start + 64_000,
      dateConnected: start + 65_000,
      dateEnded: start + 125_000,
      talkTimeMs: 60_000,
      eventTimestamp: start + 125_100,
    }),
  ];
  return { name: 'transfer', events, legIds: [first, second] };
}

/** Every event up to `copies` times, in a seeded random order. */
export function shuffledWithDuplicates<T>(items: T[], seed: number, copies = 3): T[] {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: T[] = [];
  for (const item of items) for (let i = 0, n = 1 + Math.floor(rand() * copies); i < n; i++) out.push(item);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The webhook body Dialpad would send for a leg event (snake_case, numeric ids). */
export function toDialpadEvent(e: CallLegEvent): Record<string, unknown> {
  const party = (p: CallLegEvent['target']) =>
    p
      ? {
          id: p.id ? Number(p.id) : null,
          type: p.type,
          name: p.name,
          phone: p.phone,
          office_id: p.officeId ? Number(p.officeId) : undefined,
        }
      : {};
  return {
    call_id: Number(e.callId),
    state: e.state,
    event_timestamp: e.eventTimestamp,
    master_call_id: e.masterCallId ? Number(e.masterCallId) : null,
    entry_point_call_id: e.entryPointCallId ? Number(e.entryPointCallId) : null,
    operator_call_id: e.operatorCallId ? Number(e.operatorCallId) : null,
    direction: e.direction,
    external_number: e.externalNumber,
    internal_number: e.internalNumber,
    target: party(e.target),
    contact: party(e.contact),
    date_started: e.dateStarted,
    date_connected: e.dateConnected,
    date_ended: e.dateEnded,
    talk_time: e.talkTimeMs,
    total_duration: e.totalDurationMs,
    is_transferred: e.isTransferred,
    ...(e.recap?.summary ? { recap_summary: e.recap.summary } : {}),
    ...(e.recap?.outcome ? { recap_outcome: e.recap.outcome } : {}),
  };
}
