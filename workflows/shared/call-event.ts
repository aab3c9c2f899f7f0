/**
 * A Dialpad call event after verification and validation: ids as strings, timestamps in epoch ms.
 * This is what the ingress signals to the call workflow and what activities persist. Free of Node
 * built-ins so workflow code can import the types.
 */
export interface CallParty {
  id: string | null;
  type: string | null;
  name: string | null;
  phone: string | null;
  officeId: string | null;
}

export interface RecapFields {
  summary?: string | null;
  outcome?: string | null;
  purposes?: string[] | null;
  actionItems?: string[] | null;
}

/** A field of a verified event that did not fit the typed event, and why (kept on the delivery). */
export interface LeftOutField {
  field: string;
  reason: string;
}

export interface CallLegEvent {
  callId: string;
  state: string;
  eventTimestamp: number | null;
  masterCallId: string | null;
  entryPointCallId: string | null;
  operatorCallId: string | null;
  direction: 'inbound' | 'outbound' | null;
  externalNumber: string | null;
  internalNumber: string | null;
  target: CallParty | null;
  contact: CallParty | null;
  groupId: string | null;
  dateStarted: number | null;
  dateConnected: number | null;
  dateEnded: number | null;
  talkTimeMs: number | null;
  totalDurationMs: number | null;
  isTransferred: boolean;
  recap: RecapFields | null;
  voicemailTranscription: string | null;
}

/** Which event a signal is about: enough to de-duplicate it and to know its state, and no personal data. */
export interface CallEventRef {
  callId: string;
  state: string;
  eventTimestamp: number | null;
}

/**
 * The small message the ingress sends with signalWithStart. A recorded event stays in Postgres:
 * the signal carries its delivery id and `ref`, so names, numbers and text never enter Temporal's
 * history; the call run's activity reads the event by its delivery id. Only an event no delivery
 * row holds (Postgres was down at the ingress, a backfill) travels whole in `event`.
 */
export interface CallEventSignal {
  /** dialpad_webhook_deliveries.id, or null when Postgres was down and the event went straight to Temporal. */
  deliveryId: string | null;
  /** Null only when Postgres was down at the ingress: the activity routes the event then. */
  accountId: string | null;
  officeId: string | null;
  /** Which webhook secret verified the delivery (recorded by the activity when the ingress could not). */
  verifiedWith?: 'current' | 'previous' | 'unsigned';
  /** Which event (set on every signal since events stay in Postgres; derived from `event` otherwise). */
  ref?: CallEventRef;
  /** The event itself, when no delivery row holds it (and on signals sent before `ref` existed). */
  event?: CallLegEvent;
  /**
   * Set when `replay` sends a stored delivery again: the call run applies it even though it saw the
   * same event before (a parser fix changes what the event holds; a dead letter is retried).
   */
  replay?: number;
  /**
   * Only when the ingress could not record the delivery (Postgres down): the verified claims and
   * what was left out of them, so the run can record them with the event.
   */
  unrecorded?: { claimsText: string; leftOut: LeftOutField[] };
  /**
   * Set when the ingress has already folded the recorded event into its leg and conversation
   * (src/calls/leg-event.ts): what the fold found, so the run does not apply it again. Ids and
   * states only. Absent on signals from the relay, a replay or a backfill: the run applies those.
   */
  folded?: FoldedLeg;
}

/** What folding one event into its leg and its conversation's `calls` row found. No personal data. */
export interface FoldedLeg {
  accountId: string;
  callRowId: string;
  /** The conversation's status after the event. */
  status: string;
  /** The leg's state after the merge (the highest-ranked state seen). */
  legState: string;
  legConnected: boolean;
  /** The leg has ended (a final state, or a voicemail's late `transcription`). */
  legFinal: boolean;
  /** Conversations this event showed to be the same call, merged into `callRowId`. */
  mergedCallRowIds: string[];
  /** Epoch ms when a run last collected the conversation's Ai data; null while none has. */
  aiCheckedAtMs: number | null;
  /** The leg had ended before this event: with `aiCheckedAtMs` set, an earlier run closed on it. */
  legEndedBefore: boolean;
  /** The leg's recap summary is stored (absent in results recorded before it existed). */
  recapSummary?: boolean;
  /** For a `recap_summary`: the leg's `call_transcription` event was recorded before it. */
  transcriptionAnnounced?: boolean;
}

export const FINAL_STATES = new Set(['hangup', 'missed', 'voicemail', 'voicemail_uploaded']);
export const AI_STATES = new Set([
  'recap_summary',
  'recap_outcome',
  'recap_purposes',
  'recap_action_items',
  'call_transcription',
]);
/** States that drive the call workflow; every other state is acknowledged and counted only. */
export const ACTED_ON_STATES = new Set([...FINAL_STATES, 'transcription', ...AI_STATES]);

export function dedupeKey(e: CallEventRef): string {
  return `${e.callId}:${e.state}:${e.eventTimestamp ?? 'none'}`;
}

export function refOf(sig: Pick<CallEventSignal, 'ref' | 'event'>): CallEventRef {
  if (sig.ref) return sig.ref;
  if (!sig.event) throw new Error('a call event signal needs ref or event');
  return { callId: sig.event.callId, state: sig.event.state, eventTimestamp: sig.event.eventTimestamp };
}

/** What a call run de-duplicates on: the event, and which replay of it this is. */
export function signalKey(sig: Pick<CallEventSignal, 'ref' | 'event' | 'replay'>): string {
  const key = dedupeKey(refOf(sig));
  return sig.replay ? `${key}#replay${sig.replay}` : key;
}

/** A signal with its event at hand (what the activities work on once they have read it). */
export type CallEventWithPayload = CallEventSignal & { event: CallLegEvent };
