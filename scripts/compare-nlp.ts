// Compares NLP libraries inside the same insight rules, on any labelled call set, printing aggregate
// figures only (so it is safe to run on the frozen report set):
//   npx tsx scripts/compare-nlp.ts --file eval/tune-calls.json [--part tune|dev]
//
// Two steps are swapped, everything else stays the production rules:
// - themes: the tagger behind the noun-phrase chunker (wink-nlp, compromise, natural's Brill tagger), and
//   the old stop-word runs without any tagger;
// - sentiment: the valence of a cleaned utterance (VADER, wink-nlp's sentiment, natural's AFINN analyser),
//   under the same lexicon, sarcasm and aggregation rules. Those thresholds were swept with VADER, which
//   favours it; the plain-library rows show each library alone (mean over the caller's lines, ±0.05).
// compromise and natural are not dependencies of the project (natural alone pulls in mongoose, redis, pg
// and a 34 MB WordNet); install them for a run, without saving:
//   npm install --no-save compromise@14.17.0 natural@8.1.1
// Rows for a library that is not installed are skipped, with a note.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import winkNLP from 'wink-eng-lite-web-model';
import winkFactory from 'wink-nlp';

import type { CallInsights, InsightEngine } from '../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsightsWith } from '../src/ai/derive';
import type { LabelledCall } from '../src/ai/evaluation';
import { evaluateCallSet, isDevCall, labelledCallSet } from '../src/ai/evaluation';
import type { TaggedWord, Tagger } from '../src/ai/nlp';
import type { BaseScorer } from '../src/ai/sentiment';
import { vaderScore } from '../src/ai/sentiment';
import { splitSentences, stem } from '../src/ai/text';
import type { PhraseExtractor } from '../src/ai/themes';
import { nounPhrases, stopWordRunPhrases, winkPhrases } from '../src/ai/themes';

type Compromise = (text: string) => { json(): Array<{ terms: Array<{ text: string; tags: string[] }> }> };
interface Natural {
  BrillPOSTagger: new (
    lexicon: unknown,
    rules: unknown,
  ) => { tag(words: string[]): { taggedWords: Array<{ token: string; tag: string }> } };
  Lexicon: new (language: string, defaultCategory: string, defaultCapitalized: string) => unknown;
  RuleSet: new (language: string) => unknown;
  SentimentAnalyzer: new (
    language: string,
    stemmer: undefined,
    vocabulary: string,
  ) => { getSentiment(words: string[]): number };
}

function optional<T>(name: string): T | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch {
    return null;
  }
}

const nlpCompromise = optional<Compromise>('compromise');
// natural loads ./.env into process.env when imported (it depends on dotenv); keep it quiet here. That
// side effect alone rules it out for the service.
process.env.DOTENV_CONFIG_QUIET = 'true';
const natural = optional<Natural>('natural');

const compromiseTagger =
  (parse: Compromise): Tagger =>
  (text) =>
    parse(text)
      .json()
      .map((s) =>
        s.terms.map((t, i): TaggedWord => {
          const tags = new Set(t.tags);
          const pos =
            tags.has('ProperNoun') || tags.has('Person') || tags.has('Organization') || tags.has('Place')
              ? 'PROPN'
              : tags.has('Pronoun') || tags.has('Possessive')
                ? 'PRON'
                : tags.has('Noun')
                  ? 'NOUN'
                  : tags.has('Adjective')
                    ? 'ADJ'
                    : tags.has('Verb')
                      ? 'VERB'
                      : tags.has('Expression')
                        ? 'INTJ'
                        : 'X';
          const lower = t.text.toLowerCase();
          return {
            surface: t.text,
            lower,
            pos,
            base: tags.has('Plural') ? stem(lower) : lower,
            sentenceStart: i === 0,
          };
        }),
      );

const wordsOf = (s: string) => s.match(/[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu) ?? [];
const naturalTagger = (lib: Natural): Tagger => {
  const brill = new lib.BrillPOSTagger(new lib.Lexicon('EN', 'N', 'NNP'), new lib.RuleSet('EN'));
  return (text) =>
    splitSentences(text).map((sentence) =>
      brill.tag(wordsOf(sentence)).taggedWords.map((w, i): TaggedWord => {
        const tag = w.tag;
        const pos = tag.startsWith('NNP')
          ? 'PROPN'
          : tag.startsWith('NN')
            ? 'NOUN'
            : tag.startsWith('JJ')
              ? 'ADJ'
              : tag.startsWith('VB')
                ? 'VERB'
                : tag === 'UH'
                  ? 'INTJ'
                  : 'X';
        const lower = w.token.toLowerCase();
        return { surface: w.token, lower, pos, base: tag === 'NNS' ? stem(lower) : lower, sentenceStart: i === 0 };
      }),
    );
};

const wink = winkFactory(winkNLP);
const winkScore: BaseScorer = (text) => wink.readDoc(text).out(wink.its.sentiment) as number;
// natural returns the mean AFINN valence per word; its sum is put on VADER's scale (sum / √(sum² + 15)).
const naturalScore = (lib: Natural): BaseScorer => {
  const afinn = new lib.SentimentAnalyzer('English', undefined, 'afinn');
  return (text) => {
    const words = wordsOf(text);
    if (words.length === 0) return 0;
    const sum = afinn.getSentiment(words) * words.length;
    return sum / Math.sqrt(sum * sum + 15);
  };
};

const themeVariants: Array<[string, PhraseExtractor]> = [
  ['stop-word runs (previous rules, no library)', stopWordRunPhrases],
  ['wink-nlp tagger, ordered by frequency score', winkPhrases],
  ['wink-nlp tagger, learned order (production)', DEFAULT_ENGINE.phrases],
];
if (nlpCompromise) {
  const tag = compromiseTagger(nlpCompromise);
  themeVariants.push(['compromise tagger', (w, names) => nounPhrases(w, tag, names)]);
}
if (natural) {
  const tag = naturalTagger(natural);
  themeVariants.push(['natural Brill tagger', (w, names) => nounPhrases(w, tag, names)]);
}
const sentimentVariants: Array<[string, BaseScorer]> = [
  ['VADER (production)', vaderScore],
  ['wink-nlp sentiment', winkScore],
];
if (natural) sentimentVariants.push(['natural AFINN', naturalScore(natural)]);

function main(argv: readonly string[]): void {
  const fileArg = argv.indexOf('--file');
  const file = resolve(fileArg >= 0 && argv[fileArg + 1] ? argv[fileArg + 1]! : 'eval/tune-calls.json');
  const set = labelledCallSet.parse(JSON.parse(readFileSync(file, 'utf8')));
  const partArg = argv.indexOf('--part');
  const part = partArg >= 0 ? argv[partArg + 1] : undefined;
  if (part) set.calls = set.calls.filter((c) => isDevCall(c.id) === (part === 'dev'));
  const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
  const run = (engine: InsightEngine) => evaluateCallSet(set, (input) => deriveCallInsightsWith(input, engine));

  console.log(`${set.calls.length} calls, ${file}${part ? ` (${part} part)` : ''}\n`);
  for (const [name, lib] of [
    ['compromise', nlpCompromise],
    ['natural', natural],
  ] as const) {
    if (!lib) console.log(`(${name} is not installed: its rows are skipped; npm install --no-save ${name})\n`);
  }
  console.log('| Themes: noun phrases from | recall@5 | bad themes |');
  console.log('| --- | --- | --- |');
  for (const [name, phrases] of themeVariants) {
    const f = run({ ...DEFAULT_ENGINE, phrases });
    console.log(`| ${name} | ${pct(f.themesRecallAt5)} | ${f.badThemes} |`);
  }

  console.log('\n| Sentiment: utterance valence from | in the rules: exact | churn exact | library alone: exact |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, sentimentBase] of sentimentVariants) {
    const f = run({ ...DEFAULT_ENGINE, sentimentBase });
    const alone = evaluateCallSet(set, (input) => plainLibrary(input, sentimentBase));
    console.log(
      `| ${name} | ${pct(f.sentimentAccuracy)} | ${pct(f.churnAccuracy)} | ${pct(alone.sentimentAccuracy)} |`,
    );
  }
}

/** A library on its own: mean valence of the caller's lines (else the summary), ±0.05, never mixed. */
function plainLibrary(input: LabelledCall['input'], score: BaseScorer): CallInsights {
  const lines = (input.transcriptLines ?? []).filter((l) => l.type === 'transcript' && l.content.trim() !== '');
  let texts = lines.filter((l) => l.speaker === 'caller').map((l) => l.content);
  if (texts.length === 0) texts = lines.filter((l) => l.speaker === 'unknown').map((l) => l.content);
  if (texts.length === 0 && input.recapSummary) texts = splitSentences(input.recapSummary);
  const base = deriveCallInsightsWith(input, DEFAULT_ENGINE);
  if (texts.length === 0) return { ...base, sentiment: null };
  const mean = texts.reduce((s, t) => s + score(t), 0) / texts.length;
  return { ...base, sentiment: mean >= 0.05 ? 'positive' : mean <= -0.05 ? 'negative' : 'neutral' };
}

main(process.argv.slice(2));
