// Scores deriveCallInsights against the hand-labelled calls in eval/ai-calls.json. Kept beside the rules
// so scripts/eval-ai.ts (the report) and test/ai/eval.test.ts (the floor) measure exactly the same thing.
import { z } from 'zod';

import type { CallInsights, ChurnRisk, Sentiment } from './derive';
import { CHURN_RISKS, deriveCallInsights, MAX_THEMES, SENTIMENTS } from './derive';

const transcriptLine = z.object({
  type: z.enum(['transcript', 'moment', 'custom_moment', 'real_time_moment', 'ai_question']),
  content: z.string(),
  name: z.string().optional(),
  speaker: z.enum(['agent', 'caller', 'unknown']),
});

const labelledCall = z.object({
  id: z.string(),
  category: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  note: z.string().optional(),
  input: z.object({
    recapSummary: z.string().nullable(),
    recapOutcome: z.string().nullable(),
    recapPurposes: z.array(z.string()).nullable(),
    recapActionItems: z.array(z.string()).nullable(),
    disposition: z.string().nullable(),
    transcriptLines: z.array(transcriptLine).nullable(),
  }),
  expected: z.object({
    sentiment: z.enum(['positive', 'negative', 'neutral', 'mixed']).nullable(),
    churnRisk: z.enum(['low', 'medium', 'high', 'critical']).nullable(),
    resolved: z.boolean().nullable(),
    themes: z.array(z.string()),
  }),
});

export const labelledCallSet = z.object({
  description: z.string(),
  labelGuide: z.record(z.string(), z.string()),
  calls: z.array(labelledCall).min(1),
});

export type LabelledCall = z.infer<typeof labelledCall>;
export type LabelledCallSet = z.infer<typeof labelledCallSet>;

type SentimentLabel = Sentiment | 'null';
const SENTIMENT_LABELS: readonly SentimentLabel[] = [...SENTIMENTS, 'null'];

export interface CallResult {
  id: string;
  category: string;
  expected: LabelledCall['expected'];
  actual: Pick<CallInsights, 'sentiment' | 'churnRisk' | 'resolved' | 'themes'>;
  sentimentOk: boolean;
  churnOk: boolean;
  churnWithinOne: boolean;
  resolvedOk: boolean;
  /** Expected theme keywords found among the top themes; null when the call lists none. */
  themeRecall: number | null;
  missingThemes: string[];
}

export interface EvaluationFigures {
  calls: number;
  sentimentAccuracy: number;
  churnAccuracy: number;
  churnWithinOneAccuracy: number;
  resolvedAccuracy: number;
  /** Mean over calls with expected keywords of the share found in the top five themes. */
  themesRecallAt5: number;
  themeCallsScored: number;
  /** confusion[expected][predicted], 'null' for no value. */
  sentimentConfusion: Record<SentimentLabel, Record<SentimentLabel, number>>;
  byCategory: Record<string, { calls: number; sentiment: number; churn: number; resolved: number }>;
  results: CallResult[];
}

export function evaluateCallSet(set: LabelledCallSet): EvaluationFigures {
  const results = set.calls.map(evaluateCall);
  const share = (pred: (r: CallResult) => boolean, rs: readonly CallResult[] = results) =>
    rs.length === 0 ? 0 : round(rs.filter(pred).length / rs.length);

  const confusion = Object.fromEntries(
    SENTIMENT_LABELS.map((e) => [e, Object.fromEntries(SENTIMENT_LABELS.map((p) => [p, 0]))]),
  ) as EvaluationFigures['sentimentConfusion'];
  for (const r of results) confusion[r.expected.sentiment ?? 'null'][r.actual.sentiment ?? 'null'] += 1;

  const themed = results.filter((r) => r.themeRecall !== null);
  const byCategory: EvaluationFigures['byCategory'] = {};
  for (const category of [...new Set(results.map((r) => r.category))].sort()) {
    const rs = results.filter((r) => r.category === category);
    byCategory[category] = {
      calls: rs.length,
      sentiment: share((r) => r.sentimentOk, rs),
      churn: share((r) => r.churnOk, rs),
      resolved: share((r) => r.resolvedOk, rs),
    };
  }

  return {
    calls: results.length,
    sentimentAccuracy: share((r) => r.sentimentOk),
    churnAccuracy: share((r) => r.churnOk),
    churnWithinOneAccuracy: share((r) => r.churnWithinOne),
    resolvedAccuracy: share((r) => r.resolvedOk),
    themesRecallAt5:
      themed.length === 0 ? 0 : round(themed.reduce((s, r) => s + (r.themeRecall ?? 0), 0) / themed.length),
    themeCallsScored: themed.length,
    sentimentConfusion: confusion,
    byCategory,
    results,
  };
}

function evaluateCall(call: LabelledCall): CallResult {
  const insights = deriveCallInsights(call.input);
  const { expected } = call;
  const top = (insights.themes ?? []).slice(0, MAX_THEMES).map((t) => t.toLowerCase());
  const missingThemes = expected.themes.filter((k) => !top.some((t) => t.includes(k.toLowerCase())));
  return {
    id: call.id,
    category: call.category,
    expected,
    actual: {
      sentiment: insights.sentiment,
      churnRisk: insights.churnRisk,
      resolved: insights.resolved,
      themes: insights.themes,
    },
    sentimentOk: insights.sentiment === expected.sentiment,
    churnOk: insights.churnRisk === expected.churnRisk,
    churnWithinOne: withinOneLevel(expected.churnRisk, insights.churnRisk),
    resolvedOk: insights.resolved === expected.resolved,
    themeRecall:
      expected.themes.length === 0
        ? null
        : round((expected.themes.length - missingThemes.length) / expected.themes.length),
    missingThemes,
  };
}

function withinOneLevel(expected: ChurnRisk | null, actual: ChurnRisk | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  return Math.abs(CHURN_RISKS.indexOf(expected) - CHURN_RISKS.indexOf(actual)) <= 1;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
