import type { Knex } from 'knex';
import {
  AI_STATES,
  FINAL_STATES,
  type CallEventWithPayload,
  type CallLegEvent,
  type RecapFields,
} from '../../workflows/shared/call-event';
import { moveTranscriptLines } from '../ai/transcript-repository';
import { summariseConversation, type ConversationSummary, type LegRow } from './fold';

/**
 * Persists call legs and folds them into one `calls` row per conversation.
 *
 * Concurrency: legs of one conversation may be processed by different workers at the same moment,
 * and links (master / entry point / operator ids) can arrive late and in any order. Each
 * transaction takes advisory locks on every Dialpad id it touches (its own and its links), so two
 * directly linked legs are serialised; it then locks the conversation rows it found, merging
 * them into the oldest when a late link joins two groups. Reads after the row lock see every leg
 * committed by an earlier holder, so the recomputed summary is never stale.
 */
export interface RecordedLeg {
  callRowId: string;
  status: string;
  mergedCallRowIds: string[];
  conversationLegIds: string[];
  /** The leg as this event left it: state, answered by a person (not voicemail), recap summary stored. */
  leg: { state: string; connected: boolean; recapSummary: boolean };
  /** When the conversation's Ai data was last collected (a run has closed on it), or null. */
  aiCheckedAt: Date | null;
  /** The leg had already ended before this event (an earlier run saw it end). */
  legEndedBefore: boolean;
}

interface LegDbRow {
  call_id: string;
  call_row_id: string | null;
  account_id: string | null;
  office_id: string | null;
  master_call_id: string | null;
  entry_point_call_id: string | null;
  operator_call_id: string | null;
  state: string;
  last_event_timestamp: number | null;
  direction: string | null;
  external_number: string | null;
  internal_number: string | null;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  contact_id: string | null;
  contact_type: string | null;
  date_started: Date | null;
  date_connected: Date | null;
  date_ended: Date | null;
  talk_time_ms: number | null;
  total_duration_ms: number | null;
  is_transferred: boolean;
  voicemail: boolean;
  missed: boolean;
  is_internal: boolean;
  recap: RecapFields | null;
  voicemail_transcription: string | null;
}

const LIFECYCLE_ORDER: Record<string, number> = {
  preanswer: 1,
  calling: 1,
  queued: 2,
  ringing: 3,
  connected: 4,
  hold: 5,
  voicemail: 6,
  missed: 7,
  hangup: 8,
  voicemail_uploaded: 9,
  transcription: 9,
};

/** A leg in one of these states has ended (a voicemail's transcription comes after its end). */
const ENDED_STATES = new Set([...FINAL_STATES, 'transcription']);

const ms = (v: number | null) => (v === null ? null : new Date(v));
/**
 * Durations are doubles in Dialpad's spec and real events carry fractions (`total_duration:
 * 8951.03`); the columns are whole milliseconds (bigint, which refuses "8951.03").
 */
const wholeMs = (v: number | null) => (v === null ? null : Math.round(v));

/** Merges one event into what we know of its leg. Older events never overwrite newer values. */
export function mergeLeg(existing: LegDbRow | undefined, sig: CallEventWithPayload): Omit<LegDbRow, 'call_row_id'> {
  const e: CallLegEvent = sig.event;
  const prevTs = existing?.last_event_timestamp ?? null;
  const newer = existing === undefined || prevTs === null || (e.eventTimestamp !== null && e.eventTimestamp >= prevTs);
  // Newer non-null values win; otherwise a value only fills a gap.
  const pick = <T>(incoming: T | null | undefined, current: T | null | undefined): T | null =>
    incoming === null || incoming === undefined
      ? (current ?? null)
      : newer || current === null || current === undefined
        ? incoming
        : current;

  let state = existing?.state ?? e.state;
  if (!AI_STATES.has(e.state)) {
    const rankNew = LIFECYCLE_ORDER[e.state] ?? 0;
    const rankOld = existing ? (LIFECYCLE_ORDER[existing.state] ?? 0) : -1;
    // A final state is never undone by a late ringing/connected; among equals the newer event wins.
    if (
      !existing ||
      rankNew > rankOld ||
      (rankNew === rankOld && newer) ||
      (AI_STATES.has(existing.state) && rankNew > 0)
    )
      state = e.state;
  }
  const recap = e.recap ? { ...(existing?.recap ?? {}), ...stripNullish(e.recap) } : (existing?.recap ?? null);

  return {
    call_id: e.callId,
    account_id: pick(sig.accountId, existing?.account_id),
    office_id: pick(sig.officeId ?? e.target?.officeId ?? null, existing?.office_id),
    master_call_id: pick(e.masterCallId, existing?.master_call_id),
    entry_point_call_id: pick(e.entryPointCallId, existing?.entry_point_call_id),
    operator_call_id: pick(e.operatorCallId, existing?.operator_call_id),
    state,
    last_event_timestamp:
      prevTs === null ? e.eventTimestamp : e.eventTimestamp === null ? prevTs : Math.max(prevTs, e.eventTimestamp),
    direction: pick(e.direction, existing?.direction),
    external_number: pick(e.externalNumber, existing?.external_number),
    internal_number: pick(e.internalNumber, existing?.internal_number),
    target_type: pick(e.target?.type, existing?.target_type),
    target_id: pick(e.target?.id, existing?.target_id),
    target_name: pick(e.target?.name, existing?.target_name),
    contact_id: pick(e.contact?.id, existing?.contact_id),
    contact_type: pick(e.contact?.type, existing?.contact_type),
    date_started: pick(ms(e.dateStarted), existing?.date_started),
    // A connection, once seen, is a fact: a later event without it does not erase it.
    date_connected: existing?.date_connected ?? ms(e.dateConnected),
    date_ended: pick(ms(e.dateEnded), existing?.date_ended),
    talk_time_ms: pick(wholeMs(e.talkTimeMs), existing?.talk_time_ms),
    total_duration_ms: pick(wholeMs(e.totalDurationMs), existing?.total_duration_ms),
    is_transferred: (existing?.is_transferred ?? false) || e.isTransferred,
    voicemail:
      (existing?.voicemail ?? false) ||
      e.state === 'voicemail' ||
      e.state === 'voicemail_uploaded' ||
      e.voicemailTranscription !== null,
    missed: (existing?.missed ?? false) || e.state === 'missed',
    is_internal: (existing?.is_internal ?? false) || e.contact?.type === 'user',
    recap: recap && Object.keys(recap).length ? recap : null,
    voicemail_transcription: pick(e.voicemailTranscription, existing?.voicemail_transcription),
  };
}

function stripNullish(r: RecapFields): RecapFields {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== undefined));
}

function toLegRow(r: LegDbRow): LegRow {
  return {
    callId: r.call_id,
    state: r.state,
    direction: r.direction,
    externalNumber: r.external_number,
    internalNumber: r.internal_number,
    targetType: r.target_type,
    targetId: r.target_id,
    targetName: r.target_name,
    dateStarted: r.date_started,
    dateConnected: r.date_connected,
    dateEnded: r.date_ended,
    talkTimeMs: r.talk_time_ms,
    masterCallId: r.master_call_id,
    entryPointCallId: r.entry_point_call_id,
    voicemail: r.voicemail,
    isInternal: r.is_internal,
    officeId: r.office_id,
  };
}

export class CallRepository {
  constructor(private readonly db: Knex) {}

  /** The conversation (`calls` row) a leg belongs to now (rows merge when late links join conversations). */
  async conversationOfLeg(legCallId: string): Promise<string | undefined> {
    const leg = await this.db('dialpad_call_legs').where({ call_id: legCallId }).first('call_row_id');
    return (leg?.call_row_id as string | null | undefined) ?? undefined;
  }

  /** Applies one leg event: upsert the leg, fold its conversation, recompute the `calls` row. */
  async recordLegEvent(sig: CallEventWithPayload): Promise<RecordedLeg> {
    return this.db.transaction(async (trx) => {
      const e = sig.event;
      const ids = [...new Set([e.callId, e.masterCallId, e.entryPointCallId, e.operatorCallId].filter(isId))].sort();
      for (const id of ids) await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 7321))', [id]);

      const existing: LegDbRow | undefined = await trx('dialpad_call_legs')
        .where({ call_id: e.callId })
        .forUpdate()
        .first();
      const merged = mergeLeg(existing, sig);
      const linkIds = [
        ...new Set(
          [merged.call_id, merged.master_call_id, merged.entry_point_call_id, merged.operator_call_id].filter(isId),
        ),
      ];

      const related = await trx('dialpad_call_legs')
        .distinct('call_row_id')
        .whereNotNull('call_row_id')
        .andWhere((q) =>
          q
            .whereIn('call_id', linkIds)
            .orWhereIn('master_call_id', linkIds)
            .orWhereIn('entry_point_call_id', linkIds)
            .orWhereIn('operator_call_id', linkIds),
        );
      const rowIds = new Set<string>(related.map((r: { call_row_id: string }) => r.call_row_id));
      if (existing?.call_row_id) rowIds.add(existing.call_row_id);

      let survivor: string;
      const mergedAway: string[] = [];
      if (rowIds.size === 0) {
        const [row] = await trx('calls')
          .insert({
            account_id: sig.accountId,
            source: 'dialpad',
            dialpad_call_id: e.callId,
            direction: merged.direction ?? 'inbound',
            status: 'in_progress',
          })
          .returning('id');
        survivor = (row as { id: string }).id;
      } else {
        const rows = (await trx('calls')
          .whereIn('id', [...rowIds])
          .orderBy([{ column: 'created_at' }, { column: 'id' }])
          .forUpdate()
          .select('*')) as Record<string, unknown>[];
        survivor = rows[0]!.id as string;
        for (const other of rows.slice(1)) {
          mergedAway.push(other.id as string);
          await this.absorbConversation(trx, survivor, other);
        }
      }

      await trx('dialpad_call_legs')
        .insert({
          ...merged,
          call_row_id: survivor,
          recap: merged.recap ? JSON.stringify(merged.recap) : null,
          updated_at: trx.fn.now(),
        })
        .onConflict('call_id')
        .merge();

      const legs: LegDbRow[] = await trx('dialpad_call_legs').where({ call_row_id: survivor });
      const summary = await withDirectoryNames(trx, summariseConversation(legs.map(toLegRow)));
      const recap = mergeRecaps(legs);
      const [updated] = await trx('calls')
        .where({ id: survivor })
        .update<{ ai_checked_at: Date | null }[]>({
          dialpad_call_id: summary.dialpadCallId,
          dialpad_master_call_id: summary.dialpadMasterCallId,
          dialpad_office_id: summary.dialpadOfficeId,
          direction: summary.direction,
          status: summary.status,
          is_internal: summary.isInternal,
          external_number: summary.externalNumber,
          internal_number: summary.internalNumber,
          started_at: summary.startedAt,
          ended_at: summary.endedAt,
          duration_seconds: summary.durationSeconds,
          answered_by_dialpad_user_id: summary.answeredByDialpadUserId,
          answered_by_name: summary.answeredByName,
          dialpad_group_type: summary.groupType,
          dialpad_group_id: summary.groupId,
          dialpad_group_name: summary.groupName,
          ...(recap.summary
            ? {
                ai_summary: recap.summary,
                ai_sources: trx.raw(`coalesce(ai_sources, '{}'::jsonb) || '{"ai_summary":"dialpad"}'::jsonb`),
              }
            : {}),
          ...(recap.outcome ? { ai_outcome: recap.outcome } : {}),
          ...(recap.purposes ? { ai_purposes: JSON.stringify(recap.purposes) } : {}),
          ...(recap.actionItems ? { ai_action_items: JSON.stringify(recap.actionItems) } : {}),
          updated_at: trx.fn.now(),
        })
        .returning('ai_checked_at');

      return {
        callRowId: survivor,
        status: summary.status,
        mergedCallRowIds: mergedAway,
        conversationLegIds: legs.map((l) => l.call_id).sort(),
        leg: {
          state: merged.state,
          connected: merged.date_connected !== null && !merged.voicemail,
          recapSummary: Boolean(merged.recap?.summary),
        },
        aiCheckedAt: updated?.ai_checked_at ?? null,
        legEndedBefore: existing !== undefined && ENDED_STATES.has(existing.state),
      };
    });
  }

  /**
   * Moves another conversation's legs, history and transcript lines into `survivor`, keeping what
   * it knew, then deletes it.
   */
  private async absorbConversation(trx: Knex.Transaction, survivor: string, other: Record<string, unknown>) {
    const otherId = other.id as string;
    await trx('dialpad_call_legs').where({ call_row_id: otherId }).update({ call_row_id: survivor });
    // Timeline entries: keep one per record.
    await trx.raw(
      `delete from communications o using communications s
        where o.call_id = ? and s.call_id = ? and s.entity_type = o.entity_type and s.entity_id = o.entity_id`,
      [otherId, survivor],
    );
    await trx('communications').where({ call_id: otherId }).update({ call_id: survivor });
    // Transcript lines, before the row (and its lines, by cascade) goes: every leg's, in conversation order.
    await moveTranscriptLines(trx, survivor, otherId);
    const keep: Record<string, unknown> = {};
    for (const col of [
      'notes',
      'transcript',
      'sentiment',
      'churn_risk',
      'churn_reasons',
      'themes',
      'resolved',
      'linked_entity_type',
      'linked_entity_id',
      'link_method',
      'match_candidates',
    ]) {
      if (other[col] !== null && other[col] !== undefined) keep[col] = other[col];
    }
    await trx('calls').where({ id: otherId }).delete();
    // The survivor now holds the other's history entries (and maybe its link): matched afresh.
    await trx('calls').where({ id: survivor }).update({ match_key: null, match_outcome: null });
    if (Object.keys(keep).length || other.ai_sources) {
      const current = (await trx('calls').where({ id: survivor }).first()) as Record<string, unknown>;
      const fill: Record<string, unknown> = {};
      for (const [col, v] of Object.entries(keep)) {
        if (current[col] === null || current[col] === undefined)
          fill[col] = typeof v === 'object' && v !== null && !(v instanceof Date) ? JSON.stringify(v) : v;
      }
      // A link is a pair; never take half of one.
      if ('linked_entity_type' in fill !== 'linked_entity_id' in fill) {
        delete fill.linked_entity_type;
        delete fill.linked_entity_id;
        delete fill.link_method;
      }
      // Each field's source, the survivor's first (the moved transcript marked it already).
      if (other.ai_sources) fill.ai_sources = JSON.stringify({ ...other.ai_sources, ...(current.ai_sources ?? {}) });
      if (Object.keys(fill).length) await trx('calls').where({ id: survivor }).update(fill);
    }
  }
}

const GROUP_TABLES: Record<string, string> = {
  department: 'dialpad_departments',
  callcenter: 'dialpad_call_centers',
  office: 'dialpad_offices',
};

/** Events often carry no names (or stale ones): the synced directory has the current ones. */
async function withDirectoryNames(trx: Knex.Transaction, summary: ConversationSummary): Promise<ConversationSummary> {
  const out = { ...summary };
  if (out.groupId && out.groupType && GROUP_TABLES[out.groupType]) {
    const row = await trx(GROUP_TABLES[out.groupType]!).where({ id: out.groupId }).first('name');
    if (row?.name) out.groupName = row.name as string;
  }
  if (out.answeredByDialpadUserId) {
    const user = await trx('dialpad_users')
      .where({ id: out.answeredByDialpadUserId })
      .first('display_name', 'first_name', 'last_name');
    const name = (user?.display_name as string | null) ?? [user?.first_name, user?.last_name].filter(Boolean).join(' ');
    if (name) out.answeredByName = name;
  }
  return out;
}

function mergeRecaps(legs: LegDbRow[]): RecapFields {
  const out: RecapFields = {};
  for (const l of legs) if (l.recap) Object.assign(out, stripNullish(l.recap));
  return out;
}

function isId(v: string | null | undefined): v is string {
  return typeof v === 'string' && v.length > 0;
}
