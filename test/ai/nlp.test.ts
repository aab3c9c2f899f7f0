// The wink tagger behind themes must tag a text the same whatever the process read before it: a worker
// derives thousands of calls, and a call's themes must not depend on which calls came first.
import { createWinkTagger, winkTagger } from '../../src/ai/nlp';

const words = (text: string, tagger = winkTagger) =>
  tagger(text)
    .flat()
    .map((w) => `${w.surface}/${w.pos}`);

describe('the wink tagger reads each text as if it were the first', () => {
  it('a word read whole in an earlier text ("her mother\'s.") is still split in the next', () => {
    const text = "She thanked the florist for the flowers for her mother's funeral.";
    const first = words(text);
    expect(first).toEqual(expect.arrayContaining(['mother/NOUN', "'s/PART", 'funeral/NOUN']));
    winkTagger("The chest came off the van with a leg gone. It was her mother's. It's a hundred years old.");
    expect(words(text)).toEqual(first);
  });

  it('tags the same texts the same in either order', () => {
    const texts = [
      "The dresser was her mother's. It was her mother's.",
      'She will pay the deposit by EcoCash.',
      "Postcode WV14... and I've been waiting twenty minutes. Twenty minutes!",
      'The Ngāti Porou kapa haka group booked the marae for Matariki.',
      "Wee Hamish's pony club needs the horsebox on Saturday, ta.",
      "Grandad's hearing aids whistle again, eh.",
    ];
    const forward = texts.map((t) => words(t, createWinkTagger()));
    const shared = createWinkTagger();
    const inOrder = texts.map((t) => words(t, shared));
    const reversed = [...texts]
      .reverse()
      .map((t) => words(t, shared))
      .reverse();
    expect(inOrder).toEqual(forward);
    expect(reversed).toEqual(forward);
  });

  it('can be created many times in one process (the model loader is not re-run)', () => {
    const taggers = Array.from({ length: 25 }, () => createWinkTagger());
    const tagged = taggers.map((t) => words('The boiler service is booked for Tuesday.', t));
    expect(new Set(tagged.map((w) => w.join(' '))).size).toBe(1);
    expect(tagged[0]).toEqual(expect.arrayContaining(['boiler/NOUN', 'service/NOUN']));
  });
});
