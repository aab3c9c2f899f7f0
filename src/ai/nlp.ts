// Noun phrases for themes, from wink-nlp's part-of-speech tagger and lemmatiser (wink-eng-lite-web-model,
// both MIT, pure JavaScript, the model ships inside the npm package: nothing is downloaded at run time,
// and the same text always gives the same tags). Chosen over compromise, natural and the earlier
// stop-word runs on the tuning data; the comparison is in README.md and scripts/compare-nlp.ts.
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

// Loading the model takes about 100 ms, so it is done once, on first use.
let wink: ReturnType<typeof winkNLP> | null = null;
function nlp(): ReturnType<typeof winkNLP> {
  wink ??= winkNLP(model);
  return wink;
}

/**
 * Sentences of tagged words. wink reads a capitalised sentence opener as a proper noun ("Deliveries to
 * the rear lane"), so an opener tagged PROPN is tagged again with a lower-case first letter: a real name
 * stays PROPN, a common noun becomes NOUN.
 */
export const winkTagger: Tagger = (text) => {
  const engine = nlp();
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
};
