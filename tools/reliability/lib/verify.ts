import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { ACTED_ON_STATES } from '../../../workflows/shared/call-event';
import type { Conversation, ExpectedConversation } from '../../simulator';
import { callWorkflowId, callIdOfWorkflowId } from '../../../workflows/shared/ids';

/**
 * Compares what Navigator stored with what the emitter says each conversation should be, per
 * conversation and per event:
 *
 * - conversations: exactly one `calls` row each (found through its legs in `dialpad_call_legs`),
 *   field by field (status, direction, number, talk time, answering user, internal flag, account,
 *   every Ai field, transcript, the link to a Navigator record where the scenario set one up);
 * - events: every distinct event the emitter sent is accounted for. An event Navigator acts on is
 *   `applied` when its delivery is recorded and was handed to its call run (not pending, not a dead
 *   letter, routed), its leg is folded into the conversation's one row, and the field it carries
 *   is in that row as sent (recap parts, transcript lines, voicemail transcription); `lost` when any
 *   of that is missing; `duplicated` when it landed twice (two rows for its conversation, its
 *   transcript or list stored twice); `wrong` when its field holds another value. Events of states
 *   Navigator does not act on are only kept (`notActedOn`).
 *
 * The comparison itself (`compareSnapshot`) is pure, so it is unit-tested (test/reliability/); the
 * problems it lists name fields and fingerprints, never the values (the runner's log is scanned for
 * the values the emitter sent, like every other log).
 */
/** `excused`: an event of it was given up by Dialpad (never received): only its delivered events are judged. */
export type ConversationVerdict = 'ok' | 'lost' | 'duplicated' | 'wrong' | 'excused';

export interface ConversationResult {
  key: string;
  kind: string;
  verdict: ConversationVerdict;
  problems: string[];
}

/** One event as the emitter sent it. */
export interface SentEvent {
  callId: string;
  state: string;
  eventTimestamp: number;
}

/** Everything the emitter's outcome says about one conversation. */
export interface ExpectedOutcome {
  conversation: ExpectedConversation;
  /** Its distinct events (duplicates and copies are deliveries of these). */
  events: SentEvent[];
  /** The transcript the simulator serves for its Ai leg (null without Ai). */
  transcript: { type: string; name: string; content: string }[] | null;
  /**
   * The account its office is linked to (null: not checked). An internal call between two offices
   * may also be on the callee's office's account (`alsoAccountIds`): which one the product picks
   * depends on which leg was recorded first (a product issue, test/calls/account-order.test.ts); it
   * is counted in `notes`, not as wrong.
   */
  accountId: string | null;
  alsoAccountIds?: string[];
  /** The Navigator record it must be linked to (null: stand-alone); undefined: not checked. */
  link?: { type: string; id: string } | null;
  /** The leg that carries a voicemail transcription, and its text. */
  voicemail: { legId: string; text: string } | null;
  /** Events not to be judged (Dialpad gave up on them, e.g. both-outage-long): their keys. */
  excused?: ReadonlySet<string>;
}

export interface StoredLeg {
  call_id: string;
  call_row_id: string | null;
  voicemail_transcription: string | null;
}

export interface StoredCall {
  id: string;
  dialpad_call_id: string | null;
  account_id: string | null;
  status: string;
  direction: string;
  external_number: string | null;
  duration_seconds: number | null;
  answered_by_dialpad_user_id: string | null;
  is_internal: boolean;
  ai_summary: string | null;
  ai_outcome: string | null;
  ai_purposes: unknown;
  ai_action_items: unknown;
  transcript: string | null;
  linked_entity_type: string | null;
  linked_entity_id: string | null;
}

export interface StoredDelivery {
  dedupe_key: string;
  routing_status: string;
  signal_status: string;
}

/** Transcript lines of a `calls` row: how many, and an md5 of their contents in order. */
export interface StoredTranscript {
  lines: number;
  md5: string;
}

/** What Postgres holds for a set of conversations (see `loadSnapshot`). */
export interface StoredSnapshot {
  legs: Map<string, StoredLeg>;
  calls: Map<string, StoredCall>;
  /** Rows claiming a leg id as their dialpad_call_id (a second row for one call shows here). */
  callsByDialpadId: Map<string, StoredCall[]>;
  deliveries: Map<string, StoredDelivery[]>;
  transcripts: Map<string, StoredTranscript>;
}

export interface EventTally {
  /** Distinct events the emitter sent (not counting excused ones). */
  sent: number;
  /** Acted-on events applied: recorded, handed to their run, their field in the row as sent. */
  applied: number;
  lost: number;
  duplicated: number;
  wrong: number;
  /** Events of states Navigator does not act on: sent, and kept as `ignored` deliveries. */
  notActedOn: { sent: number; kept: number };
  /** Events Dialpad gave up delivering, left out of the figures above. */
  excused: number;
  /** Why events were lost, e.g. `no delivery row`, `dead letter`: count. */
  lostBy: Record<string, number>;
  /** Field → conversations or events where it differed (conversation fields count once per conversation). */
  wrongByField: Record<string, number>;
  /** A few lost / duplicated / wrong events, for the failure message (keys and reasons, no values). */
  samples: string[];
  /** Outcomes tolerated but worth showing (see ExpectedOutcome.alsoAccountIds): count. */
  notes: Record<string, number>;
}

export interface Comparison {
  expected: number;
  /** Conversations with at least one `calls` row. */
  stored: number;
  /** No row, or a leg never recorded (one of its events never landed). */
  lost: number;
  /** More than one row for one conversation. */
  duplicated: number;
  /** One row, but a field differs from the expected outcome. */
  wrong: number;
  /** Conversations with an event Dialpad gave up on (not in `expected`). */
  excused: number;
  results: ConversationResult[];
  events: EventTally;
}

/** The expected outcomes of emitted conversations. */
export function expectationsOf(
  conversations: readonly Conversation[],
  accountOfOffice: ReadonlyMap<string, string>,
  links?: ReadonlyMap<string, { type: string; id: string } | null>,
): ExpectedOutcome[] {
  return conversations.map((c) => {
    const vmLeg = c.legs.find((l) => l.transcription_text);
    const voicemailText = c.expected.voicemailTranscription;
    const accountId = accountOfOffice.get(c.expected.officeId) ?? null;
    const legAccounts = c.expected.isInternal
      ? [...new Set(c.legs.map((l) => accountOfOffice.get(l.target.office_id ?? '')))].filter(
          (a): a is string => a !== undefined && a !== accountId,
        )
      : [];
    return {
      conversation: c.expected,
      events: c.events.map((e) => ({ callId: e.callId, state: e.state, eventTimestamp: e.eventTimestamp })),
      transcript: c.ai ? c.ai.transcript.map((l) => ({ type: l.type, name: l.name, content: l.content })) : null,
      accountId,
      ...(legAccounts.length ? { alsoAccountIds: legAccounts } : {}),
      ...(links ? { link: links.get(c.expected.key) ?? null } : {}),
      voicemail: vmLeg && voicemailText ? { legId: vmLeg.call_id, text: voicemailText } : null,
    };
  });
}

export const eventKey = (e: SentEvent) => `${e.callId}:${e.state}:${e.eventTimestamp}`;

/** A value's fingerprint for a problem message: its length and a short hash, never the value. */
export function fingerprint(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return `‹${text.length} chars #${createHash('sha256').update(text).digest('hex').slice(0, 8)}›`;
}

/** Short, value-free identifiers (ids, enums) are shown as they are; anything else fingerprinted. */
const shown = (v: unknown) =>
  typeof v === 'string' && /^[A-Za-z0-9_:-]{1,40}$/.test(v) && !/^\d{7,15}$/.test(v)
    ? JSON.stringify(v)
    : fingerprint(v);

const asList = (v: unknown): unknown[] | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      return Array.isArray(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  return Array.isArray(v) ? v : null;
};

/** The stored list is the expected one repeated (an event applied twice): the duplicate case. */
function isRepeat(stored: unknown[], expected: unknown[]): boolean {
  if (expected.length === 0 || stored.length <= expected.length || stored.length % expected.length) return false;
  return stored.every((x, i) => JSON.stringify(x) === JSON.stringify(expected[i % expected.length]));
}

export function transcriptText(lines: readonly { type: string; name: string; content: string }[]): string {
  return lines
    .filter((l) => l.content !== '' && l.type === 'transcript')
    .map((l) => `${l.name || 'Caller'}: ${l.content}`)
    .join('\n');
}

export function transcriptMd5(lines: readonly { content: string }[]): string {
  return createHash('md5')
    .update(
      lines
        .filter((l) => l.content !== '')
        .map((l) => l.content)
        .join('\n'),
    )
    .digest('hex');
}

type FieldVerdict = { field: string; verdict: 'ok' | 'lost' | 'duplicated' | 'wrong'; why?: string };

/** The Ai and voicemail fields an event carries, judged on the conversation's row. */
function eventFields(e: SentEvent, o: ExpectedOutcome, row: StoredCall, snap: StoredSnapshot): FieldVerdict[] {
  const recap = o.conversation.recap;
  const out: FieldVerdict[] = [];
  const text = (field: string, got: string | null, want: string) =>
    out.push(
      got === null || got === ''
        ? { field, verdict: 'lost', why: `${field} empty` }
        : got === want
          ? { field, verdict: 'ok' }
          : { field, verdict: 'wrong', why: `${field}: got ${fingerprint(got)}, expected ${fingerprint(want)}` },
    );
  const list = (field: string, got: unknown, want: string[]) => {
    const l = asList(got);
    if (l === null || l.length === 0) out.push({ field, verdict: want.length ? 'lost' : 'ok', why: `${field} empty` });
    else if (JSON.stringify(l) === JSON.stringify(want)) out.push({ field, verdict: 'ok' });
    else if (isRepeat(l, want))
      out.push({ field, verdict: 'duplicated', why: `${field} stored ${l.length / want.length}×` });
    else out.push({ field, verdict: 'wrong', why: `${field}: got ${fingerprint(l)}, expected ${fingerprint(want)}` });
  };
  switch (e.state) {
    case 'recap_summary':
      if (recap) text('ai_summary', row.ai_summary, recap.summary);
      break;
    case 'recap_outcome':
      if (recap) text('ai_outcome', row.ai_outcome, recap.outcome);
      break;
    case 'recap_purposes':
      if (recap) list('ai_purposes', row.ai_purposes, recap.purposes);
      break;
    case 'recap_action_items':
      if (recap) list('ai_action_items', row.ai_action_items, recap.actionItems);
      break;
    case 'call_transcription': {
      if (!o.transcript) break;
      const want = o.transcript.filter((l) => l.content !== '');
      const got = snap.transcripts.get(row.id);
      if (!got || got.lines === 0) out.push({ field: 'transcript_lines', verdict: 'lost', why: 'no transcript lines' });
      else if (got.lines > want.length && got.lines % want.length === 0)
        out.push({ field: 'transcript_lines', verdict: 'duplicated', why: `${got.lines} lines for ${want.length}` });
      else if (got.lines !== want.length)
        out.push({ field: 'transcript_lines', verdict: 'wrong', why: `${got.lines} lines, expected ${want.length}` });
      else if (got.md5 !== transcriptMd5(want))
        out.push({ field: 'transcript_lines', verdict: 'wrong', why: 'transcript line text differs' });
      else out.push({ field: 'transcript_lines', verdict: 'ok' });
      text('transcript', row.transcript, transcriptText(want));
      break;
    }
    case 'transcription':
      if (o.voicemail && o.voicemail.legId === e.callId)
        text('voicemail_transcription', snap.legs.get(e.callId)?.voicemail_transcription ?? null, o.voicemail.text);
      break;
    default:
      break;
  }
  return out;
}

/** Compares a snapshot of what Postgres holds with the expected outcomes. Pure. */
export function compareSnapshot(expected: readonly ExpectedOutcome[], snap: StoredSnapshot): Comparison {
  const tally: EventTally = {
    sent: 0,
    applied: 0,
    lost: 0,
    duplicated: 0,
    wrong: 0,
    notActedOn: { sent: 0, kept: 0 },
    excused: 0,
    lostBy: {},
    wrongByField: {},
    samples: [],
    notes: {},
  };
  const bump = (rec: Record<string, number>, k: string) => (rec[k] = (rec[k] ?? 0) + 1);
  const sample = (s: string) => {
    if (tally.samples.length < 8) tally.samples.push(s);
  };

  const results: ConversationResult[] = expected.map((o) => {
    const e = o.conversation;
    const problems: string[] = [];
    const rows = new Set<string>();
    for (const leg of e.legCallIds) {
      const l = snap.legs.get(leg);
      if (l === undefined) problems.push(`leg ${leg} never recorded`);
      else if (l.call_row_id === null) problems.push(`leg ${leg} not folded into a call`);
      else rows.add(l.call_row_id);
      for (const r of snap.callsByDialpadId.get(leg) ?? []) rows.add(r.id);
    }
    const row = rows.size === 1 ? (snap.calls.get([...rows][0]!) ?? snap.callsByDialpadId.get(e.key)?.[0]) : undefined;

    // Events first: each is judged on its own.
    for (const ev of o.events) {
      const key = eventKey(ev);
      if (o.excused?.has(key)) {
        tally.excused++;
        continue;
      }
      tally.sent++;
      const deliveries = snap.deliveries.get(key) ?? [];
      if (!ACTED_ON_STATES.has(ev.state)) {
        tally.notActedOn.sent++;
        if (deliveries.length) tally.notActedOn.kept++;
        continue;
      }
      const lose = (why: string) => {
        tally.lost++;
        bump(tally.lostBy, why);
        sample(`lost ${key} (${e.kind} ${e.key}): ${why}`);
      };
      if (deliveries.length === 0) {
        lose('no delivery row');
        continue;
      }
      const d = deliveries[0]!;
      if (d.signal_status === 'dead_letter') {
        lose('dead letter');
        continue;
      }
      if (d.routing_status !== 'routed') {
        lose(`delivery ${d.routing_status}`);
        continue;
      }
      if (d.signal_status === 'pending') {
        lose('still waiting for the relay');
        continue;
      }
      const leg = snap.legs.get(ev.callId);
      if (!leg) {
        lose('leg never recorded');
        continue;
      }
      if (!leg.call_row_id) {
        lose('leg not folded into a call');
        continue;
      }
      if (rows.size > 1 || deliveries.length > 1) {
        tally.duplicated++;
        sample(`duplicated ${key} (${e.kind} ${e.key}): ${rows.size} calls rows, ${deliveries.length} deliveries`);
        continue;
      }
      if (!row) {
        lose('calls row vanished');
        continue;
      }
      const fields = eventFields(ev, o, row, snap);
      const worst =
        fields.find((f) => f.verdict === 'lost') ??
        fields.find((f) => f.verdict === 'duplicated') ??
        fields.find((f) => f.verdict === 'wrong');
      if (!worst) tally.applied++;
      else if (worst.verdict === 'lost') lose(`${worst.field} missing`);
      else if (worst.verdict === 'duplicated') {
        tally.duplicated++;
        sample(`duplicated ${key} (${e.kind} ${e.key}): ${worst.why}`);
      } else {
        tally.wrong++;
        for (const f of fields) if (f.verdict === 'wrong') bump(tally.wrongByField, f.field);
        sample(
          `wrong ${key} (${e.kind} ${e.key}): ${fields
            .filter((f) => f.verdict === 'wrong')
            .map((f) => f.why)
            .join('; ')}`,
        );
      }
    }

    // Then the conversation as a whole.
    const judged = o.excused === undefined || !o.events.some((ev) => o.excused!.has(eventKey(ev)));
    if (!judged) {
      // Duplicates are never excused; the rest of an incomplete conversation cannot be judged whole.
      if (rows.size > 1)
        return { key: e.key, kind: e.kind, verdict: 'duplicated', problems: [`${rows.size} calls rows`, ...problems] };
      return { key: e.key, kind: e.kind, verdict: 'excused', problems: [] };
    }
    if (rows.size === 0) return { key: e.key, kind: e.kind, verdict: 'lost', problems: ['no calls row', ...problems] };
    if (rows.size > 1) {
      return { key: e.key, kind: e.kind, verdict: 'duplicated', problems: [`${rows.size} calls rows`, ...problems] };
    }
    if (problems.length) return { key: e.key, kind: e.kind, verdict: 'lost', problems };
    if (!row) return { key: e.key, kind: e.kind, verdict: 'lost', problems: ['calls row vanished'] };
    const wrongFields: string[] = [];
    const diff = (field: string, got: unknown, want: unknown) => {
      wrongFields.push(field);
      problems.push(`${field}: got ${shown(got)}, expected ${shown(want)}`);
    };
    if (row.status !== e.status) diff('status', row.status, e.status);
    if (row.direction !== e.direction) diff('direction', row.direction, e.direction);
    if (row.external_number !== e.externalNumber) diff('external_number', row.external_number, e.externalNumber);
    if (row.duration_seconds === null || Math.abs(row.duration_seconds - e.talkSeconds) > 1) {
      diff('duration_seconds', row.duration_seconds, e.talkSeconds);
    }
    if (row.answered_by_dialpad_user_id !== e.answeringUserId) {
      diff('answered_by_dialpad_user_id', row.answered_by_dialpad_user_id, e.answeringUserId);
    }
    if (row.is_internal !== e.isInternal) diff('is_internal', row.is_internal, e.isInternal);
    if (o.accountId !== null && row.account_id !== o.accountId) {
      if (row.account_id !== null && o.alsoAccountIds?.includes(row.account_id))
        bump(tally.notes, "internal call across offices on the callee office's account");
      else diff('account_id', row.account_id, o.accountId);
    }
    if (o.link !== undefined) {
      const want = o.link;
      if (
        (row.linked_entity_type ?? null) !== (want?.type ?? null) ||
        (row.linked_entity_id ?? null) !== (want?.id ?? null)
      )
        diff(
          'linked_entity',
          row.linked_entity_id ? `${row.linked_entity_type}:${row.linked_entity_id}` : null,
          want ? `${want.type}:${want.id}` : null,
        );
    }
    // The Ai fields as a whole (each event's own field is judged above): none without Ai.
    const recap = e.recap;
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (!same(row.ai_summary, recap?.summary)) diff('ai_summary', row.ai_summary, recap?.summary ?? null);
    if (!same(row.ai_outcome, recap?.outcome)) diff('ai_outcome', row.ai_outcome, recap?.outcome ?? null);
    if (!same(asList(row.ai_purposes), recap?.purposes)) diff('ai_purposes', row.ai_purposes, recap?.purposes ?? null);
    if (!same(asList(row.ai_action_items), recap?.actionItems))
      diff('ai_action_items', row.ai_action_items, recap?.actionItems ?? null);
    const wantText = o.transcript ? transcriptText(o.transcript) : null;
    if (!same(row.transcript, wantText)) diff('transcript', row.transcript, wantText);
    const lines = snap.transcripts.get(row.id);
    const wantLines = o.transcript ? o.transcript.filter((l) => l.content !== '') : [];
    if ((lines?.lines ?? 0) !== wantLines.length || (wantLines.length > 0 && lines?.md5 !== transcriptMd5(wantLines)))
      diff('transcript_lines', lines?.lines ?? 0, wantLines.length);
    if (o.voicemail) {
      const got = snap.legs.get(o.voicemail.legId)?.voicemail_transcription ?? null;
      if (got !== o.voicemail.text) diff('voicemail_transcription', got, o.voicemail.text);
    }
    for (const f of wrongFields) bump(tally.wrongByField, `conversation.${f}`);
    return { key: e.key, kind: e.kind, verdict: problems.length ? 'wrong' : 'ok', problems };
  });

  const count = (v: ConversationVerdict) => results.filter((r) => r.verdict === v).length;
  const judged = results.filter((r) => r.verdict !== 'excused');
  return {
    expected: judged.length,
    stored: judged.filter((r) => r.verdict !== 'lost' || !r.problems.includes('no calls row')).length,
    excused: count('excused'),
    lost: count('lost'),
    duplicated: count('duplicated'),
    wrong: count('wrong'),
    results,
    events: tally,
  };
}

async function chunked<T>(ids: string[], size: number, fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(...(await fn(ids.slice(i, i + size))));
  return out;
}

const CALL_COLUMNS = [
  'id',
  'dialpad_call_id',
  'account_id',
  'status',
  'direction',
  'external_number',
  'duration_seconds',
  'answered_by_dialpad_user_id',
  'is_internal',
  'ai_summary',
  'ai_outcome',
  'ai_purposes',
  'ai_action_items',
  'transcript',
  'linked_entity_type',
  'linked_entity_id',
];

/** Reads what Postgres holds for these conversations: legs, `calls` rows, deliveries, transcript lines. */
export async function loadSnapshot(db: Knex, expected: readonly ExpectedOutcome[]): Promise<StoredSnapshot> {
  const legIds = expected.flatMap((e) => e.conversation.legCallIds);
  const legRows = await chunked<StoredLeg>(legIds, 2000, (c) =>
    db('dialpad_call_legs').whereIn('call_id', c).select('call_id', 'call_row_id', 'voicemail_transcription'),
  );
  const legs = new Map(legRows.map((l) => [l.call_id, l]));
  const rowIds = [...new Set(legRows.map((l) => l.call_row_id).filter((x): x is string => x !== null))];
  const calls = new Map(
    (await chunked<StoredCall>(rowIds, 2000, (c) => db('calls').whereIn('id', c).select(CALL_COLUMNS))).map((r) => [
      r.id,
      r,
    ]),
  );
  const callsByDialpadId = new Map<string, StoredCall[]>();
  for (const r of await chunked<StoredCall>(legIds, 2000, (c) =>
    db('calls').whereIn('dialpad_call_id', c).select(CALL_COLUMNS),
  )) {
    const list = callsByDialpadId.get(r.dialpad_call_id!) ?? [];
    list.push(r);
    callsByDialpadId.set(r.dialpad_call_id!, list);
    calls.set(r.id, r);
  }
  const deliveries = new Map<string, StoredDelivery[]>();
  for (const d of await chunked<StoredDelivery>(legIds, 2000, (c) =>
    db('dialpad_webhook_deliveries').whereIn('call_id', c).select('dedupe_key', 'routing_status', 'signal_status'),
  )) {
    const list = deliveries.get(d.dedupe_key) ?? [];
    list.push(d);
    deliveries.set(d.dedupe_key, list);
  }
  const transcripts = new Map<string, StoredTranscript>();
  for (const t of await chunked<{ call_id: string; lines: string | number; md5: string }>(
    [...calls.keys()],
    2000,
    (c) =>
      db('call_transcript_lines')
        .whereIn('call_id', c)
        .groupBy('call_id')
        .select('call_id', db.raw('count(*) as lines'), db.raw(`md5(string_agg(content, E'\\n' order by seq)) as md5`)),
  )) {
    transcripts.set(t.call_id, { lines: Number(t.lines), md5: t.md5 });
  }
  return { legs, calls, callsByDialpadId, deliveries, transcripts };
}

export async function compareConversations(db: Knex, expected: readonly ExpectedOutcome[]): Promise<Comparison> {
  return compareSnapshot(expected, await loadSnapshot(db, expected));
}

export function problemSamples(c: Comparison, max = 8): string[] {
  return c.results
    .filter((r) => r.verdict !== 'ok' && r.verdict !== 'excused')
    .slice(0, max)
    .map((r) => `${r.verdict} ${r.kind} ${r.key}: ${r.problems.join('; ')}`);
}

/** The per-event figures as written to the results (and the table). */
export function eventFigures(c: Comparison) {
  const e = c.events;
  return {
    sent: e.sent,
    actedOn: e.sent - e.notActedOn.sent,
    applied: e.applied,
    lost: e.lost,
    duplicated: e.duplicated,
    wrong: e.wrong,
    notActedOn: e.notActedOn,
    excused: e.excused,
    lostBy: e.lostBy,
    wrongByField: e.wrongByField,
    notes: e.notes,
  };
}

/** Open call workflows on the server (null while Temporal does not answer). */
export async function runningWorkflows(client: Client): Promise<number | null> {
  try {
    const { count } = await client.connection.withDeadline(Date.now() + 5_000, () =>
      client.workflow.count(`WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`),
    );
    return count;
  } catch {
    return null;
  }
}

/** Recorded deliveries of these legs the relay has not handed to Temporal yet. */
export async function pendingRelay(db: Knex, legIds: string[]): Promise<number | null> {
  try {
    let total = 0;
    for (let i = 0; i < legIds.length; i += 2000) {
      const [row] = await db('dialpad_webhook_deliveries')
        .whereIn('call_id', legIds.slice(i, i + 2000))
        .where({ signal_status: 'pending', routing_status: 'routed' })
        .count<{ count: string }[]>('* as count');
      total += Number(row?.count ?? 0);
    }
    return total;
  } catch {
    return null;
  }
}

/** Open call workflows of the given legs, with the CallState they show. */
export async function openWorkflowsOf(
  client: Client,
  legIds: ReadonlySet<string>,
): Promise<{ callId: string; callState: string }[]> {
  const out: { callId: string; callState: string }[] = [];
  try {
    for await (const wf of client.workflow.list({
      query: `WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`,
    })) {
      const callId = callIdOfWorkflowId(wf.workflowId);
      if (callId === null || !legIds.has(callId)) continue;
      const state = wf.searchAttributes?.CallState;
      out.push({ callId, callState: Array.isArray(state) ? String(state[0]) : 'unknown' });
    }
  } catch {
    // Temporal not answering: reported as unknown by the caller
  }
  return out;
}

export interface Settled {
  comparison: Comparison;
  settledMs: number;
  timedOut: boolean;
  openWorkflows: number | null;
  /** The scenario's call workflows still open once everything else settled, idle (waiting for max_open). */
  leftOpen: { callId: string; callState: string }[];
  /** Still open, but with a Dialpad fetch pending (rate-limited Ai recap or transcript). */
  stillFetching: { callId: string; callState: string }[];
  /** Deliveries still waiting for the relay at the end, and how fast the relay drained (per second). */
  relayBacklog: { atEnd: number | null; peak: number; drainPerSecond: number | null };
}

/**
 * Waits until the scenario's conversations are final: no relay backlog, the comparison unchanged
 * over two polls, and either every conversation correct, or no open call workflow, or nothing
 * changing for 25 s — or until the deadline (or until the relay is plainly too slow to make it). Then gives workflows still open the Ai wait window to close, and returns
 * those that did not.
 */
/**
 * How long a Dialpad fetch activity lost with a killed worker can hold its run open: its heartbeat
 * timeout (20 s, workflows/callWorkflow.ts), the retry's first backoff (5 s) and a margin.
 */
const LOST_FETCH_ACTIVITY_S = 40;

export async function settle(
  db: Knex,
  client: Client,
  expected: readonly ExpectedOutcome[],
  opts: { timeoutMs: number; aiWaitSeconds: number; note: (m: string) => void },
): Promise<Settled> {
  const started = Date.now();
  const legIds = new Set(expected.flatMap((e) => e.conversation.legCallIds));
  let last = '';
  let stableSince = Date.now();
  let lastReport = 0;
  let comparison: Comparison;
  let running: number | null;
  let timedOut = false;
  let peak = 0;
  let peakAt = Date.now();
  let pendingNow: number | null;
  for (;;) {
    let pending: number | null;
    [comparison, running, pending] = await Promise.all([
      compareConversations(db, expected),
      runningWorkflows(client),
      pendingRelay(db, [...legIds]),
    ]);
    pendingNow = pending;
    if (pending !== null && pending >= peak) {
      peak = pending;
      peakAt = Date.now();
    }
    const ev = comparison.events;
    const signature = `${comparison.lost}/${comparison.duplicated}/${comparison.wrong}/${ev.applied}/${ev.lost}/${ev.duplicated}/${ev.wrong}/${running}/${pending}`;
    if (signature !== last) stableSince = Date.now();
    const stable = signature === last;
    last = signature;
    const allOk = comparison.lost + comparison.duplicated + comparison.wrong + ev.lost + ev.duplicated + ev.wrong === 0;
    if (pending === 0 && stable && (running === 0 || allOk || Date.now() - stableSince >= 25_000)) {
      // Not everything is in yet, but a run of this scenario is still fetching from Dialpad (the
      // Ai recap allows 12 a minute) and applies its buffered events after: keep waiting for it.
      if (allOk || running === 0) break;
      const open = await openWorkflowsOf(client, legIds);
      const busy = open.length ? await fetchingFromDialpad(client, open) : new Set<string>();
      if (busy.size === 0) break;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        opts.note(`  ${busy.size} run(s) still fetching from Dialpad; waiting for their events`);
      }
    }
    if (Date.now() - started > opts.timeoutMs) {
      timedOut = true;
      break;
    }
    // Hopeless: the relay backlog would take far longer to drain than the time left. Stop early.
    const drainSeconds = (Date.now() - peakAt) / 1000;
    const rate = pending !== null && drainSeconds > 30 ? (peak - pending) / drainSeconds : null;
    const left = (opts.timeoutMs - (Date.now() - started)) / 1000;
    if (Date.now() - started > 60_000 && pending && rate !== null && pending / Math.max(rate, 0.01) > left + 120) {
      opts.note(
        `  the relay drains ${rate.toFixed(1)}/s: ${pending} deliveries would take ${Math.round(pending / Math.max(rate, 0.01))} s; not waiting`,
      );
      timedOut = true;
      break;
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      opts.note(
        `  settling: ok ${comparison.results.filter((r) => r.verdict === 'ok').length}/${comparison.expected}, ` +
          `lost ${comparison.lost}, dup ${comparison.duplicated}, wrong ${comparison.wrong}; events applied ${ev.applied}/${ev.sent - ev.notActedOn.sent}, lost ${ev.lost}; open workflows ${running ?? '?'}, relay backlog ${pending ?? '?'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  const settledMs = Date.now() - started;
  // Timed out: workflows are still working, not left open; the time-out is the finding.
  let leftOpen = timedOut ? [] : await openWorkflowsOf(client, legIds);
  // An answered call on an office without Ai legitimately stays open for the Ai wait window; and
  // a Dialpad fetch activity that was running on a killed worker is retried once its heartbeat
  // stops, so a run can be open, and then finish correctly, that long after the kill.
  const graceUntil = Date.now() + (opts.aiWaitSeconds + 5 + LOST_FETCH_ACTIVITY_S) * 1000;
  while (leftOpen.length && Date.now() < graceUntil) {
    // Nothing idle: every open run is fetching from Dialpad, so waiting proves nothing more.
    const busy = await fetchingFromDialpad(client, leftOpen);
    if (leftOpen.every((w) => busy.has(w.callId))) break;
    await new Promise((r) => setTimeout(r, 3000));
    leftOpen = await openWorkflowsOf(client, legIds);
  }
  // A run with a Dialpad fetch pending (a transcript or recap behind Dialpad's rate limit: the
  // Ai recap allows 12 a minute) is working, not waiting for max_open: counted apart. Its data was
  // judged above all the same (an Ai call whose transcript never came shows as a lost event).
  const busy = await fetchingFromDialpad(client, leftOpen);
  const stillFetching = leftOpen.filter((w) => busy.has(w.callId));
  leftOpen = leftOpen.filter((w) => !busy.has(w.callId));
  if (leftOpen.length || stillFetching.length) comparison = await compareConversations(db, expected);
  const drainSeconds = (Date.now() - peakAt) / 1000;
  const relayBacklog = {
    atEnd: pendingNow,
    peak,
    drainPerSecond:
      peak > 0 && pendingNow !== null && drainSeconds > 5 ? +((peak - pendingNow) / drainSeconds).toFixed(1) : null,
  };
  return { comparison, settledMs, timedOut, openWorkflows: running, leftOpen, stillFetching, relayBacklog };
}

/** Which of these open call runs have a Dialpad fetch activity pending (scheduled, running or retrying). */
export async function fetchingFromDialpad(client: Client, open: readonly { callId: string }[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const w of open) {
    try {
      const d = await client.workflow.getHandle(callWorkflowId(w.callId)).describe();
      const pending = d.raw.pendingActivities ?? [];
      if (pending.some((a) => /^fetchCall/.test(a.activityType?.name ?? ''))) out.add(w.callId);
    } catch {
      // closed meanwhile, or Temporal not answering: not counted as busy
    }
  }
  return out;
}

/** The ingress's webhook and relay counters (Prometheus text from /metrics), keyed `name{labels}`. */
export async function ingressCounters(ingressUrl: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`${ingressUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    for (const line of text.split('\n')) {
      const m = /^(dialpad_webhook_deliveries_total|dialpad_relay_signals_total)(\{[^}]*\})? ([0-9.e+]+)$/.exec(line);
      if (m) out[`${m[1]}${m[2] ?? ''}`] = Number(m[3]);
    }
  } catch {
    // the ingress not answering is reported elsewhere
  }
  return out;
}

export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0)
      out[k.replace('dialpad_webhook_deliveries_total', 'webhook').replace('dialpad_relay_signals_total', 'relay')] = d;
  }
  return out;
}

/**
 * Between scenarios: what an earlier scenario left behind (call workflows still open, deliveries
 * still queued for the relay) would load Temporal and delay the next scenario's deliveries behind
 * its own. Its verdict is already taken, so the leftovers are cleared: open call workflows are
 * terminated (one batch operation) and queued deliveries parked (relay_after + 1 day).
 */
export async function clearLeftovers(
  db: Knex,
  client: Client,
  note: (m: string) => void,
): Promise<{ terminated: number; parked: number }> {
  const parked = await db('dialpad_webhook_deliveries')
    .where({ signal_status: 'pending', routing_status: 'routed' })
    .andWhere('relay_after', '<', db.raw("now() + interval '1 hour'"))
    .update({ relay_after: db.raw("now() + interval '1 day'") });
  const running = (await runningWorkflows(client)) ?? 0;
  if (running > 0) {
    try {
      await client.workflowService.startBatchOperation({
        namespace: client.options.namespace,
        jobId: `reliability-clear-${Date.now()}`,
        reason: 'reliability: the scenario that started these is over',
        visibilityQuery: `WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`,
        terminationOperation: {},
      });
    } catch (err) {
      note(`  could not start the batch termination: ${(err as Error).message.split('\n')[0]}`);
    }
    const until = Date.now() + 60_000;
    while (Date.now() < until && ((await runningWorkflows(client)) ?? 1) > 0)
      await new Promise((r) => setTimeout(r, 2000));
  }
  if (parked || running)
    note(
      `  cleared what earlier scenarios left: ${running} open call workflows terminated, ${parked} queued deliveries parked`,
    );
  return { terminated: running, parked };
}
