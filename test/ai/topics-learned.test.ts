// The learned topics: the committed model is what the tuning sets give, training finds the words that tell a
// topic and is repeatable, and themes take the likeliest topic no theme names, only in the last slot and
// never in place of a purpose.
import type { CallInsightsInput } from '../../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsightsWith } from '../../src/ai/derive';
import TOPIC_MODEL from '../../src/ai/topic-model.json';
import type { TopicModel } from '../../src/ai/topics-learned';
import { callTopics, likelyTopics, topicFeatures, trainTopicModel } from '../../src/ai/topics-learned';
import { runTrainingCheck } from './train-check';

/** Calls about a late van are filed under "delivery"; calls about a bill under "invoice". */
function toyModel(): TopicModel {
  const calls = [
    ...Array.from({ length: 30 }, (_, i) => ({
      features: ['c:van', 'c:late', 'van', 'late', i % 2 ? 'c:driver' : 'c:parcel'],
      topics: ['delivery'],
    })),
    ...Array.from({ length: 30 }, (_, i) => ({
      features: ['c:bill', 'bill', i % 2 ? 'c:wrong' : 'c:amount'],
      topics: ['invoice'],
    })),
    ...Array.from({ length: 30 }, () => ({ features: ['c:hello', 'c:thanks'], topics: ['greeting-free'] })),
  ];
  return trainTopicModel(calls, {
    l1: 0.5,
    l2: 1,
    alpha: 0.5,
    beta: 1,
    epochs: 10,
    minCount: 3,
    minTopicCalls: 15,
    minProbability: 0.5,
    seed: 7,
    trainedOn: 'test',
  });
}

const line = (content: string, speaker: 'caller' | 'agent' = 'caller') => ({
  type: 'transcript' as const,
  speaker,
  content,
});

// Five topics of its own from the recap's purposes and phrases, and a late van it never files as a delivery.
const CALL: CallInsightsInput = {
  recapSummary: null,
  recapPurposes: ['Wedding cake order'],
  transcriptLines: [
    line('The van was late again and the driver lost the parcel with the cake stand.'),
    line('The van was late, the topper is cracked, and the ribbon is the wrong colour.'),
    line('The cake stand, the topper, the ribbon, the cake board.'),
  ],
};

describe('learned topics', () => {
  it('the committed model is what training on the tuning sets gives (scripts/train-topics.ts --check)', () => {
    const out = runTrainingCheck('scripts/train-topics.ts');
    expect(out).toMatch(/Model up to date/);
    // Never the frozen report set, nor the sets held out for the next round.
    expect(TOPIC_MODEL.trainedOn).not.toMatch(/report|tune61/);
    expect(TOPIC_MODEL.trainedOn).toMatch(/tune60-calls\.json/);
    // A parcel left at the wrong house reads as a delivery call; a bill charged twice as a billing one.
    const model = TOPIC_MODEL as TopicModel;
    const top = (content: string) =>
      callTopics(model, { transcriptLines: [line(content)] })
        .slice(0, 3)
        .map((t) => t.topic);
    // (Delivery, deliver or parcel: readers file it under each of them.)
    expect(top('The courier left my parcel at the wrong house and it never turned up.')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(?:deliver|parcel)/)]),
    );
    expect(top('You have taken the monthly payment twice from my card, I want my money back.')).toEqual(
      expect.arrayContaining([expect.stringMatching(/refund|payment|charge/)]),
    );
  }, 180_000);

  it('reads each side of the call apart, with each word once', () => {
    const f = topicFeatures({
      recapSummary: 'Deliveries delayed.',
      transcriptLines: [line('The deliveries, the deliveries!'), line('Delivered on Monday.', 'agent')],
    });
    expect(f.filter((x) => x.endsWith('delivery'))).toEqual(['r:delivery', 'delivery', 'c:delivery']);
    expect(f).toContain('a:deliver');
    expect(f).toContain('r:delay');
  });

  it('learns the words that tell each topic, keeps only those, and trains the same model again', () => {
    const m = toyModel();
    expect(m.topics).toEqual(['delivery', 'greeting-free', 'invoice']);
    const p = (features: string[]) => callTopics(m, { transcriptLines: [line(features.join(' '))] });
    expect(p(['van', 'late'])[0]?.topic).toBe('delivery');
    expect(p(['bill', 'wrong'])[0]?.topic).toBe('invoice');
    expect(p(['van', 'late'])[0]?.evidence).toEqual(expect.arrayContaining(['c:van']));
    // Words seen in fewer calls than minCount have no weight at all.
    expect(Object.keys(m.words)).not.toContain('c:nothing');
    expect(toyModel()).toEqual(m);
  });

  it('gives the last slot to the likeliest topic no theme names, never a purpose, and says why', () => {
    const withTopics = deriveCallInsightsWith(CALL, { ...DEFAULT_ENGINE, topics: toyModel() });
    const without = deriveCallInsightsWith(CALL, { ...DEFAULT_ENGINE, topics: null });
    expect(without.themes).toHaveLength(5);
    expect(without.themes).not.toContain('Delivery');
    expect(withTopics.themes).toEqual([...(without.themes ?? []).slice(0, 4), 'Delivery']);
    expect(withTopics.themes?.[0]).toBe('Wedding cake order');
    expect(withTopics.explanation.themes).toMatch(/learned topic: Delivery \(p 0\.\d+, from c:\w+/);
  });

  it('adds no topic a theme already names, nor one below the minimum probability', () => {
    const named = { ...CALL, recapPurposes: ['Late delivery'] };
    const out = deriveCallInsightsWith(named, { ...DEFAULT_ENGINE, topics: toyModel() });
    expect(out.themes?.filter((t) => /deliver/i.test(t))).toEqual(['Late delivery']);
    const unsure = { ...toyModel(), minProbability: 0.999 };
    expect(likelyTopics(unsure, CALL)).toEqual([]);
    const same = deriveCallInsightsWith(CALL, { ...DEFAULT_ENGINE, topics: unsure });
    expect(same.themes).toEqual(deriveCallInsightsWith(CALL, { ...DEFAULT_ENGINE, topics: null }).themes);
  });
});
