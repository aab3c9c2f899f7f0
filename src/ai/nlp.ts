// Noun phrases for themes, from wink-nlp's part-of-speech tagger and lemmatiser (wink-eng-lite-web-model,
// both MIT, pure JavaScript, the model ships inside the npm package: nothing is downloaded at run time,
// and the same text always gives the same tags, whatever was read before it: see engine()). Chosen over
// compromise, natural and the earlier stop-word runs on the tuning data; the comparison is in README.md and
// scripts/compare-nlp.ts.
/* eslint-disable @typescript-eslint/unbound-method -- wink's its.* helpers are passed by reference by design: doc.tokens().out(its.pos) */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

import { stem } from './text';

/** One word of a tagged sentence. */
export interface TaggedWord {
  /** As written. */
  surface: string;
  lower: string;
  /** Universal POS tag (NOUN, PROPN, ADJ, VERB, INTJ, ...). */
  pos: string;
  /** The word as a theme shows it: as written, but "-ies" plurals folded ("deliveries" → "delivery"). */
  base: string;
  /** First word of its sentence, where capitals say nothing about names. */
  sentenceStart: boolean;
}

/** Nouns whose singular is not what anyone calls them. */
const PLURAL_ONLY: ReadonlySet<string> = new Set(
  'headphones earphones glasses sunglasses trousers jeans shorts pants scissors premises goods clothes savings earnings contents outskirts stairs groceries supplies'.split(
    ' ',
  ),
);

interface WinkTokens {
  out(f: unknown): unknown;
}

/** A function that tags text: the theme rules depend on this shape, not on wink itself. */
export type Tagger = (text: string) => TaggedWord[][];

/** One of the model's feature tables (words, prefixes, suffixes, shapes), which wink grows as it reads. */
interface FeatureTable {
  list: string[];
  hash: Record<string, number>;
  index: number;
}
/** The model's loaders this module wraps (its published types leave them unknown). */
const loaders = model as unknown as { core(): { features: unknown }; metaCER(): unknown };
// The model's loader for custom entities re-stringifies its own machines on every call (so the 20th
// instance in a process fails with "Invalid string length"): it is called once and its answer reused.
let customEntities: unknown = null;

/**
 * A wink instance that reads every text against the model as loaded. wink keeps each new word it reads
 * in the model's tables, and its tokenizer then keeps a word it has seen whole ("It was her mother's."
 * makes "her mother's funeral" one proper noun), so tags depended on the texts read before
 * (winkjs/wink-nlp#143). What a text added is forgotten once it is tagged: the word list only grows (wink
 * keeps a parallel array of its own), so the instance is rebuilt after a bound, which changes nothing.
 */
function engine(): { nlp: ReturnType<typeof winkNLP>; forget(): void; grown(): number } {
  let features: Record<string, FeatureTable> = {};
  customEntities ??= loaders.metaCER();
  const loaded = customEntities;
  const core = () => {
    const read = loaders.core();
    features = read.features as Record<string, FeatureTable>;
    return read;
  };
  const nlp = winkNLP({ ...model, core, metaCER: () => loaded });
  // Prefixes, suffixes and shapes: every table wink grows except the words, kept below.
  const tables = Object.entries(features)
    .filter(([name, f]) => name !== 'lexeme' && f.hash && typeof f.index === 'number')
    .map(([, f]) => ({ table: f, size: f.list.length }));
  const words = features.lexeme!;
  const loadedWords = words.list.length;
  let read = loadedWords;
  return {
    nlp,
    grown: () => words.list.length - loadedWords,
    forget() {
      // Words stay in the list (wink's own array of their properties runs parallel to it); only the lookup
      // forgets them. Other tables are cut back to their loaded size.
      for (let k = read; k < words.list.length; k += 1)
        if (words.hash[words.list[k]!] === k) delete words.hash[words.list[k]!];
      read = words.list.length;
      for (const { table, size } of tables) {
        for (const value of table.list.slice(size)) delete table.hash[value];
        table.list.length = size;
        table.index = size;
      }
    },
  };
}
/** New words read before an instance is rebuilt (a few MB of wink's tables; a rebuild takes about 70 ms). */
const REBUILD_AFTER_WORDS = 100_000;

/** A tagger with its own wink instance, built on first use; every text is tagged as if it were the first. */
export function createWinkTagger(): Tagger {
  let current: ReturnType<typeof engine> | null = null;
  return (text) => {
    current ??= engine();
    try {
      return tag(current.nlp, text);
    } finally {
      current.forget();
      if (current.grown() > REBUILD_AFTER_WORDS) current = null;
    }
  };
}

/**
 * Sentences of tagged words. wink reads a capitalised sentence opener as a proper noun ("Deliveries to
 * the rear lane"), so an opener tagged PROPN is tagged again with a lower-case first letter: a real name
 * stays PROPN, a common noun becomes NOUN.
 */
function tag(engine: ReturnType<typeof winkNLP>, text: string): TaggedWord[][] {
  const its = engine.its;
  const sentences: TaggedWord[][] = [];
  engine
    .readDoc(text)
    .sentences()
    .each((sentence: { tokens(): WinkTokens; out(): string }) => {
      const values = sentence.tokens().out(its.value) as string[];
      const pos = sentence.tokens().out(its.pos) as string[];
      const lemmas = sentence.tokens().out(its.lemma) as string[];
      const spaces = sentence.tokens().out(its.precedingSpaces) as string[];
      const words: TaggedWord[] = [];
      const glue = (prev: TaggedWord, surface: string) => {
        prev.surface += surface;
        prev.lower = prev.surface.toLowerCase();
        prev.base = prev.lower;
      };
      values.forEach((surface, i) => {
        const prev = words[words.length - 1];
        // wink splits "tune-up" and "one-month"; a hyphen with no space either side joins them again.
        if (prev && (surface === '-' || prev.surface.endsWith('-')) && spaces[i] === '') {
          glue(prev, surface);
          // "tune-up" is a noun however its last part is tagged; "one-month" takes the tag of "month".
          if (surface !== '-' && pos[i] === 'NOUN') prev.pos = 'NOUN';
          return;
        }
        // wink splits a word at a letter beyond Latin-1 ("Ċikkulata", "Łukasz", "Żebbuġ"): the pieces, with
        // no space between them, are one word again, tagged as its longer part.
        const joint = `${prev?.surface.slice(-1) ?? ''}${surface.slice(0, 1)}`;
        if (prev && spaces[i] === '' && /^\p{L}\p{L}$/u.test(joint) && /[\u0100-\u{10FFFF}]/u.test(joint)) {
          if (surface.length > prev.surface.length) prev.pos = pos[i] ?? prev.pos;
          glue(prev, surface);
          return;
        }
        const lower = surface.toLowerCase();
        const lemma = (lemmas[i] ?? lower).toLowerCase();
        // wink's lemma is US spelling ("neighbor"); only its verdict that the word is inflected is used.
        const inflected = (pos[i] === 'NOUN' || pos[i] === 'PROPN') && lemma !== lower;
        // A regular plural is kept as written ("planters" names "planter" too); only "-ies" is folded, as
        // "deliveries" does not contain "delivery". Counting and dedupe fold all plurals (stem()).
        const base = inflected && !PLURAL_ONLY.has(lower) && /ies$/.test(lower) ? stem(lower) : lower;
        words.push({ surface, lower, pos: pos[i] ?? 'X', base, sentenceStart: false });
      });
      const first = words.findIndex((w) => /\p{L}/u.test(w.surface));
      const opener = words[first];
      if (opener) {
        opener.sentenceStart = true;
        if (opener.pos === 'PROPN' && /^\p{Lu}\p{Ll}/u.test(opener.surface)) {
          const again = engine.readDoc(`${opener.lower}${sentence.out().slice(opener.surface.length)}`);
          const retagged = again.tokens().out(its.pos) as string[];
          const idx = again
            .tokens()
            .out(its.value)
            .findIndex((v: string) => v === opener.lower);
          if (idx >= 0 && retagged[idx] === 'NOUN') opener.pos = 'NOUN';
        }
      }
      sentences.push(words);
    });
  return sentences;
}

// Loading the model takes about 70 ms, so it is done once, on first use.
export const winkTagger: Tagger = createWinkTagger();
