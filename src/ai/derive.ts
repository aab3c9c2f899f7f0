/**
 * Call insights: sentiment, churn risk, themes and resolved for one Dialpad call.
 *
 * Dialpad's public API sends a recap (summary, outcome, purposes, action items), a disposition and a
 * transcript, but no sentiment, churn-risk, theme or resolved field. When Dialpad does send one of them
 * (`dialpadProvided`), Navigator keeps Dialpad's value; otherwise it derives the field here.
 *
 * The derivation is a pure, deterministic function of its input: no clock, no randomness, no I/O, no
 * model download. Every derived field comes with a human-readable explanation of the evidence, and the
 * churn risk with its reasons, so a user can see why a call was marked the way it was.
 *
 * - sentiment (sentiment.ts): what the caller says, scored per utterance with VADER after removing
 *   pleasantries, names and fillers, plus a service-call lexicon (anger, praise, sarcasm), aggregated
 *   toward how the call ended into positive / negative / neutral / mixed, with the recap's own mood words
 *   as a second opinion. Falls back to the recap summary when there is no caller speech.
 * - churn risk (churn.ts): explicit signals placed on the label guide's ladder (critical: a decision to
 *   leave, a legal or regulatory threat, a chargeback raised; high: a threat or a stated plan to cancel),
 *   else medium for dissatisfaction (repeat problem, unresolved complaint, negative caller), else low.
 * - themes (themes.ts, nlp.ts): recap purposes, transcript moments, churn signals, then noun phrases
 *   tagged by wink-nlp, and a learned topic the call never names; never names, fillers or greetings; at most five.
 * - resolved (resolution.ts): read from the recap outcome, then the disposition, then the call itself;
 *   null when nothing says (a voicemail, no data).
 *
 * With no Ai data at all every field is null, never a placeholder. The full rules, thresholds and
 * measured accuracy are in src/ai/README.md; eval/*.json are the labelled sets behind them.
 */
import type { ChurnEvidenceUnit, ChurnRisk } from './churn';
import { assessChurn } from './churn';
import { parseProvidedResolved, readResolution } from './resolution';
import type { BaseScorer, Sentiment, SentimentAssessment } from './sentiment';
import {
  assessSentiment,
  recapTone,
  scoreUtterance,
  SENTIMENT_THRESHOLDS,
  summaryUnits,
  vaderScore,
  withRecapTone,
} from './sentiment';
import type { PhraseExtractor } from './themes';
import type { CombinerWeights } from './sentiment-combiner';
import { combinedSentiment, combinerFeatures } from './sentiment-combiner';
import { SENTIMENT_COMBINER } from './sentiment-combiner-weights';
import { type ChurnModel, learnedChurnCheck } from './churn-learned';
import CHURN_MODEL from './churn-model.json';
import THEME_MODEL from './theme-model.json';
import TOPIC_MODEL from './topic-model.json';
import { likelyTopics, type TopicModel } from './topics-learned';
import { learnedPhrases } from './themes-learned';
import { deriveThemes, humaniseLabel, MAX_THEMES, namesOnCall, winkPhrases } from './themes';
import { lowerCaseWords, normaliseText, peopleOnCall, splitSentences } from './text';

export type { ChurnRisk } from './churn';
export { CHURN_LEVELS, CHURN_SIGNAL_LEVELS } from './churn';
export type { Sentiment } from './sentiment';
export { SENTIMENT_THRESHOLDS } from './sentiment';
export { MAX_THEMES } from './themes';

export const SENTIMENTS: readonly Sentiment[] = ['positive', 'negative', 'neutral', 'mixed'];
export const CHURN_RISKS: readonly ChurnRisk[] = ['low', 'medium', 'high', 'critical'];

export type TranscriptLineType = 'transcript' | 'moment' | 'custom_moment' | 'real_time_moment' | 'ai_question';
/** 'caller' is the external party (customer or supplier) whatever the call's direction. */
export type Speaker = 'agent' | 'caller' | 'unknown';

export interface TranscriptLineInput {
  type: TranscriptLineType;
  content: string;
  name?: string;
  speaker: Speaker;
}

/** Values Dialpad may send one day; text is matched case-insensitively, anything unrecognised is ignored. */
export interface DialpadProvidedInsights {
  sentiment?: string | null;
  churnRisk?: string | null;
  themes?: readonly string[] | null;
  resolved?: boolean | string | null;
}

export interface CallInsightsInput {
  recapSummary?: string | null;
  recapOutcome?: string | null;
  recapPurposes?: readonly string[] | null;
  recapActionItems?: readonly string[] | null;
  disposition?: string | null;
  transcriptLines?: readonly TranscriptLineInput[] | null;
  dialpadProvided?: DialpadProvidedInsights | null;
}

export type InsightSource = 'dialpad' | 'derived' | null;

export interface CallInsights {
  sentiment: Sentiment | null;
  churnRisk: ChurnRisk | null;
  /** Human-readable evidence for the churn risk, e.g. 'caller said "cancel my subscription"'. */
  churnReasons: string[];
  /** Most prominent first; null when there was nothing to take themes from. */
  themes: string[] | null;
  resolved: boolean | null;
  sources: { sentiment: InsightSource; churnRisk: InsightSource; themes: InsightSource; resolved: InsightSource };
  explanation: { sentiment: string | null; churnRisk: string | null; themes: string | null; resolved: string | null };
}

const MOMENT_TYPES: ReadonlySet<TranscriptLineType> = new Set(['moment', 'custom_moment', 'real_time_moment']);

/**
 * The replaceable NLP steps, so scripts/compare-nlp.ts can measure other libraries in the same rules.
 * Production uses the defaults: VADER for utterance valence, wink-nlp noun phrases for themes.
 */
export interface InsightEngine {
  sentimentBase: BaseScorer;
  phrases: PhraseExtractor;
  /** The learned last step of sentiment (sentiment-combiner.ts); null reads the rules alone. */
  combiner: CombinerWeights | null;
  /** The learned check on churn risk over the recap's words (churn-learned.ts); null: the rules alone. */
  churnModel: ChurnModel | null;
  /** The learned topics of the call's words (topics-learned.ts), for the themes' last slot; absent: none. */
  topics?: TopicModel | null;
}

/** Churn signals of a grievance (not a calm decision to leave): they make a flat caller negative. */
const GRIEVANCE_SIGNALS: ReadonlySet<string> = new Set(
  'repeat legal chargeback chargeback-raised refund-demand escalation-demand cancellation'.split(' '),
);

export const DEFAULT_ENGINE: InsightEngine = {
  sentimentBase: vaderScore,
  phrases: learnedPhrases(THEME_MODEL, winkPhrases),
  combiner: SENTIMENT_COMBINER,
  churnModel: CHURN_MODEL as ChurnModel,
  topics: TOPIC_MODEL,
};

export function deriveCallInsights(input: CallInsightsInput): CallInsights {
  return deriveCallInsightsWith(input, DEFAULT_ENGINE);
}

export function deriveCallInsightsWith(input: CallInsightsInput, engine: InsightEngine): CallInsights {
  const summary = cleanText(input.recapSummary);
  const outcome = cleanText(input.recapOutcome);
  const lines = (input.transcriptLines ?? []).filter(
    (l): l is TranscriptLineInput => typeof l?.content === 'string' && l.content.trim() !== '',
  );
  const speech = lines.filter((l) => l.type === 'transcript');
  const people = peopleOnCall(speech);
  const score = (text: string) => scoreUtterance(text, engine.sentimentBase, people);
  const callerLines = speech.filter((l) => l.speaker === 'caller');
  const unattributed = speech.filter((l) => l.speaker === 'unknown');
  const momentLines = lines.filter((l) => MOMENT_TYPES.has(l.type));
  const moments = momentLines.map(momentLabel);
  // A moment's quote ("I've already called my bank and disputed it") is evidence in its own right.
  const momentQuotes = momentLines.map((l) => normaliseText(l.content)).filter((q, i) => q !== moments[i]);
  const purposes = cleanList(input.recapPurposes);
  const actionItems = cleanList(input.recapActionItems);
  const provided = readProvided(input.dialpadProvided);

  // Whose words stand for the caller: their own lines; else unattributed lines (better than nothing,
  // though they include the agent); else the recap summary's clauses about the caller.
  let voice: { texts: string[]; basis: string; source: string } | null = null;
  if (callerLines.length > 0) {
    voice = { texts: callerLines.map((l) => normaliseText(l.content)), basis: 'caller speech', source: 'caller said' };
  } else if (unattributed.length > 0) {
    voice = {
      texts: unattributed.map((l) => normaliseText(l.content)),
      basis: 'transcript without speaker attribution',
      source: 'the transcript says',
    };
  } else if (summary !== null) {
    const units = summaryUnits(summary);
    if (units.length > 0)
      voice = { texts: units, basis: 'recap summary (no caller transcript)', source: 'the recap says' };
  }
  const voiceFromTranscript = voice !== null && voice.source !== 'the recap says';

  const derivedSentiment: SentimentAssessment | null = voice
    ? withRecapTone(assessSentiment(voice.texts, voice.basis, engine.sentimentBase, people), recapTone(summary))
    : null;
  const readResolved = readResolution(input.recapOutcome, input.disposition, {
    summary,
    speech: speech.map((l) => ({ speaker: l.speaker, text: normaliseText(l.content) })),
    callerEnding: voiceFromTranscript ? (derivedSentiment?.lastThirdMean ?? null) : null,
  });

  const out: CallInsights = {
    sentiment: null,
    churnRisk: null,
    churnReasons: [],
    themes: null,
    resolved: null,
    sources: { sentiment: null, churnRisk: null, themes: null, resolved: null },
    explanation: { sentiment: null, churnRisk: null, themes: null, resolved: null },
  };

  if (provided.sentiment.value) {
    out.sentiment = provided.sentiment.value;
    out.sources.sentiment = 'dialpad';
    out.explanation.sentiment = `Dialpad sent sentiment "${provided.sentiment.raw}".`;
  } else if (derivedSentiment) {
    out.sentiment = derivedSentiment.sentiment;
    out.sources.sentiment = 'derived';
    out.explanation.sentiment = withIgnored(derivedSentiment.explanation, 'sentiment', provided.sentiment.raw);
  }

  if (provided.resolved.value !== null) {
    out.resolved = provided.resolved.value;
    out.sources.resolved = 'dialpad';
    out.explanation.resolved = `Dialpad sent resolved ${JSON.stringify(provided.resolved.raw)}.`;
  } else if (readResolved.resolved !== null || readResolved.explanation !== null) {
    out.resolved = readResolved.resolved;
    out.sources.resolved = readResolved.resolved === null ? null : 'derived';
    out.explanation.resolved = withIgnored(readResolved.explanation ?? '', 'resolved', provided.resolved.raw);
  }

  const hasChurnEvidence = voice !== null || summary !== null || moments.length > 0;
  let churnSignals: string[] = [];
  let churnLookAlikes: string[] = [];
  let rereadChurn: ((sentiment: Sentiment | null) => void) | null = null;
  if (provided.churnRisk.value) {
    out.churnRisk = provided.churnRisk.value;
    out.sources.churnRisk = 'dialpad';
    out.explanation.churnRisk = `Dialpad sent churn risk "${provided.churnRisk.raw}".`;
  } else if (hasChurnEvidence) {
    const units: ChurnEvidenceUnit[] = [];
    if (voiceFromTranscript && voice && derivedSentiment)
      derivedSentiment.scored.forEach((u) => units.push({ source: voice.source, text: u.text, compound: u.compound }));
    for (const s of summary !== null ? splitSentences(summary) : [])
      units.push({ source: 'the recap says', text: s, compound: score(s).compound });
    for (const a of actionItems) units.push({ source: 'action item', text: a, compound: score(a).compound });
    if (outcome !== null) units.push({ source: 'the outcome says', text: outcome, compound: 0, fromOutcome: true });
    for (const p of purposes) units.push({ source: 'a purpose says', text: p, compound: 0, fromOutcome: true });
    for (const l of speech.filter((x) => x.speaker === 'agent'))
      units.push({ source: 'the agent said', text: normaliseText(l.content), compound: 0, fromAgent: true });
    for (const m of moments) units.push({ source: 'Dialpad moment', text: humaniseLabel(m), compound: 0, label: m });
    for (const q of momentQuotes) units.push({ source: 'Dialpad moment', text: q, compound: score(q).compound });
    const readChurn = (sentiment: Sentiment | null) =>
      assessChurn(units, {
        sentiment,
        lastThirdMean: derivedSentiment?.lastThirdMean ?? null,
        resolved: out.resolved,
        resolvedExplanation: out.explanation.resolved,
        outcome,
      });
    const churn = readChurn(out.sentiment);
    rereadChurn = (sentiment) => {
      const again = readChurn(sentiment);
      [out.churnRisk, out.churnReasons, churnLookAlikes] = [again.churnRisk, again.churnReasons, again.lookAlikes];
      out.explanation.churnRisk = withIgnored(again.explanation, 'churn risk', provided.churnRisk.raw);
    };
    churnSignals = churn.signals;
    churnLookAlikes = churn.lookAlikes;
    // A caller who reports the same problem again, threatens the law, a chargeback, an escalation or to cancel,
    // or demands a refund is frustrated however flat the words: negative unless the call ended warmly.
    const grievance = churn.signals.find((k) => GRIEVANCE_SIGNALS.has(k));
    if (
      grievance &&
      out.sources.sentiment === 'derived' &&
      out.sentiment === 'neutral' &&
      (derivedSentiment?.lastThirdMean ?? 0) < SENTIMENT_THRESHOLDS.ending
    ) {
      out.sentiment = 'negative';
      out.explanation.sentiment = `${(out.explanation.sentiment ?? '').replace(/\.$/, '')}; the caller's ${grievance.replace(/-/g, ' ')} (churn evidence) shows frustration not won over, so negative.`;
    }
    out.churnRisk = churn.churnRisk;
    out.churnReasons = churn.churnReasons;
    out.sources.churnRisk = 'derived';
    out.explanation.churnRisk = withIgnored(churn.explanation, 'churn risk', provided.churnRisk.raw);
  }

  if (provided.themes.value) {
    out.themes = provided.themes.value;
    out.sources.themes = 'dialpad';
    out.explanation.themes = `Dialpad sent ${provided.themes.value.length} theme(s).`;
  } else if (purposes.length > 0 || moments.length > 0 || summary !== null || voiceFromTranscript) {
    // The outcome names what was done ("One-month credit applied", "Refund request raised"): as topical
    // as the summary, and read with it.
    const recap = [...(summary !== null ? splitSentences(summary) : []), ...(outcome !== null ? [outcome] : [])];
    const texts = [...recap, ...(voiceFromTranscript && voice ? voice.texts : [])];
    const agentTexts = voiceFromTranscript
      ? speech.filter((l) => l.speaker === 'agent').map((l) => normaliseText(l.content))
      : [];
    const names = new Set([
      ...namesOnCall(
        speech.map((l) => ({ text: l.content, name: l.name })),
        recap,
      ),
      ...peopleOnCall(speech, lowerCaseWords([...speech.map((l) => l.content), ...recap])),
    ]);
    const themes = deriveThemes(
      {
        purposes,
        moments,
        texts,
        recapCount: recap.length,
        names,
        churnSignals,
        agentTexts,
        topics: engine.topics ? likelyTopics(engine.topics, input) : [],
      },
      engine.phrases,
    );
    out.themes = themes.themes;
    out.sources.themes = 'derived';
    out.explanation.themes = themes.explanation;
  }

  // The rules' reading, weighed by the learned combiner (which reads the churn the rules' sentiment gave, as
  // in training). Trained on calls with the caller's own lines or none, not on unattributed transcripts.
  const unattributedOnly = callerLines.length === 0 && unattributed.length > 0;
  if (engine.combiner && out.sources.sentiment === 'derived' && out.sentiment !== null && !unattributedOnly) {
    const rules = out.sentiment;
    const learned = combinedSentiment(engine.combiner, combinerFeatures(input, out), rules);
    out.sentiment = learned.sentiment;
    // Churn is then read again with the caller's final mood, not the one the combiner overruled.
    if (learned.overruled && rereadChurn) rereadChurn(learned.sentiment);
    out.explanation.sentiment = learned.overruled
      ? `${out.explanation.sentiment ?? ''} The rules read ${rules}; the learned combiner, weighing the same evidence as the labelled calls taught it, reads ${learned.sentiment} (p ${learned.probability}).`
      : `${out.explanation.sentiment ?? ''} The learned combiner keeps ${rules} (its own reading at p ${learned.probability}).`;
  }

  // Last, so the combiner read the rules' churn as in training: a recap that reads like leaving raises a
  // low or medium reading the rules found no phrase for, unless they read low and found talk of leaving to
  // be something else (one booking cancelled, the customer kept). From medium the raise is one rung, to
  // high: in the tuning sets all 13 calls so vetoed from medium were labelled high. A recap that reads
  // settled lowers a high reading one rung (churn-learned.ts).
  if (engine.churnModel && out.sources.churnRisk === 'derived' && out.churnRisk !== null) {
    const check = learnedChurnCheck(engine.churnModel, input, out.churnRisk);
    if (check && churnLookAlikes.length > 0 && out.churnRisk === 'low') {
      out.explanation.churnRisk = `${out.explanation.churnRisk ?? ''} The learned check reads the recap as ${check.churnRisk} (p ${check.probability} high or critical), but the call says otherwise (${churnLookAlikes.join(', ')}): the rules' reading stands.`;
    } else if (check) {
      out.churnReasons = [...out.churnReasons, check.reason];
      out.explanation.churnRisk = `${out.explanation.churnRisk ?? ''} ${check.explanation}`;
      out.churnRisk = check.churnRisk;
    }
  }

  return out;
}

/**
 * What a moment is about. Dialpad's moments carry either a label as content ("late_delivery") or the
 * words that triggered them as content and the label as name ({content: "ABC Roofing", name:
 * "Competitor mention"}); a theme is the label, never the quote or the competitor's name.
 */
function momentLabel(line: TranscriptLineInput): string {
  const content = normaliseText(line.content);
  const name = normaliseText(line.name ?? '');
  const looksLikeLabel = /^[a-z0-9]+(?:[_ -][a-z0-9]+)*$/.test(content);
  return name !== '' && !looksLikeLabel ? name : content;
}

function cleanText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = normaliseText(value);
  return text === '' ? null : text;
}

function cleanList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(cleanText).filter((v): v is string => v !== null);
}

interface Provided<T> {
  value: T;
  /** What Dialpad sent, kept to explain why it was or was not used. */
  raw: unknown;
}

function readProvided(p: DialpadProvidedInsights | null | undefined): {
  sentiment: Provided<Sentiment | null>;
  churnRisk: Provided<ChurnRisk | null>;
  themes: Provided<string[] | null>;
  resolved: Provided<boolean | null>;
} {
  const pick = <T extends string>(raw: unknown, allowed: readonly T[]): T | null => {
    if (typeof raw !== 'string') return null;
    const v = raw.trim().toLowerCase();
    return allowed.find((a) => a === v) ?? null;
  };
  let themes: string[] | null = null;
  if (Array.isArray(p?.themes)) {
    const seen = new Set<string>();
    themes = cleanList(p.themes).filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
    themes = themes.length > 0 ? themes.slice(0, MAX_THEMES) : null;
  }
  return {
    sentiment: { value: pick(p?.sentiment, SENTIMENTS), raw: p?.sentiment ?? null },
    churnRisk: { value: pick(p?.churnRisk, CHURN_RISKS), raw: p?.churnRisk ?? null },
    themes: { value: themes, raw: p?.themes ?? null },
    resolved: { value: parseProvidedResolved(p?.resolved), raw: p?.resolved ?? null },
  };
}

/** Says so when Dialpad sent a value Navigator could not read, so the derived one replaced it. */
function withIgnored(explanation: string, field: string, raw: unknown): string {
  if (raw === null || raw === undefined) return explanation;
  return `${explanation} (Dialpad's ${field} ${JSON.stringify(raw)} was not recognised, so it was derived.)`;
}
