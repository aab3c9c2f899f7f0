// The learned churn check: the committed model is what the tuning sets give, training learns and is
// repeatable, and it raises only a low or medium reading the rules derived, never a low one over the rules'
// own finding that talk of leaving was something else, and lowers only a high one.
import type { CallInsightsInput } from '../../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsights, deriveCallInsightsWith } from '../../src/ai/derive';
import { learnedChurnCheck, trainChurnModel, wordsOf } from '../../src/ai/churn-learned';
import CHURN_MODEL from '../../src/ai/churn-model.json';
import { runTrainingCheck } from './train-check';

const rulesOnly = (input: CallInsightsInput) => deriveCallInsightsWith(input, { ...DEFAULT_ENGINE, churnModel: null });

/** A toy model that reads "departing" as critical and "unhappy" as high: the check's mechanics, not its data. */
function toyModel() {
  const rows = [
    ...Array.from({ length: 30 }, (_, i) => ({ words: ['departing', `w${i % 5}`], y: 'critical' as const })),
    ...Array.from({ length: 30 }, (_, i) => ({ words: ['unhappy', `w${i % 5}`], y: 'high' as const })),
    ...Array.from({ length: 60 }, (_, i) => ({ words: ['booking', `w${i % 5}`], y: 'low' as const })),
  ];
  return trainChurnModel(rows, { l2: 0.001, epochs: 300, minCalls: 3, trainedOn: 'test', minProbability: 0.6 });
}

describe('learned churn check', () => {
  it('the committed model is what training on the tuning sets gives (scripts/train-churn.ts --check)', () => {
    const out = runTrainingCheck('scripts/train-churn.ts');
    expect(out).toMatch(/Model up to date/);
    // Never the frozen report set, nor the sets held out (tune61).
    expect(CHURN_MODEL.trainedOn).not.toMatch(/report|tune61/);
    expect(CHURN_MODEL.trainedOn).toMatch(/tune60-calls\.json/);
  }, 120_000);

  it('from low, reads critical only when the recap reads critical more likely than not, else high', () => {
    const model = {
      trainedOn: 'hand-made',
      l2: 0,
      epochs: 0,
      minCalls: 1,
      minProbability: 0.6,
      classes: ['low', 'medium', 'high', 'critical'] as const,
      bias: [0, 0, 0, 0],
      // "torn": P(high) 0.34, P(critical) 0.41 (leaving 0.75, critical the likelier but not likely);
      // "gone": P(critical) 0.87.
      words: { torn: [0, 0, 1, 1.2], gone: [0, 0, 0, 3] },
    };
    expect(learnedChurnCheck(model, { recapSummary: 'Client torn.' }, 'low')?.churnRisk).toBe('high');
    expect(learnedChurnCheck(model, { recapSummary: 'Client gone.' }, 'low')?.churnRisk).toBe('critical');
  });

  it('learns which words decide the class, and trains the same model again from the same data', () => {
    const m = toyModel();
    expect(learnedChurnCheck(m, { recapSummary: 'Client departing w1.' }, 'low')?.churnRisk).toBe('critical');
    expect(learnedChurnCheck(m, { recapSummary: 'Client unhappy w2.' }, 'low')?.churnRisk).toBe('high');
    expect(learnedChurnCheck(m, { recapSummary: 'Client booking w3.' }, 'low')).toBeNull();
    expect(toyModel()).toEqual(m);
  });

  it('reads words as written: case, curly apostrophes and repeats do not matter', () => {
    expect(wordsOf('We’re LEAVING, leaving now')).toEqual(["we're", 'leaving', 'now']);
  });

  it('raises a low reading to the likelier rung, quoting the recap sentence that leans furthest', () => {
    const engine = { ...DEFAULT_ENGINE, churnModel: toyModel() };
    const input = { recapSummary: 'Caller asked about parking. She said the family is departing for good.' };
    expect(rulesOnly(input).churnRisk).toBe('low');
    const out = deriveCallInsightsWith(input, engine);
    expect(out.churnRisk).toBe('critical');
    expect(out.churnReasons.at(-1)).toMatch(
      /^the recap reads like leaving \(learned check, p 0\.\d+\): "She said the family is departing for good\."$/,
    );
    expect(out.explanation.churnRisk).toMatch(/The rules read low; the learned check/);
  });

  it('raises a medium reading one rung only, and leaves high, critical and a recap-less call to the rules', () => {
    const m = toyModel();
    expect(learnedChurnCheck(m, { recapSummary: 'Client departing w1.' }, 'medium')?.churnRisk).toBe('high');
    expect(learnedChurnCheck(m, { recapSummary: 'Client departing w1.' }, 'high')).toBeNull();
    expect(learnedChurnCheck(m, { recapSummary: 'Client unhappy w1.' }, 'critical')).toBeNull();
    expect(learnedChurnCheck(m, { recapSummary: '  ', recapPurposes: [] }, 'low')).toBeNull();
    const transcriptOnly: CallInsightsInput = {
      transcriptLines: [{ type: 'transcript', content: 'We are departing, I am afraid.', speaker: 'caller' }],
    };
    const engine = { ...DEFAULT_ENGINE, churnModel: toyModel() };
    expect(deriveCallInsightsWith(transcriptOnly, engine).churnRisk).toBe(rulesOnly(transcriptOnly).churnRisk);
  });

  it('lowers a high reading one rung where the recap reads settled, quoting the sentence that leans furthest back', () => {
    const m = toyModel();
    expect(learnedChurnCheck(m, { recapSummary: 'Client booking w3.' }, 'high')).toMatchObject({
      churnRisk: 'medium',
      direction: 'lower',
    });
    // Never from critical (a decision carried out reads calm), and not where the recap reads leaving.
    expect(learnedChurnCheck(m, { recapSummary: 'Client booking w3.' }, 'critical')).toBeNull();
    expect(learnedChurnCheck(m, { recapSummary: 'Client unhappy w2.' }, 'high')).toBeNull();
    const engine = { ...DEFAULT_ENGINE, churnModel: m };
    const input = {
      recapSummary: "Caller said she'd take her custom elsewhere if it happens again. Booking w3 confirmed.",
    };
    expect(rulesOnly(input).churnRisk).toBe('high');
    const out = deriveCallInsightsWith(input, engine);
    expect(out.churnRisk).toBe('medium');
    expect(out.churnReasons.at(-1)).toMatch(
      /^the recap reads as settled \(learned check, p 0\.\d+ low\): "Booking w3 confirmed\."$/,
    );
    expect(out.explanation.churnRisk).toMatch(/The rules read high; the learned check.* one rung down, to medium\./);
  });

  it('does not overrule the rules where they found talk of leaving to be one booking', () => {
    const engine = { ...DEFAULT_ENGINE, churnModel: toyModel() };
    const input = {
      recapSummary: 'Client cancelled her Friday appointment as she is departing on holiday, and will rebook.',
      recapOutcome: 'Friday appointment cancelled',
    };
    const out = deriveCallInsightsWith(input, engine);
    expect(out.churnRisk).toBe('low');
    expect(out.explanation.churnRisk).toMatch(/but the call says otherwise \(one booking\): the rules' reading stands/);
  });

  it('from medium, raises one rung even where the rules found one booking (13 of 13 such tuning calls were high)', () => {
    const engine = { ...DEFAULT_ENGINE, churnModel: toyModel() };
    const input = {
      recapSummary:
        'Client was unhappy that her stylist was late for the second time this month. She cancelled her Friday appointment.',
      recapOutcome: 'Friday appointment cancelled',
    };
    expect(rulesOnly(input).churnRisk).toBe('medium');
    const out = deriveCallInsightsWith(input, engine);
    expect(out.churnRisk).toBe('high');
    expect(out.explanation.churnRisk).toMatch(/The rules read medium; the learned check/);
  });

  it('stands back for a granted refund, not for a calm refund demand that was refused', () => {
    const engine = { ...DEFAULT_ENGINE, churnModel: toyModel() };
    const refused = {
      recapSummary:
        'Client asked for a refund of the fee and was calm. She said she is departing if this is how it goes.',
      recapOutcome: 'Refund declined; client not satisfied',
      recapPurposes: ['Refund request'],
    };
    expect(rulesOnly(refused).churnRisk).toBe('low');
    expect(deriveCallInsightsWith(refused, engine).churnRisk).toBe('critical');
    const granted = { ...refused, recapOutcome: 'Refund processed to the card' };
    const out = deriveCallInsightsWith(granted, engine);
    expect(out.churnRisk).toBe('low');
    expect(out.explanation.churnRisk).toMatch(/\(a calm or granted refund\): the rules' reading stands/);
  });

  it('with the shipped model, catches leaving said in words no churn rule has (recaps written for this test)', () => {
    // The purpose "Account closure" is now read by a rule, so the earlier example here (a practice bought by a
    // group, purpose "Account closure") no longer shows the model's part. Of three recaps written for this
    // test that no rule reads, the model raised this one; "found a tutor closer to home ... final lesson" and
    // "our weekly clean stops after this month" it leaves low.
    const calls = [
      {
        recapSummary:
          'Owner said the salon has been sold and the new owners bring their own stylists, so this is the last month of the arrangement.',
        recapOutcome: 'Arrangement ends this month',
        recapPurposes: ['Final month'],
      },
    ];
    for (const input of calls) {
      expect(rulesOnly(input).churnRisk).toBe('low');
      expect(['high', 'critical']).toContain(deriveCallInsights(input).churnRisk);
    }
  });
});
