import type { Knex } from 'knex';
import { ACTED_ON_STATES } from '../../../workflows/shared/call-event';
import type { Conversation, ExpectedConversation } from '../../simulator';
import { asList, eventFields, shown, transcriptMd5, transcriptText } from './event-fields';
import { loadSnapshot, type StoredSnapshot } from './snapshot';

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
