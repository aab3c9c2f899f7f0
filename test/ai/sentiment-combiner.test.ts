// The learned last step of sentiment: trained weights are what the tuning sets give, the arithmetic is
// sound, and it re-reads only a sentiment the rules derived.

import type { TranscriptLineInput } from '../../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsights, deriveCallInsightsWith } from '../../src/ai/derive';
import {
  applyCombiner,
  COMBINER_CLASSES,
  COMBINER_FEATURES,
  combinerFeatures,
  trainCombiner,
} from '../../src/ai/sentiment-combiner';
import { SENTIMENT_COMBINER } from '../../src/ai/sentiment-combiner-weights';
import { runTrainingCheck } from './train-check';

const caller = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'caller' });
const agent = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'agent' });

describe('sentiment combiner', () => {
  it('the committed weights are what training on the tuning sets gives (scripts/train-sentiment.ts --check)', () => {
    const out = runTrainingCheck('scripts/train-sentiment.ts');
    expect(out).toMatch(/Weights up to date/);
    // Never the frozen report set, nor the sets held out (tune61).
    expect(SENTIMENT_COMBINER?.trainedOn).not.toMatch(/report|tune61/);
    expect(SENTIMENT_COMBINER?.features).toEqual(COMBINER_FEATURES);
  }, 120_000);

  it('learns a rule from examples and applies it: the class follows the feature that decides it', () => {
    const rows = COMBINER_CLASSES.flatMap((y, k) =>
      Array.from({ length: 20 }, (_, i) => {
        const x = COMBINER_FEATURES.map((_, j) => ((i * 7 + j * 3) % 5) / 10); // noise
        x[12] = k + (i % 3) / 10; // 'caller mean' carries the class
        return { x, y };
      }),
    );
    const w = trainCombiner(rows, { l2: 0.001, epochs: 300, trainedOn: 'test' });
    const right = rows.filter((r) => applyCombiner(w, r.x).sentiment === r.y).length;
    expect(right / rows.length).toBeGreaterThanOrEqual(0.95);
    const again = trainCombiner(rows, { l2: 0.001, epochs: 300, trainedOn: 'test' });
    expect(again).toEqual(w);
  });

  it('refuses features that do not fit the weights', () => {
    const w = trainCombiner([{ x: COMBINER_FEATURES.map(() => 0), y: 'neutral' }], {
      l2: 0.01,
      epochs: 1,
      trainedOn: 'test',
    });
    expect(() => applyCombiner(w, [1, 2, 3])).toThrow(/3 features, weights for/);
  });

  it('features follow the call: an upset ending scores lower than a pleased one', () => {
    const reading = { sentiment: 'neutral' as const, churnRisk: 'low', churnReasons: [], resolved: true };
    const upset = combinerFeatures({ transcriptLines: [caller('This is a disgrace and I am furious.')] }, reading);
    const pleased = combinerFeatures({ transcriptLines: [caller('That is wonderful, thank you so much!')] }, reading);
    const at = COMBINER_FEATURES.indexOf('caller last third');
    expect(upset[at]).toBeLessThan(0);
    expect(pleased[at]).toBeGreaterThan(0);
    expect(upset).toHaveLength(COMBINER_FEATURES.length);
  });

  it('says in the explanation what the rules read and what the combiner made of it', () => {
    const out = deriveCallInsights({
      transcriptLines: [
        agent('Riverside Vets, Amy speaking.'),
        caller("Hi, I'd like to book Biscuit in for his booster, any day next week."),
        agent('Tuesday at ten?'),
        caller('Tuesday at ten is fine.'),
      ],
    });
    expect(out.sentiment).not.toBeNull();
    expect(out.explanation.sentiment).toMatch(/learned combiner/);
  });

  it('leaves calls without text, and a sentiment Dialpad sent, as they are', () => {
    expect(deriveCallInsights({ recapOutcome: 'Voicemail' }).sentiment).toBeNull();
    const sent = deriveCallInsightsWith(
      { transcriptLines: [caller('This is a disgrace.')], dialpadProvided: { sentiment: 'positive' } },
      DEFAULT_ENGINE,
    );
    expect(sent.sentiment).toBe('positive');
    expect(sent.sources.sentiment).toBe('dialpad');
  });
});
