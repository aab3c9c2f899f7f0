// The learned order of theme phrases: the committed model is what the tuning sets give, training learns
// which head nouns readers file calls under and is repeatable, and the themes follow the model's order.
import type { CallInsightsInput } from '../../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsights, deriveCallInsightsWith } from '../../src/ai/derive';
import type { PhraseFeatures } from '../../src/ai/themes-learned';
import type { ThemeModel } from '../../src/ai/themes-learned';
import {
  learnedPhrases,
  phraseFeatures,
  THEME_FEATURES,
  themeLogit,
  trainThemeModel,
} from '../../src/ai/themes-learned';
import { winkPhrases } from '../../src/ai/themes-phrases';
import THEME_MODEL from '../../src/ai/theme-model.json';
import { runTrainingCheck } from './train-check';

/** Rows whose only difference is the head noun: "delivery" is filed under, "mask" never. */
function toyModel() {
  const dense = (score: number): number[] => [1, Math.log1p(score), score / 6, 0.5, 1, 0, 0, 1, 0, 0, 0.5, 0, 0];
  const rows: Array<PhraseFeatures & { y: 0 | 1 }> = [
    ...Array.from({ length: 40 }, (_, i) => ({ dense: dense(1 + (i % 3)), words: ['h:delivery'], y: 1 as const })),
    ...Array.from({ length: 40 }, (_, i) => ({ dense: dense(4 + (i % 3)), words: ['h:mask'], y: 0 as const })),
  ];
  return trainThemeModel(rows, {
    l2: 0.001,
    epochs: 30,
    minCount: 3,
    hidden: 4,
    rate: 0.01,
    batch: 16,
    seed: 7,
    trainedOn: 'test',
  });
}

// A caller who names the product over and over, and the delivery once.
const CALL: CallInsightsInput = {
  recapSummary: null,
  transcriptLines: [
    { type: 'transcript', speaker: 'caller', content: 'The argan masks came, the argan masks are lovely.' },
    { type: 'transcript', speaker: 'agent', content: 'Glad you like the argan masks.' },
    { type: 'transcript', speaker: 'caller', content: 'More argan masks, a shampoo, a toner and a comb.' },
    { type: 'transcript', speaker: 'caller', content: 'The shampoo smells nice, the toner too, the comb is fine.' },
    { type: 'transcript', speaker: 'caller', content: 'Also the brush, the brush is good, and a towel.' },
    { type: 'transcript', speaker: 'caller', content: 'Only the delivery was slow.' },
  ],
};

describe('learned order of themes', () => {
  it('the committed model is what training on the tuning sets gives (scripts/train-themes.ts --check)', () => {
    const out = runTrainingCheck('scripts/train-themes.ts');
    expect(out).toMatch(/Model up to date/);
    // Never the frozen report set, nor the sets held out for the next round.
    expect(THEME_MODEL.trainedOn).not.toMatch(/report|tune61/);
    expect(THEME_MODEL.trainedOn).toMatch(/tune60-calls\.json/);
    expect(THEME_MODEL.features).toEqual(THEME_FEATURES);
    // What readers file calls under weighs more than who or where the call was: the same one-word phrase,
    // said alike (the training candidates' mean features), with one head noun or the other.
    const model = THEME_MODEL as ThemeModel;
    const logit = (head: string) => themeLogit(model, { dense: [...model.mean], words: [`h:${head}`] });
    for (const topic of ['invoice', 'refund', 'delivery']) {
      for (const other of ['account', 'manager', 'owner']) expect(logit(topic)).toBeGreaterThan(logit(other));
    }
  }, 120_000);

  it('marks a head noun the recap opens with, or its outcome names, apart from one said only later', () => {
    const weighted = [
      { text: 'Caller asked about a late delivery of her argan masks.', weight: 2, source: 'recap' },
      { text: 'She also mentioned the brush.', weight: 2, source: 'recap' },
      { text: 'Refund issued', weight: 2, source: 'recap' },
      { text: 'The brush is fine, the towel too.', weight: 1, source: 'caller' },
    ];
    const candidates = ['Late delivery', 'Brush', 'Refund', 'Towel'].map((phrase, i) => ({
      phrase,
      score: 1,
      first: i,
    }));
    const first = THEME_FEATURES.indexOf('head in the first recap sentence');
    const last = THEME_FEATURES.indexOf('head in the last recap line');
    const rows = phraseFeatures(weighted, candidates).map((f) => [f.dense[first], f.dense[last]]);
    expect(rows).toEqual([
      [1, 0],
      [0, 0],
      [0, 1],
      [0, 0],
    ]);
  });

  it('learns the head nouns readers file calls under, and trains the same model again from the same data', () => {
    const m = toyModel();
    const same = { dense: [1, Math.log1p(3), 0.5, 0.5, 1, 0, 0, 1, 0, 0, 0.5, 0, 0] };
    expect(themeLogit(m, { ...same, words: ['h:delivery'] })).toBeGreaterThan(0);
    expect(themeLogit(m, { ...same, words: ['h:mask'] })).toBeLessThan(0);
    expect(toyModel()).toEqual(m);
  });

  it('orders the themes by the model: the topic said once before the product said six times', () => {
    // The phrase order alone: the learned topics (topics-learned.test.ts) may add Delivery in the last slot.
    const byFrequency = deriveCallInsightsWith(CALL, { ...DEFAULT_ENGINE, phrases: winkPhrases, topics: null });
    expect((byFrequency.themes ?? []).slice(0, 5)).not.toContain('Delivery');
    expect(byFrequency.themes?.[0]).toMatch(/^Argan mask/);

    const learned = deriveCallInsightsWith(CALL, {
      ...DEFAULT_ENGINE,
      phrases: learnedPhrases(toyModel(), winkPhrases),
      topics: null,
    });
    expect(learned.themes?.[0]).toBe('Delivery');
    expect(learned.themes).toHaveLength(5);
    // The explanation gives each phrase's learned probability.
    expect(learned.explanation.themes).toMatch(/salient phrases: Delivery \(score (?:0\.\d+|1)\)/);
  });

  it('the production order keeps the call-level rules: purposes first, no names, at most five', () => {
    const out = deriveCallInsights({ ...CALL, recapPurposes: ['Order status'] });
    expect(out.themes?.[0]).toBe('Order status');
    expect(out.themes?.length).toBeLessThanOrEqual(5);
    expect(out.sources.themes).toBe('derived');
  });
});
