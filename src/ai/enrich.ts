import type { Knex } from 'knex';
import type { DialpadClient } from '../dialpad/client';
import { isDialpadNotFound } from '../dialpad/errors';
import { deriveCallInsights, type CallInsightsInput } from './derive';
import {
  noteAiMiss,
  noteAiOffice,
  readCallRecap,
  readInsightsInput,
  readOfficeAi,
  storeRecap,
  writeAiStatus,
  writeInsights,
} from './insights-repository';
import { readLegTranscript, storeLegTranscript } from './transcript-repository';
import type { LlmConfig } from './llm-config';
import { deriveCallInsightsWithModel, type ModelCallInsights, type ModelLogger, type ModelOptions } from './model';

/**
 * Ai data on a conversation's `calls` row: the transcript and recap fetched from Dialpad when the
 * webhooks did not bring them, then sentiment / churn risk / themes / resolved (Dialpad's values
 * when it sends them, derived otherwise). Transcripts and summaries never pass through workflow
 * history: these functions read and write Postgres and return small results.
 */
const AI_OFFICE_MEMORY_DAYS = 30;
const LINE_TYPES: ReadonlySet<string> = new Set([
  'transcript',
  'moment',
  'custom_moment',
  'real_time_moment',
  'ai_question',
]);

export interface AiEnrichmentDeps {
  db: Knex;
  dialpad: DialpadClient;
}

export type AiPart = 'transcript' | 'recap';

export { noteAiMiss, noteAiOffice };

/** Consecutive answered calls without any Ai data after which an office is taken to have no Ai. */
export const AI_OFFICE_MISSES = 3;
/** An office taken to have no Ai is still asked about one call in this many hours (Ai may be turned on). */
const AI_OFFICE_PROBE_HOURS = 6;

/**
 * Whether to ask Dialpad's API for a call's Ai data. Decided from what the API answered, not from
 * which webhooks arrived (recap webhooks are undocumented and may be refused or never sent): an
 * office is asked until several answered calls in a row had neither transcript nor recap, and
 * then still once every few hours.
 */
export async function officeMayHaveAi(db: Knex, officeId: string | null): Promise<boolean> {
  if (!officeId) return true;
  const office = await readOfficeAi(db, officeId, {
    memoryDays: AI_OFFICE_MEMORY_DAYS,
    probeHours: AI_OFFICE_PROBE_HOURS,
  });
  if (!office) return true;
  return office.aiRecently || office.apiMisses < AI_OFFICE_MISSES || office.probeDue;
}

/** What a fetch of one Ai part found: the data (`stored` or `already_stored`), nothing, or an error. */
export type AiFetchOutcome = 'found' | 'none' | 'error';

export function aiFetchOutcome(result: { stored: boolean; reason?: string } | null): AiFetchOutcome {
  if (!result) return 'error';
  if (result.stored || result.reason === 'already_stored') return 'found';
  return result.reason === 'call_not_found' ? 'error' : 'none';
}

/** Records what the API answered about an office's Ai from one answered call's two fetches. */
export async function noteAiAnswers(
  db: Knex,
  officeId: string | null,
  answers: { transcript: AiFetchOutcome; recap: AiFetchOutcome },
): Promise<void> {
  if (!officeId) return;
  if (answers.transcript === 'found' || answers.recap === 'found') await noteAiOffice(db, officeId);
  else if (answers.transcript === 'none' && answers.recap === 'none') await noteAiMiss(db, officeId);
}

/**
 * Fetches the leg's transcript (1200/min) and stores its lines with speakers, unless this leg's are
 * stored already. A transferred call has one transcript per answered leg: the conversation holds
 * every leg's lines, legs in the order they started, and its text is rebuilt from all of them
 * (transcript-repository.ts). Dialpad's `user_id` lines are our agents, `contact_id` lines the caller.
 */
export async function fetchAndStoreTranscript(
  deps: AiEnrichmentDeps,
  input: { callRowId: string; legCallId: string },
): Promise<{ stored: boolean; lines: number; reason?: string }> {
  const call = await readLegTranscript(deps.db, input.callRowId, input.legCallId);
  if (!call) return { stored: false, lines: 0, reason: 'call_not_found' };
  if (call.legLines > 0) return { stored: false, lines: 0, reason: 'already_stored' };

  let transcript;
  try {
    transcript = await deps.dialpad.getTranscript(input.legCallId);
  } catch (err) {
    if (isDialpadNotFound(err)) return { stored: false, lines: 0, reason: 'no_transcript' };
    throw err;
  }
  const lines = (transcript.lines ?? []).filter((l) => typeof l.content === 'string' && l.content !== '');
  if (lines.length === 0) return { stored: false, lines: 0, reason: 'empty_transcript' };

  const rows = lines.map((l) => ({
    dialpad_call_id: input.legCallId,
    type: LINE_TYPES.has(l.type ?? '') ? l.type! : 'transcript',
    speaker: l.contact_id ? 'caller' : l.user_id ? 'agent' : 'unknown',
    name: l.name || null,
    content: l.content!,
    spoken_at: l.time && !Number.isNaN(Date.parse(l.time)) ? new Date(l.time) : null,
    dialpad_user_id: l.user_id ?? null,
    dialpad_contact_id: l.contact_id ?? null,
  }));
  const into = await storeLegTranscript(deps.db, { callRowId: input.callRowId, legCallId: input.legCallId, rows });
  if (!into) return { stored: false, lines: 0, reason: 'call_not_found' };
  return { stored: true, lines: rows.length };
}

/**
 * Which Ai parts the conversation already holds for this leg (its transcript lines, the recap's text):
 * what a webhook brought need not be asked of Dialpad's API again.
 */
export async function storedAiParts(
  db: Knex,
  input: { callRowId: string; legCallId: string },
): Promise<{ transcript: boolean; recap: boolean }> {
  const [transcript, recap] = await Promise.all([
    readLegTranscript(db, input.callRowId, input.legCallId),
    readCallRecap(db, input.callRowId),
  ]);
  return { transcript: (transcript?.legLines ?? 0) > 0, recap: !!recap?.ai_summary };
}

/** Fetches the Ai recap (12/min: the client's shared limiter queues it) when no webhook brought one. */
export async function fetchAndStoreRecap(
  deps: AiEnrichmentDeps,
  input: { callRowId: string; legCallId: string },
): Promise<{ stored: boolean; reason?: string }> {
  const call = await readCallRecap(deps.db, input.callRowId);
  if (!call) return { stored: false, reason: 'call_not_found' };
  if (call.ai_summary) return { stored: false, reason: 'already_stored' };
  let recap;
  try {
    recap = await deps.dialpad.getAiRecap(input.legCallId);
  } catch (err) {
    if (isDialpadNotFound(err)) return { stored: false, reason: 'no_recap' };
    throw err;
  }
  const summary = recap.summary?.content ?? null;
  const purposes = (recap.purposes ?? []).map((p) => p.category || p.content).filter((p): p is string => !!p);
  const actionItems = (recap.action_items ?? []).map((a) => a.content).filter((a): a is string => !!a);
  const outcome = recap.disposition?.content ?? null;
  if (!summary && !purposes.length && !actionItems.length && !outcome) return { stored: false, reason: 'empty_recap' };
  await storeRecap(deps.db, input.callRowId, {
    ...(summary ? { summary } : {}),
    ...(outcome && !call.ai_outcome ? { outcome } : {}),
    ...(purposes.length ? { purposes } : {}),
    ...(actionItems.length ? { actionItems } : {}),
  });
  return { stored: true };
}

/**
 * The optional language model (INSIGHTS_LLM_*): asked for the final derivation of a call, never for
 * the interim ones (those show what is known while the run waits, within the workflow task that
 * applied the event, and are replaced by the final one). The activity runs with a 30 s
 * start-to-close timeout, so the model's two attempts of at most 10 s each leave room for Postgres.
 */
export interface InsightsModel {
  llm: LlmConfig | null;
  options?: Pick<ModelOptions, 'timeoutMs' | 'maxAttempts' | 'retryDelayMs'>;
  log?: ModelLogger;
}

export const INSIGHTS_MODEL_TIMEOUT_MS = 10_000;
export const INSIGHTS_MODEL_ATTEMPTS = 2;

/** The rules' insights, or the model's when one is configured and this is the final derivation. */
async function insightsOf(
  input: CallInsightsInput,
  model: InsightsModel | undefined,
  interim: boolean,
): Promise<{ insights: ModelCallInsights | ReturnType<typeof deriveCallInsights>; modelNote: string | null }> {
  if (!model?.llm || interim) return { insights: deriveCallInsights(input), modelNote: null };
  const insights = await deriveCallInsightsWithModel(input, model.llm, {
    timeoutMs: INSIGHTS_MODEL_TIMEOUT_MS,
    maxAttempts: INSIGHTS_MODEL_ATTEMPTS,
    ...model.options,
    ...(model.log ? { log: model.log } : {}),
  });
  // Why the rules stood in, when the model was asked and not used (a reason and counters, no call text).
  const asked = insights.model.attempts > 0;
  const modelNote = !insights.model.used && asked ? `${insights.model.fallbackReason}; the rules were used` : null;
  return { insights, modelNote };
}

/**
 * Sentiment, churn risk (with reasons), themes and resolved from what the row now holds, and the
 * call's Ai status: `complete`, `partial` (with notes on what is missing and why), or `none`. With
 * a model configured, the final derivation asks it first (`ai_sources.<field>` = `model`) and falls
 * back to the rules (`derived`, and an `ai_notes` entry for part `model` saying why).
 */
export async function deriveAndStoreInsights(
  db: Knex,
  input: {
    callRowId: string;
    missing?: { part: AiPart; reason: string }[];
    /**
     * Derived while the run still waits for Dialpad's Ai data: what is known is shown at once, the
     * parts not here yet are noted as such, and the collection is not marked done.
     */
    interim?: boolean;
  },
  model?: InsightsModel,
): Promise<{ aiStatus: 'complete' | 'partial' | 'none'; sentiment: string | null; churnRisk: string | null }> {
  const checked = !input.interim;
  const notYet = input.interim ? 'not received yet' : 'not available';
  const stored = await readInsightsInput(db, input.callRowId);
  if (!stored) throw new Error(`call ${input.callRowId} not found`);
  const { call, lines } = stored;

  const hasRecap = Boolean(call.ai_summary || call.ai_outcome || call.ai_purposes);
  const hasTranscript = lines.length > 0;
  const missing = input.missing ?? [];
  if (!hasRecap && !hasTranscript) {
    if (missing.length) {
      await writeAiStatus(db, input.callRowId, { aiStatus: 'partial', notes: missing, checked });
      return { aiStatus: 'partial', sentiment: null, churnRisk: null };
    }
    await writeAiStatus(db, input.callRowId, { aiStatus: null, checked });
    return { aiStatus: 'none', sentiment: null, churnRisk: null };
  }

  const { insights, modelNote } = await insightsOf(
    {
      recapSummary: call.ai_summary,
      recapOutcome: call.ai_outcome,
      recapPurposes: call.ai_purposes,
      recapActionItems: call.ai_action_items,
      transcriptLines: lines.map((l) => ({ ...l, type: l.type })),
    },
    model,
    input.interim === true,
  );
  const aiStatus = missing.length || !hasRecap || !hasTranscript ? 'partial' : 'complete';
  const notes = [
    ...missing,
    ...(!hasTranscript && !missing.some((m) => m.part === 'transcript')
      ? [{ part: 'transcript', reason: notYet }]
      : []),
    ...(!hasRecap && !missing.some((m) => m.part === 'recap') ? [{ part: 'recap', reason: notYet }] : []),
    // Not a missing part (the status stays as the data makes it): why the model's answer was not used.
    ...(modelNote ? [{ part: 'model', reason: modelNote }] : []),
  ];
  await writeInsights(db, input.callRowId, insights, { aiStatus, notes, checked });
  return { aiStatus, sentiment: insights.sentiment, churnRisk: insights.churnRisk };
}
