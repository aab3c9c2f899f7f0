// Scores deriveCallInsights against the hand-labelled calls in eval/ai-calls.json. Kept beside the rules
// so scripts/eval-ai.ts (the report) and test/ai/eval.test.ts (the floor) measure exactly the same thing.
import { z } from 'zod';

import type { CallInsights, ChurnRisk, Sentiment } from './derive';
import { CHURN_RISKS, deriveCallInsights, MAX_THEMES, SENTIMENTS } from './derive';

const transcriptLine = z.object({
  type: z.enum(['transcript', 'moment', 'custom_moment', 'real_time_moment', 'ai_question']),
  content: z.string(),
  // A line without a speaker's name may say so with null (Dialpad's own lines do): read as no name.
  name: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
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
  /** Derived themes that are fillers, greetings, interjections or names (see badThemesOf). */
  badThemes: string[];
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
  /** Derived themes, over all calls, that are fillers, greetings, interjections or names: should be 0. */
  badThemes: number;
  /** confusion[expected][predicted], 'null' for no value. */
  sentimentConfusion: Record<SentimentLabel, Record<SentimentLabel, number>>;
  byCategory: Record<string, { calls: number; sentiment: number; churn: number; resolved: number }>;
  results: CallResult[];
}

/** derive is replaceable so scripts/compare-nlp.ts can score other NLP libraries in the same rules. */
export function evaluateCallSet(
  set: LabelledCallSet,
  derive: (input: LabelledCall['input']) => CallInsights = deriveCallInsights,
): EvaluationFigures {
  const results = set.calls.map((c) => evaluateCall(c, derive));
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
    badThemes: results.reduce((s, r) => s + r.badThemes.length, 0),
    sentimentConfusion: confusion,
    byCategory,
    results,
  };
}

function evaluateCall(call: LabelledCall, derive: (input: LabelledCall['input']) => CallInsights): CallResult {
  const insights = derive(call.input);
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
    badThemes: badThemesOf(insights.themes ?? [], call.input),
  };
}

/**
 * The evaluation's own yardstick for themes nobody would file a call under, kept apart from the rules'
 * filters so that it can catch them: a theme is bad when all its words are conversational filler,
 * greetings, interjections, terms of address or slang exclamations (US, UK, AU), or when it contains the
 * name of someone on the call (a transcript line's speaker name, or a name introduced with "it's",
 * "this is", "my name is", "speaking").
 */
export function badThemesOf(themes: readonly string[], input: LabelledCall['input']): string[] {
  const names = namesOnCall(input);
  return themes.filter((theme) => {
    const words = theme.toLowerCase().match(/[a-z0-9']+/g) ?? [];
    if (words.length === 0) return true;
    if (words.some((w) => names.has(w))) return true;
    return words.every((w) => EVAL_FILLERS.has(w));
  });
}

const EVAL_FILLERS: ReadonlySet<string> = new Set(
  `a an the and or but so of to in on for with at by from my your our their his her its this that it is was be
  i you we they he she me us them just really very quite pretty bit little lot huge massive big
  hi hiya hello hey howdy g'day gday morning afternoon evening night bye goodbye cheers ta thanks thank thankyou please
  sorry apologies pardon okay ok alright righto yes yeah yep yup aye no nope nah sure fine great perfect lovely
  brilliant awesome cool wonderful fantastic excellent amazing super marvellous smashing legend legends mate mates
  buddy pal dude sir madam ma'am maam love darling darl hon honey guys folks y'all yall kidding joking joke bother
  bothered drama dramas dinkum fair reckon crikey blimey bloody gosh golly jeez geez wow whoa oops uh um er erm ah
  oh hmm mm huh ugh meh anyway anyways basically literally honestly actually seriously totally absolutely whatever
  like kinda sorta gonna wanna gotta innit ringing ring rang calling call hold holding hang hanging listen look
  sec second minute moment worries stress easy thing deal shoot gosh heck hell damn dang darn goodness lord god
  nice kind decent glad happy pleased chuffed gutted fuming annoyed upset frustrated angry furious terrible awful
  rubbish bacon saved lifesaver charm spot`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

/** A day or a holiday read after "it's" ("it's Mother's Day", "it's Friday"), not someone introduced. */
const NOT_AN_INTRODUCTION =
  /^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|september|october|november|december|christmas|easter|diwali|eid|hanukkah|ramadan|thanksgiving|halloween|hogmanay)\b|\b(?:day|eve|night|week|weekend)$/i;

const NOT_NAMES: ReadonlySet<string> = new Set([
  'caller',
  'agent',
  'customer',
  'unknown',
  'speaker',
  'mr',
  'mrs',
  'ms',
  'dr',
]);

function namesOnCall(input: LabelledCall['input']): Set<string> {
  const names = new Set<string>();
  const add = (text: string) => {
    for (const w of text.toLowerCase().match(/[a-z']+/g) ?? []) if (!NOT_NAMES.has(w) && w.length > 1) names.add(w);
  };
  for (const line of input.transcriptLines ?? []) {
    if (line.type !== 'transcript') continue;
    if (line.name) add(line.name);
    for (const m of line.content.matchAll(
      /\b(?:it's|this is|my name is|name's|i'm|you've got|you're speaking with)\s+((?:(?:Mr|Mrs|Ms|Dr)\.? )?[A-Z][a-z']+(?: [A-Z][a-z']+)?)/g,
    ))
      if (!NOT_AN_INTRODUCTION.test(m[1] ?? '')) add(m[1] ?? '');
    for (const m of line.content.matchAll(/\b([A-Z][a-z']+)(?: [A-Z][a-z']+)? (?:speaking|here)\b/g)) add(m[1] ?? '');
  }
  return names;
}

/**
 * The held-out part of a tuning set, looked at only in aggregate while the rest is tuned on:
 * eval/tune-calls.json, calls whose number is a multiple of 3 (the dev part of the first tuning
 * round); eval/tune2-calls.json (ids t2-NNN), every 4th call (the validation split).
 */
export function isDevCall(id: string): boolean {
  const n = /(\d+)$/.exec(id);
  if (n === null) return false;
  return Number(n[1]) % (id.startsWith('t2-') ? 4 : 3) === 0;
}

function withinOneLevel(expected: ChurnRisk | null, actual: ChurnRisk | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  return Math.abs(CHURN_RISKS.indexOf(expected) - CHURN_RISKS.indexOf(actual)) <= 1;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
