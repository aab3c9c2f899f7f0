import type { Knex } from 'knex';
import type { TranscriptLineInput } from './derive';

/**
 * A conversation's Ai data in Postgres: the Ai columns of its `calls` row (recap, insights, status,
 * `ai_sources`), its transcript lines as derivation reads them, and what the API has shown about
 * each office's Ai (`dialpad_office_ai`). Storing a transcript: transcript-repository.ts.
 */

/** Remembers that an office has Dialpad Ai: it sent Ai events, or the API gave a call's Ai data. */
export async function noteAiOffice(db: Knex, officeId: string): Promise<void> {
  await db('dialpad_office_ai')
    .insert({ office_id: officeId, last_ai_event_at: db.fn.now(), api_misses: 0 })
    .onConflict('office_id')
    .merge(['last_ai_event_at', 'api_misses']);
}

/** The API had neither transcript nor recap for an answered call of this office. */
export async function noteAiMiss(db: Knex, officeId: string): Promise<void> {
  await db('dialpad_office_ai')
    .insert({ office_id: officeId, last_ai_event_at: null, api_misses: 1, last_api_answer_at: db.fn.now() })
    .onConflict('office_id')
    .merge({
      api_misses: db.raw('dialpad_office_ai.api_misses + 1'),
      last_api_answer_at: db.fn.now(),
    });
}

/**
 * What is known of the office's Ai, if anything: an Ai event within `memoryDays`, consecutive
 * answered calls without Ai data, and whether the last answer is over `probeHours` old.
 */
export async function readOfficeAi(
  db: Knex,
  officeId: string,
  windows: { memoryDays: number; probeHours: number },
): Promise<{ aiRecently: boolean; apiMisses: number; probeDue: boolean } | undefined> {
  const row = await db('dialpad_office_ai')
    .where({ office_id: officeId })
    .first(
      db.raw(`last_ai_event_at > now() - interval '${windows.memoryDays} days' as ai_recently`),
      'api_misses',
      db.raw(`coalesce(last_api_answer_at < now() - interval '${windows.probeHours} hours', true) as probe_due`),
    );
  if (!row) return undefined;
  return { aiRecently: Boolean(row.ai_recently), apiMisses: Number(row.api_misses), probeDue: Boolean(row.probe_due) };
}

/** jsonb merge of per-field sources, dropping nulls. */
function mergeSources(db: Knex, sources: Record<string, string | null>): Knex.Raw {
  const clean = Object.fromEntries(Object.entries(sources).filter(([, v]) => v !== null));
  return db.raw("coalesce(ai_sources, '{}'::jsonb) || ?::jsonb", [JSON.stringify(clean)]);
}

/** The conversation's stored recap summary and outcome, if the row exists. */
export async function readCallRecap(
  db: Knex,
  callRowId: string,
): Promise<{ ai_summary: string | null; ai_outcome: string | null } | undefined> {
  return db('calls').where({ id: callRowId }).first('ai_summary', 'ai_outcome');
}

/** Stores the recap's parts given (an absent part leaves its column as it is). */
export async function storeRecap(
  db: Knex,
  callRowId: string,
  recap: { summary?: string; outcome?: string; purposes?: string[]; actionItems?: string[] },
): Promise<void> {
  await db('calls')
    .where({ id: callRowId })
    .update({
      ...(recap.summary ? { ai_summary: recap.summary } : {}),
      ...(recap.outcome ? { ai_outcome: recap.outcome } : {}),
      ...(recap.purposes ? { ai_purposes: JSON.stringify(recap.purposes) } : {}),
      ...(recap.actionItems ? { ai_action_items: JSON.stringify(recap.actionItems) } : {}),
      ai_sources: mergeSources(db, { ai_summary: 'dialpad' }),
      updated_at: db.fn.now(),
    });
}

/** What insights are derived from: the recap on the row and the transcript lines, in order. */
export async function readInsightsInput(
  db: Knex,
  callRowId: string,
): Promise<
  | {
      call: {
        ai_summary: string | null;
        ai_outcome: string | null;
        ai_purposes: string[] | null;
        ai_action_items: string[] | null;
      };
      lines: TranscriptLineInput[];
    }
  | undefined
> {
  const call = await db('calls').where({ id: callRowId }).first();
  if (!call) return undefined;
  const lines: TranscriptLineInput[] = await db('call_transcript_lines')
    .where({ call_id: callRowId })
    .orderBy('seq')
    .select('type', 'content', 'name', 'speaker');
  return { call, lines };
}

/** The call's Ai status and notes without insights; `checked` marks the collection done. */
/**
 * Interim insights (derived while a run still waits for Ai data, by the run or by the ingress from a
 * recap) never replace what a finished collection wrote: a recap folded just as a run collects
 * must not put back an interim reading over the final one.
 */
function interimOnlyBeforeCollected(q: Knex.QueryBuilder, checked: boolean): void {
  if (!checked) void q.whereNull('ai_checked_at');
}

export async function writeAiStatus(
  db: Knex,
  callRowId: string,
  status: { aiStatus: 'partial' | null; notes?: unknown[]; checked: boolean },
): Promise<void> {
  await db('calls')
    .where({ id: callRowId })
    .modify(interimOnlyBeforeCollected, status.checked)
    .update({
      ai_status: status.aiStatus,
      ...(status.notes ? { ai_notes: JSON.stringify(status.notes) } : {}),
      ...(status.checked ? { ai_checked_at: db.fn.now() } : {}),
    });
}

export interface StoredInsights {
  sentiment: string | null;
  churnRisk: string | null;
  churnReasons: unknown;
  themes: unknown[] | null;
  resolved: boolean | null;
  explanation: unknown;
  sources: { sentiment: string | null; churnRisk: string | null; themes: string | null; resolved: string | null };
}

/** The call's insights with their sources, its Ai status and notes; `checked` marks the collection done. */
export async function writeInsights(
  db: Knex,
  callRowId: string,
  insights: StoredInsights,
  status: { aiStatus: 'complete' | 'partial'; notes: unknown[]; checked: boolean },
): Promise<void> {
  await db('calls')
    .where({ id: callRowId })
    .modify(interimOnlyBeforeCollected, status.checked)
    .update({
      sentiment: insights.sentiment,
      churn_risk: insights.churnRisk,
      churn_reasons: JSON.stringify(insights.churnReasons),
      themes: insights.themes === null ? null : JSON.stringify(insights.themes),
      resolved: insights.resolved,
      ai_explanation: JSON.stringify(insights.explanation),
      ai_sources: mergeSources(db, {
        sentiment: insights.sources.sentiment,
        churn_risk: insights.sources.churnRisk,
        themes: insights.sources.themes,
        resolved: insights.sources.resolved,
      }),
      ai_status: status.aiStatus,
      ai_notes: status.notes.length ? JSON.stringify(status.notes) : null,
      ...(status.checked ? { ai_checked_at: db.fn.now() } : {}),
      updated_at: db.fn.now(),
    });
}
