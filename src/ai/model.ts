/**
 * Optional language-model path for call insights: any OpenAI-compatible chat-completions endpoint is
 * asked for a JSON answer (response_format json_schema), the answer is validated, and the rules in
 * derive.ts stand in whenever the model is off, slow, failing or wrong. The rules always run first, so
 * a fallback costs nothing extra and Dialpad's own values keep their precedence over the model's.
 *
 * Endpoint: INSIGHTS_LLM_URL is a base URL ("https://api.example.com/v1" → POST
 * https://api.example.com/v1/chat/completions); a URL whose path already ends in /chat/completions is
 * used as given. The API key goes in an Authorization: Bearer header and is never logged, nor is any
 * call text (the prompt, the transcript, the model's answer): logs carry only the reason for a fallback.
 */
import { z } from 'zod';

import type { CallInsights, CallInsightsInput, InsightSource } from './derive';
import { CHURN_RISKS, deriveCallInsights, MAX_THEMES, SENTIMENTS } from './derive';
import type { LlmConfig } from './llm-config';
import { isThemeWorthFiling } from './themes';

export type { LlmConfig } from './llm-config';
export { llmConfigFromEnv, readLlmConfig } from './llm-config';

export type ModelInsightSource = InsightSource | 'model';

export interface ModelCallInsights extends Omit<CallInsights, 'sources'> {
  sources: {
    sentiment: ModelInsightSource;
    churnRisk: ModelInsightSource;
    themes: ModelInsightSource;
    resolved: ModelInsightSource;
  };
  /** Whether the model's answer was used, and if not, why the rules stood in. */
  model: { used: boolean; attempts: number; fallbackReason: string | null };
}

/** What a logger gets: a reason and counters, never the key, the prompt or the answer. */
export interface ModelLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ModelOptions {
  /** Per attempt; a slower answer is abandoned. Default 15 s. */
  timeoutMs?: number;
  /** Attempts in all, for connection errors, 429 and 5xx only. Default 2. */
  maxAttempts?: number;
  /** Pause before a retry, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  log?: ModelLogger;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The answer the model must give; the same shape is sent as the JSON schema below. */
const modelAnswer = z.strictObject({
  sentiment: z.enum(['positive', 'negative', 'neutral', 'mixed']).nullable(),
  churnRisk: z.enum(['low', 'medium', 'high', 'critical']).nullable(),
  churnReasons: z.array(z.string().max(300)).max(8),
  themes: z.array(z.string().min(1).max(60)).max(MAX_THEMES),
  resolved: z.boolean().nullable(),
  explanation: z.strictObject({
    sentiment: z.string().max(500),
    churnRisk: z.string().max(500),
    themes: z.string().max(500),
    resolved: z.string().max(500),
  }),
});
type ModelAnswer = z.infer<typeof modelAnswer>;

const nullableEnum = (values: readonly string[]) => ({ type: ['string', 'null'], enum: [...values, null] });
const RESPONSE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['sentiment', 'churnRisk', 'churnReasons', 'themes', 'resolved', 'explanation'],
  properties: {
    sentiment: nullableEnum(SENTIMENTS),
    churnRisk: nullableEnum(CHURN_RISKS),
    churnReasons: { type: 'array', items: { type: 'string' }, maxItems: 8 },
    themes: { type: 'array', items: { type: 'string' }, maxItems: MAX_THEMES },
    resolved: { type: ['boolean', 'null'] },
    explanation: {
      type: 'object',
      additionalProperties: false,
      required: ['sentiment', 'churnRisk', 'themes', 'resolved'],
      properties: {
        sentiment: { type: 'string' },
        churnRisk: { type: 'string' },
        themes: { type: 'string' },
        resolved: { type: 'string' },
      },
    },
  },
} as const;

// The label guide the rules are measured against (eval/*.json), so the model answers the same question.
const SYSTEM_PROMPT = `You read one business phone call (a Dialpad recap and transcript) and answer in JSON.
"caller" is the external party (customer or supplier) whatever the call direction; "agent" is our staff.
- sentiment: the caller's overall tone, weighted toward how the call ended. positive: clearly pleased beyond pleasantries; negative: frustrated, angry or upset and not won over (politeness, sarcasm and understatement can hide anger); neutral: matter-of-fact (polite thanks alone is not positive); mixed: a clear swing (angry then relieved, or pleased then upset). null when the caller said nothing and there is no summary.
- churnRisk: low: no sign of leaving; medium: clear dissatisfaction, a repeat problem or an unresolved complaint, no threat; high: an explicit or conditional threat to cancel/leave/switch/chargeback (including indirect ones such as reviewing options at renewal or getting competitor quotes), an angry refund demand left open, or a stated plan to cancel; critical: a stated decision to leave (or already left/switched), a legal or regulatory threat, or a chargeback already raised. For suppliers, the risk to the supply relationship. null when there is no text.
- churnReasons: short quotes or facts behind the churn risk (empty for low).
- themes: at most ${MAX_THEMES} short noun phrases a person would file the call under (e.g. "Late delivery", "Refund"), most prominent first; never fillers, greetings, interjections, slang or names of people or companies.
- resolved: whether the caller's objective was met on this call, from the outcome when there is one; null when it cannot be told (voicemail, nothing to resolve).
- explanation: one sentence of evidence per field.`;

const NO_MODEL = { used: false, attempts: 0, fallbackReason: null } as const;

/**
 * The model's reading of the call where the rules would derive a field; Dialpad's own values, and
 * fields with nothing to read, stay as the rules give them. Resolves (never rejects) to the rules'
 * answer, marked with the reason, when the model is off, times out, fails or answers out of shape.
 */
export async function deriveCallInsightsWithModel(
  input: CallInsightsInput,
  config: LlmConfig | null,
  opts: ModelOptions = {},
): Promise<ModelCallInsights> {
  const rules = deriveCallInsights(input);
  if (config === null) return { ...rules, model: { ...NO_MODEL, fallbackReason: 'model not configured' } };
  const derivable = (['sentiment', 'churnRisk', 'themes', 'resolved'] as const).filter(
    (f) => rules.sources[f] !== 'dialpad',
  );
  const hasText = rules.sources.sentiment !== null || rules.sources.churnRisk !== null || rules.sources.themes !== null;
  if (derivable.length === 0 || !hasText) {
    return { ...rules, model: { ...NO_MODEL, fallbackReason: hasText ? 'Dialpad sent every field' : 'no call text' } };
  }

  const asked = await askModel(input, config, opts);
  if (!asked.ok) {
    opts.log?.warn(
      { model: config.model, attempts: asked.attempts, reason: asked.reason },
      'call insights model failed; using the rules',
    );
    return { ...rules, model: { used: false, attempts: asked.attempts, fallbackReason: asked.reason } };
  }
  return merge(rules, asked.answer, derivable, asked.attempts);
}

function merge(
  rules: CallInsights,
  answer: ModelAnswer,
  fields: ReadonlyArray<'sentiment' | 'churnRisk' | 'themes' | 'resolved'>,
  attempts: number,
): ModelCallInsights {
  const out: ModelCallInsights = {
    ...rules,
    churnReasons: [...rules.churnReasons],
    themes: rules.themes ? [...rules.themes] : null,
    sources: { ...rules.sources },
    explanation: { ...rules.explanation },
    model: { used: true, attempts, fallbackReason: null },
  };
  // A field the rules found nothing to read for (no caller speech, no summary) stays null: the model
  // must not invent a sentiment for a call nobody spoke on. Resolved is the exception: the model may
  // read an outcome phrased in a way the rules' patterns do not know.
  const readable = (f: (typeof fields)[number]) => f === 'resolved' || rules.sources[f] !== null;
  for (const f of fields.filter(readable)) {
    if (f === 'sentiment') out.sentiment = answer.sentiment;
    if (f === 'churnRisk') {
      out.churnRisk = answer.churnRisk;
      out.churnReasons = answer.churnReasons.map((r) => r.trim()).filter((r) => r !== '');
    }
    if (f === 'themes') {
      const seen = new Set<string>();
      out.themes = answer.themes
        .map((t) => t.trim())
        .filter((t) => isThemeWorthFiling(t) && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()))
        .slice(0, MAX_THEMES);
    }
    if (f === 'resolved') out.resolved = answer.resolved;
    out.sources[f] = out[f] === null ? null : 'model';
    out.explanation[f] = `model ${JSON.stringify(answer.explanation[f].trim())}`;
  }
  return out;
}

type Asked = { ok: true; answer: ModelAnswer; attempts: number } | { ok: false; reason: string; attempts: number };

async function askModel(input: CallInsightsInput, config: LlmConfig, opts: ModelOptions): Promise<Asked> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxAttempts = Math.max(1, Math.min(opts.maxAttempts ?? 2, 5));
  const retryDelayMs = opts.retryDelayMs ?? 500;
  const doFetch = opts.fetch ?? fetch;
  const body = JSON.stringify({
    model: config.model,
    temperature: 0,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: JSON.stringify(callForPrompt(input)) },
    ],
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'call_insights', strict: true, schema: RESPONSE_SCHEMA },
    },
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (config.apiKey !== null) headers.authorization = `Bearer ${config.apiKey}`;

  let reason = 'no attempt';
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (attempt > 1) await sleep(retryDelayMs * 2 ** (attempt - 2));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let retryable = false;
    try {
      const res = await doFetch(config.endpoint, { method: 'POST', headers, body, signal: controller.signal });
      // Read the body under the same timeout: a server may send headers promptly and then stall.
      const text = await res.text();
      if (!res.ok) {
        reason = `HTTP ${res.status}`;
        retryable = res.status === 429 || res.status >= 500;
      } else {
        const parsed = parseAnswer(text);
        if (parsed.ok) return { ok: true, answer: parsed.answer, attempts: attempt };
        reason = parsed.reason;
      }
    } catch (err) {
      if (controller.signal.aborted) {
        // A model that is this slow once will likely be slow again; retrying would only double the wait.
        reason = `timed out after ${timeoutMs} ms`;
      } else {
        // Only the error's class and code: a message could echo the URL, and with it a key in a query.
        reason = `request failed (${errorCode(err)})`;
        retryable = true;
      }
    } finally {
      clearTimeout(timer);
    }
    if (!retryable) return { ok: false, reason, attempts: attempt };
  }
  return { ok: false, reason, attempts: maxAttempts };
}

function parseAnswer(text: string): { ok: true; answer: ModelAnswer } | { ok: false; reason: string } {
  let content: unknown;
  try {
    const completion = JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown; refusal?: unknown } }> };
    const message = completion.choices?.[0]?.message;
    if (typeof message?.refusal === 'string' && message.refusal !== '') return { ok: false, reason: 'model refused' };
    content = message?.content;
  } catch {
    return { ok: false, reason: 'response is not JSON' };
  }
  if (typeof content !== 'string') return { ok: false, reason: 'response has no message content' };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, reason: 'answer is not JSON' };
  }
  const result = modelAnswer.safeParse(json);
  if (!result.success) {
    // Paths only, not values: the values may quote the transcript.
    const paths = [...new Set(result.error.issues.map((i) => i.path.join('.') || '(root)'))].slice(0, 5);
    return { ok: false, reason: `answer does not match the schema (${paths.join(', ')})` };
  }
  return { ok: true, answer: result.data };
}

/** What the model is shown: the recap and the transcript with speakers, nothing about the account. */
function callForPrompt(input: CallInsightsInput) {
  return {
    recapSummary: input.recapSummary ?? null,
    recapOutcome: input.recapOutcome ?? null,
    recapPurposes: input.recapPurposes ?? [],
    recapActionItems: input.recapActionItems ?? [],
    disposition: input.disposition ?? null,
    transcript: (input.transcriptLines ?? [])
      .filter((l) => typeof l?.content === 'string' && l.content.trim() !== '')
      .map((l) => (l.type === 'transcript' ? { speaker: l.speaker, text: l.content } : { moment: l.content })),
  };
}

function errorCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return err instanceof Error ? err.name : 'unknown';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
