import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { EvaluationFigures, LabelledCallSet } from '../../src/ai/evaluation';
import { evaluateCallSet, isDevCall, labelledCallSet } from '../../src/ai/evaluation';

// Floors sit a little below what the rules measure on each labelled set, so a change that makes the
// derivation worse fails here. Raise them when the rules get better; never edit a label to make a number
// pass. Measured (src/ai/README.md, "Evaluation"):
//   ai-calls.json (73, the set the first rules were written on): 100 / 94.5 / 100 / 100 / 97.8 %, 0 bad themes
//   tune-calls.json (110, independent, tuned on): 90.9 / 99.1 / 100 / 100 / 92.9 %, 0 bad themes
//   tune2-calls.json tuning split (135, a second independent writer, tuned on): 72.6 / 87.4 / 98.5 / 94.8 / 84.9 %, 3
//   tune2-calls.json validation split (45, every 4th call, scored in aggregate only): 84.4 / 73.3 / 88.9 / 95.6 / 85.4 %, 0
//   report-calls.json (130, independent, frozen, never tuned on): 68.5 / 76.2 / 93.8 / 93.8 / 86.3 %, 0 bad themes
// (sentiment exact / churn exact / churn within one / resolved / themes recall@5). The report set is only
// ever scored in aggregate, here and by scripts/eval-ai.ts; its figures are the honest estimate. Its floors
// stay where they were before the tune2 round (the report figures did not rise with it).
type Floors = Pick<
  EvaluationFigures,
  'sentimentAccuracy' | 'churnAccuracy' | 'churnWithinOneAccuracy' | 'resolvedAccuracy' | 'themesRecallAt5'
> & { maxBadThemes: number };

const SETS: ReadonlyArray<{ file: string; part?: 'tune' | 'dev'; floors: Floors }> = [
  {
    file: 'ai-calls.json',
    floors: {
      sentimentAccuracy: 0.97,
      churnAccuracy: 0.92,
      churnWithinOneAccuracy: 0.97,
      resolvedAccuracy: 0.97,
      themesRecallAt5: 0.95,
      maxBadThemes: 0,
    },
  },
  {
    file: 'tune-calls.json',
    floors: {
      sentimentAccuracy: 0.88,
      churnAccuracy: 0.96,
      churnWithinOneAccuracy: 0.98,
      resolvedAccuracy: 0.97,
      themesRecallAt5: 0.9,
      maxBadThemes: 0,
    },
  },
  {
    file: 'tune2-calls.json',
    part: 'tune',
    floors: {
      sentimentAccuracy: 0.7,
      churnAccuracy: 0.85,
      churnWithinOneAccuracy: 0.96,
      resolvedAccuracy: 0.92,
      themesRecallAt5: 0.82,
      maxBadThemes: 3,
    },
  },
  {
    file: 'tune2-calls.json',
    part: 'dev',
    floors: {
      sentimentAccuracy: 0.8,
      churnAccuracy: 0.71,
      churnWithinOneAccuracy: 0.86,
      resolvedAccuracy: 0.93,
      themesRecallAt5: 0.83,
      maxBadThemes: 0,
    },
  },
  {
    file: 'report-calls.json',
    floors: {
      sentimentAccuracy: 0.68,
      churnAccuracy: 0.73,
      churnWithinOneAccuracy: 0.93,
      resolvedAccuracy: 0.92,
      themesRecallAt5: 0.84,
      maxBadThemes: 0,
    },
  },
];

const load = (file: string, part?: 'tune' | 'dev'): LabelledCallSet => {
  const set = labelledCallSet.parse(JSON.parse(readFileSync(resolve(__dirname, '../../eval', file), 'utf8')));
  if (part) set.calls = set.calls.filter((c) => isDevCall(c.id) === (part === 'dev'));
  return set;
};

describe.each(SETS)('call insights evaluation (eval/$file $part)', ({ file, part, floors }) => {
  const set = load(file, part);
  const figures = evaluateCallSet(set);
  const { maxBadThemes, ...accuracy } = floors;

  it('has labelled calls with unique ids and the shared label guide', () => {
    expect(set.calls.length).toBeGreaterThanOrEqual(part === 'dev' ? 40 : 60);
    expect(new Set(set.calls.map((c) => c.id)).size).toBe(set.calls.length);
    expect(Object.keys(set.labelGuide)).toEqual(
      expect.arrayContaining(['sentiment', 'churnRisk', 'resolved', 'themes']),
    );
  });

  it.each(Object.entries(accuracy))('%s stays at or above %d', (metric, floor) => {
    expect(figures[metric as keyof typeof accuracy]).toBeGreaterThanOrEqual(floor);
  });

  it(`derives at most ${maxBadThemes} theme(s) that are fillers, greetings, interjections or names`, () => {
    expect(figures.badThemes).toBeLessThanOrEqual(maxBadThemes);
  });

  it('gets every no-data call exactly right: all null', () => {
    for (const r of figures.results.filter((x) => x.category === 'no-data')) {
      expect([r.sentimentOk, r.churnOk, r.resolvedOk]).toEqual([true, true, true]);
    }
  });
});

describe('call insights evaluation: the sets the rules were tuned on', () => {
  it('covers the expected kinds of call in eval/ai-calls.json', () => {
    const categories = new Set(load('ai-calls.json').calls.map((c) => c.category));
    for (const c of [
      'happy',
      'angry',
      'cancellation',
      'mixed',
      'neutral',
      'supplier',
      'voicemail',
      'billing',
      'no-data',
    ]) {
      expect(categories).toContain(c);
    }
  });

  it.each([
    { file: 'ai-calls.json', part: undefined },
    { file: 'tune-calls.json', part: undefined },
    { file: 'tune2-calls.json', part: 'tune' as const },
  ])('never calls a negative call positive, nor a positive call negative ($file $part)', ({ file, part }) => {
    const { sentimentConfusion } = evaluateCallSet(load(file, part));
    expect(sentimentConfusion.negative.positive).toBe(0);
    expect(sentimentConfusion.positive.negative).toBe(0);
  });
});
