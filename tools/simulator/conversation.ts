import { type AiRecapContent, type Tone, type TranscriptLine } from './ai-content';
import type { SimCompany } from './company';
import { type SimCountry } from './phones';

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
  /**
   * Seed of the ids alone (call ids, contact ids of unknown callers, recording ids), default
   * `seed`: the same `seed` with another `idSeed` gives the same conversations under new ids.
   */
  idSeed?: string;
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
