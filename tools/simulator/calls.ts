import { generateAi, type AiRecapContent, type Tone, type TranscriptLine } from './ai-content';
import type { SimCompany, SimContact, SimGroup, SimUser } from './company';
import { callerIdName, randomPhone, type SimCountry } from './phones';
import { IdFactory, Random } from './random';

/**
 * Realistic Dialpad call lifecycles (API-NOTES §2–3): the legs of each conversation, with the ids,
 * links and timestamps Dialpad uses, the events Dialpad would send for them, the Ai artefacts, and
 * the outcome Navigator should record. Pure: the emitter delivers, the simulator serves.
 *
 * Leg conventions (the notes leave room; these are one faithful reading):
 * - a call-centre call has an entry leg (target callcenter, `date_queued`, `operator_call_id` = the
 *   answering agent's leg) and one leg per ringing operator (`entry_point_call_id` and
 *   `master_call_id` = the entry leg); only one operator leg connects;
 * - a transfer ends the first agent's leg (`is_transferred`) and opens a new leg for the second
 *   agent whose `master_call_id` is the first leg;
 * - an internal call is two legs, the caller's outbound one and the callee's inbound one
 *   (`master_call_id` = the outbound leg), each showing the other user as `contact` (type user);
 * - every leg gets a `hangup`, answered or not; unanswered inbound legs often also get `missed`.
 */

export type ConversationKind =
  'inbound_answered' | 'inbound_missed' | 'voicemail' | 'outbound' | 'callcenter' | 'transfer' | 'internal';

export const CONVERSATION_KINDS: readonly ConversationKind[] = [
  'inbound_answered',
  'inbound_missed',
  'voicemail',
  'outbound',
  'callcenter',
  'transfer',
  'internal',
];

export const DEFAULT_KIND_WEIGHTS: Record<ConversationKind, number> = {
  inbound_answered: 25,
  inbound_missed: 12,
  voicemail: 10,
  outbound: 20,
  callcenter: 15,
  transfer: 8,
  internal: 10,
};

export interface CallParty {
  id: string;
  name: string;
  phone: string;
  email: string;
  type: string;
  office_id?: string;
}

/** A leg as Dialpad's CallProto in its final state (ids as strings, times epoch ms). */
export interface CallLeg {
  master_call_id: string | null;
  entry_point_call_id: string | null;
  operator_call_id: string | null;
  direction: 'inbound' | 'outbound';
  external_number: string;
  internal_number: string;
  contact: CallParty;
  target: CallParty;
  entry_point_target: CallParty | Record<string, never>;
  proxy_target: Record<string, never>;
  group_id: string;
  target_availability_status: string;
  date_started: number;
  date_first_rang: number | null;
  date_queued: number | null;
  date_rang: number | null;
  date_connected: number | null;
  date_ended: number;
  duration: number;
  total_duration: number;
  talk_time: number;
  hold_time: number;
  is_transferred: boolean;
  was_recorded: boolean;
  call_recording_ids: string[];
  recording_details: { id: string; url: string; duration: number; start_time: number; recording_type: string }[];
  routing_breadcrumbs: unknown[];
  labels: string[];
  mos_score: number;
  csat_score: null;
  callback_requested: null;
  transcription_text: string | null;
  voicemail_link: string | null;
  voicemail_recording_id: string | null;
  call_id: string;
}

export type CallEventPhase = 'live' | 'ai';

/** One event Dialpad would send: `payload` is the flat event object (ids as strings). */
export interface CallEvent {
  callId: string;
  state: string;
  eventTimestamp: number;
  phase: CallEventPhase;
  payload: Record<string, unknown>;
}

export interface ExpectedConversation {
  /** The conversation's first leg: entry leg, first agent's leg, or the caller's leg. */
  key: string;
  kind: ConversationKind;
  officeId: string;
  direction: 'inbound' | 'outbound';
  status: 'answered' | 'missed' | 'voicemail';
  /** The other party, E.164 (for an internal call, the callee's number). */
  externalNumber: string;
  externalCountry: SimCountry | null;
  /** The Dialpad number involved: the one dialled (inbound) or the caller's line (outbound). */
  internalNumber: string;
  startedAt: string;
  endedAt: string;
  /** Conversation time: the talk_time of the agent legs, summed (entry legs overlap them). */
  talkSeconds: number;
  /** The user who answered (inbound) or placed the call (outbound); null when nobody answered. */
  answeringUserId: string | null;
  /** Internal calls: the user called. */
  calleeUserId: string | null;
  /** Dialpad's contact id for the external party, and whether it is one of the company's contacts. */
  contactId: string | null;
  knownContact: boolean;
  isInternal: boolean;
  hasAi: boolean;
  /** The leg the Ai events and the transcript / ai_recap belong to. */
  aiCallId: string | null;
  recap: { summary: string; outcome: string; purposes: string[]; actionItems: string[] } | null;
  tone: Tone | null;
  voicemailTranscription: string | null;
  legCallIds: string[];
}

export interface ConversationAiArtifacts {
  callId: string;
  recap: AiRecapContent;
  transcript: TranscriptLine[];
  isInternal: boolean;
  /** Virtual time of the first Ai event: from then on Dialpad serves the transcript and recap. */
  readyAt: number;
}

export interface Conversation {
  index: number;
  kind: ConversationKind;
  officeId: string;
  legs: CallLeg[];
  events: CallEvent[];
  ai: ConversationAiArtifacts | null;
  expected: ExpectedConversation;
  /** Virtual span of the live events after the conversation start, and of the Ai events. */
  liveSpanMs: number;
  aiSpanMs: number;
}

export interface GenerateOptions {
  company: SimCompany;
  /** Seed of the calls (not the company): same seed, same conversations and call ids. */
  seed: string;
  aiOfficeIds: ReadonlySet<string>;
  kindWeights?: Partial<Record<ConversationKind, number>>;
  /** Fixed kinds in order (cycled), instead of drawing by weight. */
  kinds?: readonly ConversationKind[];
  /**
   * The conversation's start time (epoch ms, virtual), given its live and Ai spans: the emitter
   * places conversations so that no event is timestamped after the moment it is delivered.
   */
  placeAt: (index: number, liveSpanMs: number, aiSpanMs: number) => number;
}

/** Generates `count` conversations. Call ids are unique across them. */
export function generateConversations(options: GenerateOptions, count: number): Conversation[] {
  const ids = new IdFactory(new Random(options.seed, 'call-ids'), options.company.largeIds);
  const out: Conversation[] = [];
  for (let i = 0; i < count; i++) out.push(generateConversation(options, ids, i));
  return out;
}

interface Step {
  callId: string;
  state: string;
  at: number;
}

interface Draft {
  kind: ConversationKind;
  officeId: string;
  legs: CallLeg[];
  steps: Step[];
  /** Who talked, for the Ai artefacts. */
  aiLeg: { callId: string; agent: SimUser; callerName: string; callerContactId: string | null } | null;
  expected: Omit<
    ExpectedConversation,
    'startedAt' | 'endedAt' | 'hasAi' | 'aiCallId' | 'recap' | 'tone' | 'legCallIds' | 'kind' | 'officeId'
  >;
}

interface External {
  party: CallParty;
  country: SimCountry | null;
  known: boolean;
}

function generateConversation(options: GenerateOptions, ids: IdFactory, index: number): Conversation {
  const { company } = options;
  const r = new Random(options.seed, 'conversation', index);
  const kind = options.kinds?.length
    ? (options.kinds[index % options.kinds.length] as ConversationKind)
    : r.weighted(CONVERSATION_KINDS.map((k) => [k, options.kindWeights?.[k] ?? DEFAULT_KIND_WEIGHTS[k]] as const));
  const draft = buildDraft(kind, r, company, ids);

  // Relative timeline → absolute: place the conversation so its events are in the past when sent.
  const liveSpanMs = Math.max(...draft.steps.map((s) => s.at));
  const aiLeg = draft.aiLeg && options.aiOfficeIds.has(draft.officeId) ? draft.aiLeg : null;
  const aiStates = ['recap_summary', 'recap_outcome', 'recap_purposes', 'recap_action_items', 'call_transcription'];
  const aiSteps: Step[] = [];
  if (aiLeg) {
    const leg = draft.legs.find((l) => l.call_id === aiLeg.callId) as CallLeg;
    // "Minutes after hangup" (API-NOTES §2): 2–5 minutes, then the parts a few seconds apart.
    let at = leg.date_ended + r.int(120_000, 300_000);
    for (const state of r.shuffle([...aiStates])) {
      aiSteps.push({ callId: aiLeg.callId, state, at });
      at += r.int(500, 15_000);
    }
  }
  const aiSpanMs = aiSteps.length ? Math.max(...aiSteps.map((s) => s.at)) - liveSpanMs : 0;
  const base = options.placeAt(index, liveSpanMs, aiSpanMs);
  for (const leg of draft.legs) shiftLeg(leg, base);
  for (const s of [...draft.steps, ...aiSteps]) s.at += base;

  let ai: ConversationAiArtifacts | null = null;
  if (aiLeg) {
    const leg = draft.legs.find((l) => l.call_id === aiLeg.callId) as CallLeg;
    const generated = generateAi(r, {
      agentName: aiLeg.agent.firstName + ' ' + aiLeg.agent.lastName,
      agentUserId: aiLeg.agent.id,
      callerName: aiLeg.callerName,
      callerContactId: aiLeg.callerContactId,
      connectedAt: leg.date_connected ?? leg.date_started,
      endedAt: leg.date_ended,
      internal: draft.expected.isInternal,
    });
    ai = {
      callId: aiLeg.callId,
      recap: generated.recap,
      transcript: generated.transcript,
      isInternal: draft.expected.isInternal,
      readyAt: Math.min(...aiSteps.map((s) => s.at)),
    };
    // Ai needs recording on the line (API-NOTES §4).
    const recordingId = ids.next();
    leg.was_recorded = true;
    leg.call_recording_ids = [recordingId];
    leg.recording_details = [
      {
        id: recordingId,
        url: `https://dialpad.com/r/recording/${recordingId}`,
        duration: leg.talk_time,
        start_time: leg.date_connected ?? leg.date_started,
        recording_type: 'callrecording',
      },
    ];
  }

  const legById = new Map(draft.legs.map((l) => [l.call_id, l]));
  const events: CallEvent[] = [];
  for (const s of draft.steps) {
    events.push({
      callId: s.callId,
      state: s.state,
      eventTimestamp: s.at,
      phase: 'live',
      payload: snapshot(legById.get(s.callId) as CallLeg, s.state, s.at),
    });
  }
  for (const s of aiSteps) {
    const recap = (ai as ConversationAiArtifacts).recap;
    events.push({
      callId: s.callId,
      state: s.state,
      eventTimestamp: s.at,
      phase: 'ai',
      payload: snapshot(legById.get(s.callId) as CallLeg, s.state, s.at, recapFields(s.state, recap)),
    });
  }
  events.sort((a, b) => a.eventTimestamp - b.eventTimestamp);

  const startedAt = Math.min(...draft.legs.map((l) => l.date_started));
  const endedAt = Math.max(...draft.legs.map((l) => l.date_ended));
  return {
    index,
    kind: draft.kind,
    officeId: draft.officeId,
    legs: draft.legs,
    events,
    ai,
    liveSpanMs,
    aiSpanMs,
    expected: {
      ...draft.expected,
      kind: draft.kind,
      officeId: draft.officeId,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      hasAi: ai !== null,
      aiCallId: ai?.callId ?? null,
      recap: ai
        ? {
            summary: ai.recap.summary,
            outcome: ai.recap.outcome,
            purposes: ai.recap.purposes.map((p) => p.category),
            actionItems: ai.recap.actionItems,
          }
        : null,
      tone: ai?.recap.tone ?? null,
      legCallIds: draft.legs.map((l) => l.call_id),
    },
  };
}

/**
 * The recap_summary event carries every recap field (as in examples/recap-summary.json); the
 * other recap events carry only their own, so a consumer must merge them.
 */
function recapFields(state: string, recap: AiRecapContent): Record<string, unknown> {
  const purposes = recap.purposes.map((p) => p.category);
  switch (state) {
    case 'recap_summary':
      return {
        recap_summary: recap.summary,
        recap_action_items: recap.actionItems,
        recap_outcome: recap.outcome,
        recap_purposes: purposes,
      };
    case 'recap_outcome':
      return { recap_outcome: recap.outcome };
    case 'recap_purposes':
      return { recap_purposes: purposes };
    case 'recap_action_items':
      return { recap_action_items: recap.actionItems };
    default:
      return {};
  }
}

/** The leg as Dialpad would describe it when `state` fired at `at`: later facts are not known yet. */
export function snapshot(
  leg: CallLeg,
  state: string,
  at: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const known = (t: number | null) => (t !== null && t <= at ? t : null);
  // A `missed` before voicemail fires while the leg is still up; a hangup or Ai event comes after.
  const ended = at >= leg.date_ended;
  const voicemailStored = state === 'voicemail_uploaded' || state === 'transcription';
  return {
    master_call_id: leg.master_call_id,
    entry_point_call_id: leg.entry_point_call_id,
    operator_call_id: known(leg.date_connected) === null && !ended ? null : leg.operator_call_id,
    direction: leg.direction,
    external_number: leg.external_number,
    internal_number: leg.internal_number,
    contact: { ...leg.contact },
    target: { ...leg.target },
    entry_point_target: { ...leg.entry_point_target },
    proxy_target: {},
    group_id: leg.group_id,
    target_availability_status: leg.target_availability_status,
    date_started: leg.date_started,
    date_first_rang: known(leg.date_first_rang),
    date_queued: known(leg.date_queued),
    date_rang: known(leg.date_rang),
    date_connected: known(leg.date_connected),
    date_ended: ended ? leg.date_ended : null,
    duration: ended ? leg.duration : 0,
    total_duration: ended ? leg.total_duration : 0,
    talk_time: ended ? leg.talk_time : 0,
    hold_time: ended ? leg.hold_time : 0,
    is_transferred: leg.is_transferred && ended,
    was_recorded: leg.was_recorded,
    call_recording_ids: ended ? leg.call_recording_ids : [],
    recording_details: ended ? leg.recording_details : [],
    routing_breadcrumbs: leg.routing_breadcrumbs,
    labels: leg.labels,
    mos_score: ended ? leg.mos_score : null,
    csat_score: null,
    callback_requested: null,
    transcription_text: voicemailStored ? leg.transcription_text : null,
    voicemail_link: voicemailStored ? leg.voicemail_link : null,
    voicemail_recording_id: voicemailStored ? leg.voicemail_recording_id : null,
    call_id: leg.call_id,
    state,
    event_timestamp: at,
    ...extra,
  };
}

function shiftLeg(leg: CallLeg, by: number): void {
  leg.date_started += by;
  leg.date_ended += by;
  if (leg.date_first_rang !== null) leg.date_first_rang += by;
  if (leg.date_queued !== null) leg.date_queued += by;
  if (leg.date_rang !== null) leg.date_rang += by;
  if (leg.date_connected !== null) leg.date_connected += by;
}

// ── Scenario builders (relative time: the conversation starts at 0) ────────────────────────────

function buildDraft(kind: ConversationKind, r: Random, company: SimCompany, ids: IdFactory): Draft {
  const offices = company.offices.filter((o) => (company.usersByOffice.get(o.id)?.length ?? 0) > 0);
  if (offices.length === 0) throw new Error('the simulated company has no users to take calls');
  const callCenters = company.callCenters.filter((c) => c.operatorUserIds.length >= 2);
  const transferOffices = offices.filter((o) => (company.usersByOffice.get(o.id)?.length ?? 0) >= 2);
  if (kind === 'callcenter' && callCenters.length > 0) return callCenterCall(r, company, ids, r.pick(callCenters));
  if (kind === 'transfer' && transferOffices.length > 0)
    return transferCall(r, company, ids, r.pick(transferOffices).id);
  if (kind === 'internal' && company.users.length >= 2) return internalCall(r, company, ids);
  const office = r.pick(offices);
  const user = r.pick(company.usersByOffice.get(office.id) as SimUser[]);
  switch (kind) {
    case 'outbound':
      return outboundCall(r, company, ids, user);
    case 'inbound_missed':
      return directInbound(r, company, ids, user, 'missed');
    case 'voicemail':
      return directInbound(r, company, ids, user, 'voicemail');
    default:
      return directInbound(r, company, ids, user, 'answered');
  }
}

const jitter = (r: Random) => r.int(20, 150);

function userParty(u: SimUser): CallParty {
  return {
    id: u.id,
    name: `${u.firstName} ${u.lastName}`,
    phone: u.phone,
    email: u.email,
    type: 'user',
    office_id: u.officeId,
  };
}

/** An internal caller or callee as the `contact` of the other user's leg. */
function userAsContact(u: SimUser): CallParty {
  return { id: u.id, name: `${u.firstName} ${u.lastName}`, phone: u.phone, email: u.email, type: 'user' };
}

function groupParty(g: SimGroup): CallParty {
  return { id: g.id, name: g.name, phone: g.phone, email: '', type: g.kind, office_id: g.officeId };
}

const UNKNOWN_CALLER_COUNTRIES: readonly (readonly [SimCountry, number])[] = [
  ['US', 35],
  ['GB', 20],
  ['AU', 15],
  ['DE', 15],
  ['FR', 15],
];

function externalParty(r: Random, company: SimCompany, ids: IdFactory): External {
  if (company.contacts.length > 0 && r.chance(0.65)) {
    // Contacts created through PUT /contacts with a uid (ours, pushed back) call again: a quarter
    // of known callers when there are any, so their `<digits>_uid_<uid>` ids show up in events.
    const pushed = company.contactsCreatedWithUid ?? [];
    const pool = pushed.length > 0 && r.chance(0.25) ? pushed : company.contacts;
    for (let tries = 0; tries < 10; tries++) {
      const c = pool[r.int(0, pool.length - 1)] as SimContact;
      const phone = c.phones[0];
      if (!phone) continue;
      return {
        party: {
          id: c.id,
          name: `${c.firstName} ${c.lastName}`,
          phone,
          email: c.emails[0] ?? '',
          type: c.type,
        },
        country: c.country,
        known: true,
      };
    }
  }
  const country = r.weighted(UNKNOWN_CALLER_COUNTRIES);
  const phone = randomPhone(r, country, r.chance(0.5) ? 'mobile' : 'landline');
  // Dialpad still gives an unknown caller a (local) contact id, named after the number or place.
  return {
    party: { id: ids.next(), name: callerIdName(r, phone, country), phone, email: '', type: 'local' },
    country,
    known: false,
  };
}

function baseLeg(
  r: Random,
  p: Pick<
    CallLeg,
    'call_id' | 'direction' | 'external_number' | 'internal_number' | 'contact' | 'target' | 'group_id'
  > &
    Partial<CallLeg>,
): CallLeg {
  const leg: CallLeg = {
    master_call_id: null,
    entry_point_call_id: null,
    operator_call_id: null,
    entry_point_target: {},
    proxy_target: {},
    target_availability_status: 'open',
    date_started: 0,
    date_first_rang: null,
    date_queued: null,
    date_rang: null,
    date_connected: null,
    date_ended: 0,
    duration: 0,
    total_duration: 0,
    talk_time: 0,
    hold_time: 0,
    is_transferred: false,
    was_recorded: false,
    call_recording_ids: [],
    recording_details: [],
    routing_breadcrumbs: [],
    labels: [],
    mos_score: Math.round((3.8 + r.next() * 0.65) * 100) / 100,
    csat_score: null,
    callback_requested: null,
    transcription_text: null,
    voicemail_link: null,
    voicemail_recording_id: null,
    ...p,
  };
  return leg;
}

/**
 * Dialpad measures durations as doubles: real payloads carry `total_duration: 8951.03` where the
 * dates are 8951 ms apart. Half the legs (by call id, no random draw) get such a fraction.
 */
function durationFraction(callId: string): number {
  const n = Number(callId.slice(-3));
  return n % 2 === 0 ? (n % 100) / 100 : 0;
}

/** Durations once the times are final: talk excludes hold, all in ms. */
function finish(leg: CallLeg, holdMs = 0): CallLeg {
  leg.total_duration = leg.date_ended - leg.date_started + durationFraction(leg.call_id);
  leg.hold_time = leg.date_connected === null ? 0 : holdMs;
  leg.talk_time = leg.date_connected === null ? 0 : leg.date_ended - leg.date_connected - leg.hold_time;
  leg.duration = leg.talk_time;
  return leg;
}

const talkDuration = (r: Random) => r.duration(180_000, 15_000, 1_800_000);
const holdDuration = (r: Random) => (r.chance(0.12) ? r.int(10_000, 90_000) : 0);

function directInbound(
  r: Random,
  company: SimCompany,
  ids: IdFactory,
  user: SimUser,
  outcome: 'answered' | 'missed' | 'voicemail',
): Draft {
  const ext = externalParty(r, company, ids);
  const callId = ids.next();
  const leg = baseLeg(r, {
    call_id: callId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: user.phone,
    contact: ext.party,
    target: userParty(user),
    group_id: `Office:${user.officeId}`,
  });
  leg.date_started = 0;
  leg.date_rang = leg.date_first_rang = r.int(200, 900);
  const steps: Step[] = [{ callId, state: 'ringing', at: leg.date_rang + jitter(r) }];
  let hold = 0;
  if (outcome === 'answered') {
    leg.date_connected = leg.date_rang + r.int(3_000, 20_000);
    hold = holdDuration(r);
    leg.date_ended = leg.date_connected + talkDuration(r) + hold;
    steps.push({ callId, state: 'connected', at: leg.date_connected + jitter(r) });
    steps.push({ callId, state: 'hangup', at: leg.date_ended + r.int(300, 2_000) });
  } else if (outcome === 'missed') {
    leg.date_ended = leg.date_rang + r.int(15_000, 35_000);
    steps.push({ callId, state: 'missed', at: leg.date_ended + r.int(100, 400) });
    steps.push({ callId, state: 'hangup', at: leg.date_ended + r.int(500, 1_800) });
  } else {
    const voicemailAt = leg.date_rang + r.int(15_000, 30_000);
    leg.date_ended = voicemailAt + r.int(8_000, 60_000);
    leg.was_recorded = true;
    leg.voicemail_recording_id = ids.next();
    leg.voicemail_link = `https://dialpad.com/r/voicemail/${callId}`;
    const who = ext.known ? ext.party.name.split(' ')[0] : 'a customer';
    leg.transcription_text = `Hi, it's ${who}, ${r.pick(VOICEMAIL_REASONS)} Please call me back on ${ext.party.phone}. Thanks.`;
    if (r.chance(0.5)) steps.push({ callId, state: 'missed', at: voicemailAt + r.int(50, 200) });
    steps.push({ callId, state: 'voicemail', at: voicemailAt + r.int(250, 600) });
    steps.push({ callId, state: 'hangup', at: leg.date_ended + r.int(300, 1_500) });
    const uploaded = leg.date_ended + r.int(20_000, 60_000);
    steps.push({ callId, state: 'voicemail_uploaded', at: uploaded });
    steps.push({ callId, state: 'transcription', at: uploaded + r.int(5_000, 30_000) });
  }
  finish(leg, hold);
  return {
    kind: outcome === 'answered' ? 'inbound_answered' : outcome === 'missed' ? 'inbound_missed' : 'voicemail',
    officeId: user.officeId,
    legs: [leg],
    steps,
    aiLeg:
      outcome === 'answered'
        ? { callId, agent: user, callerName: ext.party.name, callerContactId: ext.party.id }
        : null,
    expected: {
      key: callId,
      direction: 'inbound',
      status: outcome,
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: user.phone,
      talkSeconds: Math.round(leg.talk_time / 1000),
      answeringUserId: outcome === 'answered' ? user.id : null,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: outcome === 'voicemail' ? leg.transcription_text : null,
    },
  };
}

const VOICEMAIL_REASONS = [
  'calling about the invoice from last month.',
  'I wanted to check on the status of our order.',
  'we need to reschedule Thursday’s delivery.',
  'I have a question about your pricing for next quarter.',
  'the replacement part still has not arrived.',
] as const;

function outboundCall(r: Random, company: SimCompany, ids: IdFactory, user: SimUser): Draft {
  const ext = externalParty(r, company, ids);
  const callId = ids.next();
  const leg = baseLeg(r, {
    call_id: callId,
    direction: 'outbound',
    external_number: ext.party.phone,
    internal_number: user.phone,
    contact: ext.party,
    target: userParty(user),
    group_id: `Office:${user.officeId}`,
  });
  leg.date_connected = r.int(4_000, 25_000);
  const hold = holdDuration(r);
  leg.date_ended = leg.date_connected + talkDuration(r) + hold;
  finish(leg, hold);
  return {
    kind: 'outbound',
    officeId: user.officeId,
    legs: [leg],
    steps: [
      { callId, state: 'calling', at: r.int(50, 300) },
      { callId, state: 'connected', at: leg.date_connected + jitter(r) },
      { callId, state: 'hangup', at: leg.date_ended + r.int(300, 2_000) },
    ],
    aiLeg: { callId, agent: user, callerName: ext.party.name, callerContactId: ext.party.id },
    expected: {
      key: callId,
      direction: 'outbound',
      status: 'answered',
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: user.phone,
      talkSeconds: Math.round(leg.talk_time / 1000),
      answeringUserId: user.id,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: null,
    },
  };
}

function callCenterCall(r: Random, company: SimCompany, ids: IdFactory, cc: SimGroup): Draft {
  const ext = externalParty(r, company, ids);
  const entryId = ids.next();
  const entry = baseLeg(r, {
    call_id: entryId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: cc.phone,
    contact: ext.party,
    target: groupParty(cc),
    group_id: `CallCenter:${cc.id}`,
  });
  entry.date_queued = r.int(500, 3_000);
  const operators = r
    .shuffle([...cc.operatorUserIds])
    .slice(0, Math.min(cc.operatorUserIds.length, r.int(2, 4)))
    .map((id) => company.userById.get(id) as SimUser);
  const answering = r.int(0, operators.length - 1);
  const ringStart = entry.date_queued + r.int(200, 4_000);
  const answeredAt = ringStart + r.int(3_000, 15_000);
  const hold = holdDuration(r);
  const talkEnd = answeredAt + talkDuration(r) + hold;
  const steps: Step[] = [{ callId: entryId, state: 'queued', at: entry.date_queued + jitter(r) }];
  const operatorLegs: CallLeg[] = [];
  let answeringLeg: CallLeg | null = null;
  operators.forEach((user, i) => {
    const id = ids.next();
    const leg = baseLeg(r, {
      call_id: id,
      master_call_id: entryId,
      entry_point_call_id: entryId,
      direction: 'inbound',
      external_number: ext.party.phone,
      internal_number: cc.phone,
      contact: ext.party,
      target: userParty(user),
      entry_point_target: groupParty(cc),
      group_id: `CallCenter:${cc.id}`,
    });
    leg.date_started = ringStart + r.int(0, 400);
    leg.date_rang = leg.date_first_rang = leg.date_started + r.int(50, 300);
    steps.push({ callId: id, state: 'ringing', at: leg.date_rang + jitter(r) });
    if (i === answering) {
      leg.date_connected = answeredAt;
      leg.date_ended = talkEnd;
      finish(leg, hold);
      steps.push({ callId: id, state: 'connected', at: answeredAt + jitter(r) });
      steps.push({ callId: id, state: 'hangup', at: talkEnd + r.int(300, 2_000) });
      answeringLeg = leg;
    } else {
      // The others stop ringing when someone answers.
      leg.date_ended = Math.max(leg.date_rang + 500, answeredAt + r.int(0, 600));
      finish(leg);
      if (r.chance(0.5)) steps.push({ callId: id, state: 'missed', at: leg.date_ended + r.int(50, 300) });
      steps.push({ callId: id, state: 'hangup', at: leg.date_ended + r.int(300, 1_800) });
    }
    operatorLegs.push(leg);
  });
  const agentLeg = answeringLeg as unknown as CallLeg;
  const agent = operators[answering] as SimUser;
  entry.operator_call_id = agentLeg.call_id;
  entry.date_connected = answeredAt;
  entry.date_ended = talkEnd + r.int(50, 400);
  finish(entry, hold);
  steps.push({ callId: entryId, state: 'connected', at: answeredAt + jitter(r) });
  steps.push({ callId: entryId, state: 'hangup', at: entry.date_ended + r.int(300, 2_000) });
  return {
    kind: 'callcenter',
    officeId: cc.officeId,
    legs: [entry, ...operatorLegs],
    steps,
    aiLeg: { callId: agentLeg.call_id, agent, callerName: ext.party.name, callerContactId: ext.party.id },
    expected: {
      key: entryId,
      direction: 'inbound',
      status: 'answered',
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: cc.phone,
      talkSeconds: Math.round(agentLeg.talk_time / 1000),
      answeringUserId: agent.id,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: null,
    },
  };
}

function transferCall(r: Random, company: SimCompany, ids: IdFactory, officeId: string): Draft {
  const [first, second] = r.shuffle([...(company.usersByOffice.get(officeId) as SimUser[])]) as [SimUser, SimUser];
  const ext = externalParty(r, company, ids);
  const firstId = ids.next();
  const a = baseLeg(r, {
    call_id: firstId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: first.phone,
    contact: ext.party,
    target: userParty(first),
    group_id: `Office:${officeId}`,
  });
  a.date_rang = a.date_first_rang = r.int(200, 900);
  a.date_connected = a.date_rang + r.int(3_000, 15_000);
  a.date_ended = a.date_connected + r.duration(60_000, 10_000, 600_000);
  a.is_transferred = true;
  finish(a);
  const secondId = ids.next();
  const b = baseLeg(r, {
    call_id: secondId,
    master_call_id: firstId,
    direction: 'inbound',
    external_number: ext.party.phone,
    internal_number: second.phone,
    contact: ext.party,
    target: userParty(second),
    group_id: `Office:${officeId}`,
  });
  b.date_started = a.date_ended + r.int(100, 500);
  b.date_rang = b.date_first_rang = b.date_started + r.int(100, 300);
  b.date_connected = b.date_rang + r.int(3_000, 12_000);
  const hold = holdDuration(r);
  b.date_ended = b.date_connected + talkDuration(r) + hold;
  finish(b, hold);
  return {
    kind: 'transfer',
    officeId,
    legs: [a, b],
    steps: [
      { callId: firstId, state: 'ringing', at: a.date_rang + jitter(r) },
      { callId: firstId, state: 'connected', at: a.date_connected + jitter(r) },
      { callId: firstId, state: 'hangup', at: a.date_ended + r.int(200, 1_000) },
      { callId: secondId, state: 'ringing', at: b.date_rang + jitter(r) },
      { callId: secondId, state: 'connected', at: b.date_connected + jitter(r) },
      { callId: secondId, state: 'hangup', at: b.date_ended + r.int(300, 2_000) },
    ],
    aiLeg: { callId: secondId, agent: second, callerName: ext.party.name, callerContactId: ext.party.id },
    expected: {
      key: firstId,
      direction: 'inbound',
      status: 'answered',
      externalNumber: ext.party.phone,
      externalCountry: ext.country,
      internalNumber: first.phone,
      talkSeconds: Math.round((a.talk_time + b.talk_time) / 1000),
      answeringUserId: first.id,
      calleeUserId: null,
      contactId: ext.party.id,
      knownContact: ext.known,
      isInternal: false,
      voicemailTranscription: null,
    },
  };
}

function internalCall(r: Random, company: SimCompany, ids: IdFactory): Draft {
  const caller = r.pick(company.users);
  let callee = r.pick(company.users);
  while (callee.id === caller.id) callee = r.pick(company.users);
  const answered = r.chance(0.8);
  const outId = ids.next();
  const inId = ids.next();
  const out = baseLeg(r, {
    call_id: outId,
    direction: 'outbound',
    external_number: callee.phone,
    internal_number: caller.phone,
    contact: userAsContact(callee),
    target: userParty(caller),
    group_id: `Office:${caller.officeId}`,
  });
  const inbound = baseLeg(r, {
    call_id: inId,
    master_call_id: outId,
    direction: 'inbound',
    external_number: caller.phone,
    internal_number: callee.phone,
    contact: userAsContact(caller),
    target: userParty(callee),
    group_id: `Office:${callee.officeId}`,
  });
  inbound.date_started = r.int(100, 400);
  inbound.date_rang = inbound.date_first_rang = inbound.date_started + r.int(50, 200);
  const steps: Step[] = [
    { callId: outId, state: 'calling', at: r.int(20, 100) },
    { callId: inId, state: 'ringing', at: inbound.date_rang + jitter(r) },
  ];
  if (answered) {
    const connectedAt = inbound.date_rang + r.int(2_000, 12_000);
    const endAt = connectedAt + r.duration(90_000, 10_000, 900_000);
    out.date_connected = inbound.date_connected = connectedAt;
    out.date_ended = endAt;
    inbound.date_ended = endAt + r.int(0, 300);
    steps.push({ callId: outId, state: 'connected', at: connectedAt + jitter(r) });
    steps.push({ callId: inId, state: 'connected', at: connectedAt + jitter(r) });
    steps.push({ callId: outId, state: 'hangup', at: endAt + r.int(300, 1_500) });
    steps.push({ callId: inId, state: 'hangup', at: inbound.date_ended + r.int(300, 1_500) });
  } else {
    inbound.date_ended = inbound.date_rang + r.int(15_000, 30_000);
    out.date_ended = inbound.date_ended + r.int(0, 300);
    steps.push({ callId: inId, state: 'missed', at: inbound.date_ended + r.int(50, 300) });
    steps.push({ callId: inId, state: 'hangup', at: inbound.date_ended + r.int(300, 1_500) });
    steps.push({ callId: outId, state: 'hangup', at: out.date_ended + r.int(300, 1_500) });
  }
  finish(out);
  finish(inbound);
  return {
    kind: 'internal',
    officeId: caller.officeId,
    legs: [out, inbound],
    steps,
    aiLeg: answered
      ? { callId: outId, agent: caller, callerName: `${callee.firstName} ${callee.lastName}`, callerContactId: null }
      : null,
    expected: {
      key: outId,
      direction: 'outbound',
      status: answered ? 'answered' : 'missed',
      externalNumber: callee.phone,
      externalCountry: null,
      internalNumber: caller.phone,
      talkSeconds: Math.round(out.talk_time / 1000),
      answeringUserId: answered ? caller.id : null,
      calleeUserId: callee.id,
      contactId: callee.id,
      knownContact: false,
      isInternal: true,
      voicemailTranscription: null,
    },
  };
}
