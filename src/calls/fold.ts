/**
 * Folding Dialpad legs into one Navigator conversation. Pure functions: the repository loads the
 * legs of a conversation and writes back what `summariseConversation` returns.
 *
 * Rules (one real conversation, not one row per leg):
 * - status: `answered` when any leg with a person on the Dialpad side connected (a voicemail pickup
 *   is not an answer); `voicemail` when the caller left one; otherwise `missed` when some leg rang
 *   us (inbound) or `no_answer` for an outbound call nobody picked up; `in_progress` until some leg
 *   has ended.
 * - direction: the entry leg's (the earliest started).
 * - duration_seconds: talk time, as the union of each connected leg's [connected, connected +
 *   talk_time] interval, so a call-centre entry leg and its answering operator leg are not counted
 *   twice while a transfer's two agents are added up.
 */
export interface LegRow {
  callId: string;
  state: string;
  direction: string | null;
  externalNumber: string | null;
  internalNumber: string | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  dateStarted: Date | null;
  dateConnected: Date | null;
  dateEnded: Date | null;
  talkTimeMs: number | null;
  masterCallId: string | null;
  entryPointCallId: string | null;
  voicemail: boolean;
  isInternal: boolean;
  officeId: string | null;
}

export interface ConversationSummary {
  dialpadCallId: string;
  dialpadMasterCallId: string | null;
  dialpadOfficeId: string | null;
  direction: 'inbound' | 'outbound';
  status: 'answered' | 'missed' | 'voicemail' | 'no_answer' | 'in_progress';
  isInternal: boolean;
  externalNumber: string | null;
  internalNumber: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  durationSeconds: number | null;
  answeredByDialpadUserId: string | null;
  answeredByName: string | null;
  groupType: string | null;
  groupId: string | null;
  groupName: string | null;
}

const GROUP_TYPES = new Set(['department', 'callcenter', 'office']);
/** The longest a leg is taken to talk (a week), so broken times cannot overflow `duration_seconds`. */
const MAX_LEG_TALK_MS = 7 * 24 * 3600 * 1000;
const E164 = /^\+[1-9]\d{6,14}$/;

const time = (d: Date | null) => (d ? d.getTime() : Number.POSITIVE_INFINITY);

function byStart(a: LegRow, b: LegRow): number {
  return time(a.dateStarted) - time(b.dateStarted) || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

/** Whether a leg was answered by someone, not just by voicemail. */
export function legConnected(leg: LegRow): boolean {
  return leg.dateConnected !== null && !leg.voicemail;
}

export function summariseConversation(legs: LegRow[]): ConversationSummary {
  if (legs.length === 0) throw new Error('a conversation needs at least one leg');
  const ordered = [...legs].sort(byStart);
  const entry = ordered.find((l) => l.entryPointCallId === null) ?? ordered[0]!;
  const direction = (entry.direction ?? ordered.find((l) => l.direction)?.direction ?? 'inbound') as
    'inbound' | 'outbound';

  const connected = ordered.filter(legConnected);
  const anyEnded = ordered.some((l) => l.dateEnded !== null || l.state === 'hangup' || l.state === 'missed');
  let status: ConversationSummary['status'];
  if (connected.length > 0) status = 'answered';
  else if (ordered.some((l) => l.voicemail)) status = 'voicemail';
  else if (!anyEnded) status = 'in_progress';
  // A leg ringing someone on our side that nobody picked up is a missed call, also when the
  // conversation started as an outbound leg (an internal call to a colleague).
  else status = ordered.some((l) => l.direction === 'inbound') ? 'missed' : 'no_answer';

  const answeringLeg = connected.find((l) => l.targetType === 'user') ?? null;
  const groupLeg = ordered.find((l) => l.targetType !== null && GROUP_TYPES.has(l.targetType)) ?? null;

  const starts = ordered.map((l) => l.dateStarted).filter((d): d is Date => d !== null);
  const ends = ordered.map((l) => l.dateEnded).filter((d): d is Date => d !== null);
  const allEnded = ordered.every((l) => l.dateEnded !== null);

  return {
    dialpadCallId: entry.callId,
    dialpadMasterCallId: ordered.find((l) => l.masterCallId)?.masterCallId ?? null,
    dialpadOfficeId: ordered.find((l) => l.officeId)?.officeId ?? null,
    direction,
    status,
    isInternal: ordered.some((l) => l.isInternal),
    externalNumber: pickNumber(ordered.map((l) => l.externalNumber)),
    internalNumber: pickNumber([entry.internalNumber, ...ordered.map((l) => l.internalNumber)]),
    startedAt: starts.length ? new Date(Math.min(...starts.map((d) => d.getTime()))) : null,
    endedAt: allEnded && ends.length ? new Date(Math.max(...ends.map((d) => d.getTime()))) : null,
    durationSeconds: anyEnded || connected.length ? talkSeconds(ordered) : null,
    answeredByDialpadUserId: answeringLeg?.targetId ?? null,
    answeredByName: answeringLeg?.targetName ?? null,
    groupType: groupLeg?.targetType ?? null,
    groupId: groupLeg?.targetId ?? null,
    groupName: groupLeg?.targetName ?? null,
  };
}

function pickNumber(candidates: (string | null)[]): string | null {
  return candidates.find((n): n is string => n !== null && E164.test(n)) ?? candidates.find((n) => n) ?? null;
}

/** Total talk time: the union of every connected leg's [connected, ended] interval. */
function talkSeconds(legs: LegRow[]): number {
  const intervals: [number, number][] = [];
  const connected = legs.filter(legConnected);
  // An entry leg (call centre, department, main line) is "connected" from when the system took the
  // call, queue and IVR included: when people's legs exist, their talk time is the conversation's.
  const people = connected.filter((l) => l.targetType === 'user');
  for (const l of people.length ? people : connected) {
    const start = l.dateConnected!.getTime();
    // Dialpad's own talk_time first: the span to date_ended can include hold and wrap-up. No leg
    // talks for more than a week: a later end is a broken time, not a conversation.
    const end = Math.min(
      start + MAX_LEG_TALK_MS,
      l.talkTimeMs ? start + l.talkTimeMs : l.dateEnded ? l.dateEnded.getTime() : start,
    );
    if (end > start) intervals.push([start, end]);
  }
  return Math.round(unionMs(intervals) / 1000);
}

/** Total length of the union of [start, end] intervals (overlaps counted once). */
export function unionMs(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | null = null;
  for (const iv of sorted) {
    if (current && iv[0] <= current[1]) current[1] = Math.max(current[1], iv[1]);
    else {
      if (current) total += current[1] - current[0];
      current = [iv[0], iv[1]];
    }
  }
  if (current) total += current[1] - current[0];
  return total;
}
