import type { Knex } from 'knex';
import { recordNameSql, RECORD_TABLES, type EntityType, type LinkMethod } from '../../matching';
import { findAccount } from '../../accounts/repository';
import { encodeCursor, type Cursor } from './cursor';
import type { CallDetail, CallListFilter, CallSummary, Page, TimelineItem, TranscriptLine } from './types';

export type * from './types';

/**
 * The API's read model of calls and history timelines. Rows are mapped to camelCase here and only
 * here: nothing snake_case leaves this module.
 */

interface CallRow {
  id: string;
  account_id: string;
  source: 'dialpad' | 'manual';
  dialpad_call_id: string | null;
  dialpad_master_call_id: string | null;
  dialpad_office_id: string | null;
  direction: 'inbound' | 'outbound';
  status: string;
  is_internal: boolean;
  external_number: string | null;
  internal_number: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  duration_seconds: number | null;
  notes: string | null;
  answered_by_dialpad_user_id: string | null;
  answered_by_name: string | null;
  dialpad_group_type: string | null;
  dialpad_group_id: string | null;
  dialpad_group_name: string | null;
  ai_summary: string | null;
  transcript: string | null;
  sentiment: string | null;
  churn_risk: string | null;
  churn_reasons: string[] | null;
  themes: string[] | null;
  resolved: boolean | null;
  ai_outcome: string | null;
  ai_purposes: unknown[] | null;
  ai_action_items: unknown[] | null;
  ai_sources: Record<string, string | null> | null;
  ai_status: string | null;
  ai_notes: { part: string; reason: string }[] | null;
  ai_explanation: Record<string, string | null> | null;
  linked_entity_type: EntityType | null;
  linked_entity_id: string | null;
  link_method: LinkMethod | null;
  needs_review: boolean;
  match_candidates: { type: EntityType; id: string; name: string }[] | null;
  created_at: Date;
  updated_at: Date;
  linked_entity_name: string | null;
  sort_key: string;
}

interface LegRow {
  call_id: string;
  state: string;
  direction: string | null;
  external_number: string | null;
  internal_number: string | null;
  master_call_id: string | null;
  entry_point_call_id: string | null;
  operator_call_id: string | null;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  date_started: Date | null;
  date_connected: Date | null;
  date_ended: Date | null;
  talk_time_ms: number | null;
  is_transferred: boolean;
  voicemail: boolean;
  missed: boolean;
  is_internal: boolean;
}

interface TimelineRow {
  id: string;
  kind: 'call' | 'email' | 'sms';
  occurred_at: Date;
  summary: string | null;
  via_contact_id: string | null;
  call_id: string | null;
  email_id: string | null;
  sms_id: string | null;
  sort_key: string;
}

const CALL_SORT = 'coalesce(c.started_at, c.created_at)';

const LINKED_NAME_SQL = `case c.linked_entity_type
  ${(['customer', 'contact', 'supplier'] as const)
    .map(
      (t) =>
        `when '${t}' then (select ${recordNameSql(t, 'r')} from ${RECORD_TABLES[t]} r where r.id = c.linked_entity_id)`,
    )
    .join('\n  ')}
  end`;

export class CallQueries {
  constructor(private readonly db: Knex) {}

  async findAccount(accountId: string): Promise<{ id: string; defaultRegion: string } | undefined> {
    const row = await findAccount(this.db, accountId);
    return row ? { id: row.id, defaultRegion: row.defaultRegion } : undefined;
  }

  /** The account's calls, newest first. */
  async listCalls(filter: CallListFilter): Promise<Page<CallSummary>> {
    const where = ['c.account_id = ?'];
    const params: Knex.Value[] = [filter.accountId];
    const add = (sql: string, ...values: Knex.Value[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.standalone === true) add('c.linked_entity_id is null and c.is_internal = false');
    if (filter.standalone === false) add('c.linked_entity_id is not null');
    if (filter.needsReview !== undefined) add('c.needs_review = ?', filter.needsReview);
    if (filter.entityType !== undefined) add('c.linked_entity_type = ?', filter.entityType);
    if (filter.entityId !== undefined) add('c.linked_entity_id = ?', filter.entityId);
    if (filter.from !== undefined) add(`${CALL_SORT} >= ?::timestamptz`, filter.from);
    if (filter.to !== undefined) add(`${CALL_SORT} < ?::timestamptz`, filter.to);
    if (filter.cursor) add(`(${CALL_SORT}, c.id) < (?::timestamptz, ?::uuid)`, filter.cursor.at, filter.cursor.id);
    const rows = (await this.selectCalls()
      .whereRaw(where.join(' and '), params)
      .orderByRaw(`${CALL_SORT} desc, c.id desc`)
      .limit(filter.limit + 1)) as CallRow[];
    return page(rows, filter.limit, toCallSummary);
  }

  async getCall(callId: string): Promise<CallDetail | undefined> {
    const row = (await this.selectCalls().where('c.id', callId).first()) as CallRow | undefined;
    if (!row) return undefined;
    const legs = await this.db('dialpad_call_legs')
      .where({ call_row_id: callId })
      .orderByRaw('date_started asc nulls last, call_id asc')
      .select<LegRow[]>(
        'call_id',
        'state',
        'direction',
        'external_number',
        'internal_number',
        'master_call_id',
        'entry_point_call_id',
        'operator_call_id',
        'target_type',
        'target_id',
        'target_name',
        'date_started',
        'date_connected',
        'date_ended',
        'talk_time_ms',
        'is_transferred',
        'voicemail',
        'missed',
        'is_internal',
      );
    const lines = await this.db('call_transcript_lines').where({ call_id: callId }).orderBy('seq').select<
      {
        type: string;
        speaker: TranscriptLine['speaker'];
        name: string | null;
        content: string;
        spoken_at: Date | null;
      }[]
    >('type', 'speaker', 'name', 'content', 'spoken_at');
    return toCallDetail(row, legs, lines);
  }

  async getCallSummaries(callIds: readonly string[]): Promise<CallSummary[]> {
    if (callIds.length === 0) return [];
    const rows: CallRow[] = await this.selectCalls()
      .whereIn('c.id', [...callIds])
      .orderByRaw(`${CALL_SORT} desc, c.id desc`);
    return rows.map(toCallSummary);
  }

  /** A record's history, newest first: calls beside emails and SMS. Internal calls never show. */
  async timeline(
    entityType: EntityType,
    entityId: string,
    opts: { limit: number; cursor?: Cursor },
  ): Promise<Page<TimelineItem>> {
    const rows = (await this.db('communications as m')
      .leftJoin('calls as c', 'c.id', 'm.call_id')
      .where({ 'm.entity_type': entityType, 'm.entity_id': entityId })
      .andWhere((w) => w.whereNull('m.call_id').orWhere('c.is_internal', false))
      .andWhereRaw('(?::timestamptz is null or (m.occurred_at, m.id) < (?::timestamptz, ?::uuid))', [
        opts.cursor?.at ?? null,
        opts.cursor?.at ?? null,
        opts.cursor?.id ?? null,
      ])
      .select(
        'm.id',
        'm.kind',
        'm.occurred_at',
        'm.summary',
        'm.via_contact_id',
        'm.call_id',
        'm.email_id',
        'm.sms_id',
        this.db.raw(`${cursorTimeSql('m.occurred_at')} as sort_key`),
      )
      .orderBy([
        { column: 'm.occurred_at', order: 'desc' },
        { column: 'm.id', order: 'desc' },
      ])
      .limit(opts.limit + 1)) as TimelineRow[];
    const shown = rows.slice(0, opts.limit);
    const calls = new Map(
      (await this.getCallSummaries(shown.map((r) => r.call_id).filter((id): id is string => id !== null))).map((c) => [
        c.id,
        c,
      ]),
    );
    return page(rows, opts.limit, (r) => ({
      id: r.id,
      kind: r.kind,
      occurredAt: r.occurred_at.toISOString(),
      summary: r.summary,
      viaContactId: r.via_contact_id,
      emailId: r.email_id,
      smsId: r.sms_id,
      call: r.call_id === null ? null : (calls.get(r.call_id) ?? null),
    }));
  }

  private selectCalls() {
    return this.db('calls as c').select(
      'c.*',
      this.db.raw(`${LINKED_NAME_SQL} as linked_entity_name`),
      this.db.raw(`${cursorTimeSql(CALL_SORT)} as sort_key`),
    );
  }
}

function page<R extends { id: string; sort_key: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.sort_key, id: last.id }) : null,
  };
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function toCallSummary(r: CallRow): CallSummary {
  return {
    id: r.id,
    accountId: r.account_id,
    source: r.source,
    dialpadCallId: r.dialpad_call_id,
    direction: r.direction,
    status: r.status,
    isInternal: r.is_internal,
    externalNumber: r.external_number,
    internalNumber: r.internal_number,
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    durationSeconds: r.duration_seconds,
    notes: r.notes,
    answeredByName: r.answered_by_name,
    dialpadGroupType: r.dialpad_group_type,
    dialpadGroupName: r.dialpad_group_name,
    link:
      r.linked_entity_type !== null && r.linked_entity_id !== null
        ? {
            entityType: r.linked_entity_type,
            entityId: r.linked_entity_id,
            name: r.linked_entity_name,
            method: r.link_method ?? 'auto',
          }
        : null,
    linkMethod: r.link_method,
    needsReview: r.needs_review,
    matchCandidates: (r.match_candidates ?? []).map((c) => ({ entityType: c.type, entityId: c.id, name: c.name })),
    aiSummary: r.ai_summary,
    sentiment: r.sentiment,
    churnRisk: r.churn_risk,
    themes: r.themes,
    resolved: r.resolved,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function toCallDetail(
  r: CallRow,
  legs: LegRow[],
  lines: {
    type: string;
    speaker: TranscriptLine['speaker'];
    name: string | null;
    content: string;
    spoken_at: Date | null;
  }[],
): CallDetail {
  return {
    ...toCallSummary(r),
    dialpadMasterCallId: r.dialpad_master_call_id,
    dialpadOfficeId: r.dialpad_office_id,
    dialpadGroupId: r.dialpad_group_id,
    answeredByDialpadUserId: r.answered_by_dialpad_user_id,
    transcript: r.transcript,
    churnReasons: r.churn_reasons,
    aiOutcome: r.ai_outcome,
    aiPurposes: r.ai_purposes,
    aiActionItems: r.ai_action_items,
    aiSources: r.ai_sources,
    aiStatus: r.ai_status,
    aiNotes: r.ai_notes,
    aiExplanation: r.ai_explanation,
    transcriptLines: lines.map((l) => ({
      type: l.type,
      speaker: l.speaker,
      name: l.name,
      content: l.content,
      spokenAt: iso(l.spoken_at),
    })),
    legs: legs.map((l) => ({
      callId: l.call_id,
      state: l.state,
      direction: l.direction,
      externalNumber: l.external_number,
      internalNumber: l.internal_number,
      masterCallId: l.master_call_id,
      entryPointCallId: l.entry_point_call_id,
      operatorCallId: l.operator_call_id,
      targetType: l.target_type,
      targetId: l.target_id,
      targetName: l.target_name,
      dateStarted: iso(l.date_started),
      dateConnected: iso(l.date_connected),
      dateEnded: iso(l.date_ended),
      talkTimeMs: l.talk_time_ms,
      isTransferred: l.is_transferred,
      voicemail: l.voicemail,
      missed: l.missed,
      isInternal: l.is_internal,
    })),
  };
}

/** The SQL rendering a timestamptz expression as a cursor time (./cursor.ts). */
function cursorTimeSql(expression: string): string {
  return `to_char((${expression}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
