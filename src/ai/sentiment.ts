// Caller sentiment: VADER per utterance, with the conversational rituals taken out and a few
// customer-service complaint words added, aggregated into positive / negative / neutral / mixed.
// The rules and thresholds are described in src/ai/README.md; keep the two in step.
import { SentimentIntensityAnalyzer } from 'vader-sentiment';

import { winkTagger } from './nlp';
import { isNegatedAt, normaliseText, splitSentences, STOP_WORDS, tokenize } from './text';

export type Sentiment = 'positive' | 'negative' | 'neutral' | 'mixed';

export const SENTIMENT_THRESHOLDS = {
  /** Weighted mean compound at or above which the caller is positive (when no utterance is strong). */
  positive: 0.35,
  /** Weighted mean compound at or below which the caller is negative (when no utterance is strong). */
  negative: -0.25,
  /** An utterance at or below -strongNegative shows a frustrated, angry or upset caller. */
  strongNegative: 0.4,
  /** An utterance at or above +strongPositive shows a caller clearly pleased beyond pleasantries. */
  strongPositive: 0.7,
  /** How the call ended (mean of the last third): at or beyond ±ending it ended won over, or upset. */
  ending: 0.3,
  /** Content words at which an utterance reaches full weight. */
  fullWeightWords: 8,
  /** An utterance at or below -moderate is a complaint; two of them and no praise make a negative call. */
  moderate: 0.3,
  /** An utterance at or above +pleased, before a strongly negative one, is the "pleased" of "pleased then upset". */
  pleased: 0.55,
} as const;

/**
 * Polite formulae and greetings carry VADER valence ("thanks" +1.9, "good morning" +0.44, "no worries"
 * -0.61, "happy Monday" +0.57) but say nothing about how the caller feels: an angry caller still says
 * "good morning" and "okay, thanks, bye". They are removed before scoring, and so are introductions
 * ("it's Fiona Grant at ..."): VADER reads names such as Grant, Hope or Joy as feelings.
 */
const COURTESY_FORMULAE =
  /\b(?:(?:call|ring|phone|let) (?:me|us) (?:back |know )?if (?:there's|there is|there are|you have|you've got) (?:a |any )?(?:problems?|issues?|questions?)|thank(?:s| you)(?: (?:so|very) much| a lot| heaps| again| anyway| for (?:that|calling|sorting (?:it|that)(?: out)?|your help|letting me know))?|cheers|cheerio|please|(?:i'm |so |really )?sorry(?: about that| again| to (?:bother|mess) you(?: about)?)?|apologies(?: for that)?|(?:good)?bye|hiya|hi|hello|hey|g'day|good (?:morning|afternoon|evening|day)|(?:^|(?<=[.!?] ))morning|happy (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|new year|holidays)|how are you(?: going| doing)?|no problem|no worries(?: at all)?|no dramas|too easy|no stress|no hard feelings|nothing against you|you too|take care|see you(?: then)?|have a (?:good|nice|great|lovely) (?:one|day|week|weekend|evening)|that(?:'d| would) be (?:great|lovely|brilliant|wonderful|perfect|good|fab|ace|awesome|amazing|super)|(?:i'd|i would|we'd|we would) (?:really )?appreciate (?:a|an|it if|if)|(?:it's|this is|my name is|my name's|name's|i'm) (?:mr |mrs |ms |dr )?[A-Z][\w'-]+(?: [A-Z][\w'-]+)*(?: (?:from|at|with|in) (?:[A-Z][\w'&-]+ ?)+)?)\b/g;

/** The same formulae, matched case-insensitively (the introduction needs the capitals, so it stays above). */
const COURTESY_FORMULAE_ANY_CASE = new RegExp(
  COURTESY_FORMULAE.source.replace(/\|\(\?:it's\|this is.*$/, ')\\b'),
  'gi',
);

/**
 * Words that open an answer or a turn ("Okay, ...", "Great, ...", "Well, ...", "Perfect."). At the start
 * of a sentence they are not counted as content, so an utterance made only of these and pleasantries
 * gets no weight. They are still scored: "Oh perfect, that's brilliant" is pleased, and taking the
 * "yes, that's fine" out of a calm call leaves only its problem words.
 */
const ACKNOWLEDGEMENTS: ReadonlySet<string> = new Set([
  'okay',
  'ok',
  'alright',
  'right',
  'righto',
  'yes',
  'yeah',
  'yep',
  'sure',
  'fine',
  'great',
  'perfect',
  'lovely',
  'brilliant',
  'good',
  'cool',
  'excellent',
  'wonderful',
  'super',
  'well',
  'so',
  'look',
  'listen',
  'oh',
  'ah',
  'no',
  'nah',
  'um',
  'uh',
]);

/**
 * Complaint and praise vocabulary of customer service that VADER's social-media lexicon misses or
 * misreads ("late", "gutted", "cheesed off", "legend" score 0; "joke" scores +1.2), as valence on VADER's
 * -4..+4 word scale, in US, UK and Australian English. A cue preceded by a negator counts reversed and
 * damped, as VADER does ("wasn't late"), unless the cue carries its own negation ("not good enough").
 */
const DOMAIN_VALENCE: ReadonlyArray<readonly [RegExp, number, 'self-negating'?]> = [
  // Contrition for earlier anger is a sign the caller was won over; read first, so the anger words
  // inside it ("at my wits' end") are not read again as anger.
  [
    /\bsorry (?:for|about) (?:biting your head off|going off|snapping|shouting|ranting|being (?:short|rude|grumpy|cranky|snappy|a pain))\b|\bi was (?:just )?(?:at my wits' end|so stressed|really stressed|worried sick)\b/g,
    1.6,
    'self-negating',
  ],
  [
    /\b(?:fed up|cheesed off|had enough|sick (?:of|and tired)|over it|at (?:my|the) wits'? end|driving me (?:nuts|mad|crazy|insane|up the wall)|fuming|livid|seething|gutted|furious|so angry)\b/g,
    -2.2,
  ],
  [
    /\b(?:are you (?:kidding|joking|serious|for real)|you(?:'ve| have) got to be (?:kidding|joking)|daylight robbery|rip[- ]?off|beyond a joke|a joke|shambles|disgrace(?:ful)?|appalling|shocking|pathetic|useless|hopeless|ridiculous|outrageous|unacceptable|diabolical|atrocious)\b/g,
    -2.0,
  ],
  [
    /\b(?:not|never) (?:real |very |at all |too |that )?(?:happy|impressed|pleased|satisfied|good enough|acceptable|on|okay|ok|right|fair|legal|good)\b/g,
    -1.8,
    'self-negating',
  ],
  [
    /\b(?:i'm|i am|we're|we are) done (?:waiting|being nice|with (?:this|you|it))\b|\bpast (?:caring|stopgaps|that)\b|\btook the shine off\b|\bfull stop\b|\bshould(?:n't| not| never) have (?:had to|been|happened)\b|\bwhat is going on\b|\bmy hands are tied\b|\bmore than patient\b/g,
    -1.6,
    'self-negating',
  ],
  [
    /\b(?:nobody|no one|no-one)(?:'s| has| had)? (?:told|called|rang|rung|came|turned up|showed|mentioned|got back|bothered|listens)\b|\bno response\b/g,
    -1.4,
    'self-negating',
  ],
  // A caller naming their own feeling is the clearest sign there is.
  [/\b(?:frustrat\w+|annoy\w+|irritat\w+|disappoint\w+|upset\w*|angry|unhappy)\b/g, -2.0],
  [
    /\b(?:taken aback|spoilt|spoiled|ruined|for nothing|(?:didn't|did not|never) (?:show|turn) up|i (?:do )?wish (?:someone|somebody|you|they) had|not trying to be difficult|(?:been|kept) on hold)\b|\b(?:finally|whatever)\.|\bseriously\?/g,
    -1.4,
    'self-negating',
  ],
  [/\b(?:cross|dreading|hit and miss|health hazard|misleading|lowball|lied|lying)\b/g, -1.5],
  // Balking at a price or a plan: "Come on.", "too big a jump", "shopping around", "we'll have to stop".
  [
    /\b(?:come on|too (?:big|much|expensive|steep|dear|pricey)|(?:a lot|way|much) more than i|shop(?:ping)? around|(?:we'll|we will|i'll|i will) have to (?:stop|look|go|cancel))\b/g,
    -1.4,
  ],
  [/\bnever (?:arrived|came|turned up|showed up|showed|happened)\b/g, -1.8, 'self-negating'],
  // Curt demands: "I want my money back", "Just fix it", "Keep your voucher".
  [
    /\bi want (?:my|that|it|the|our|this)\b[\w' ]{0,30}?\b(?:back|refunded|in writing|fixed|sorted)\b|\bjust (?:fix|sort) it\b|\bkeep your \w+|\b(?:better business bureau|consumer affairs|fair trading|accc|bbb|housing department)\b/g,
    -1.4,
    'self-negating',
  ],
  [/\bstill (?:not|no|haven't|hasn't|waiting|leaking|broken)\b/g, -1.2, 'self-negating'],
  // Having to chase is frustration, however calmly it is put: "This is my third call", "I've emailed twice".
  [
    /\b(?:(?:second|third|fourth|fifth|umpteenth) (?:time|call|message|email)|(?:emailed|called|rung|rang|phoned|chased|written|asked) (?:you |them )?(?:twice|three times|four times|several times|multiple times|again and again)|keeps? (?:not )?(?:being|happening|breaking|failing|dropping|telling)|what is going on|how (?:hard|difficult) (?:can|is) it|you said that)\b/g,
    -1.4,
    'self-negating',
  ],
  [/\bcharged (?:twice|double)\b/g, -1.2],
  [/\blocked out\b/g, -1.2],
  [/\bwaste of (?:time|money)\b/g, -1.8],
  [/\b(?:late|overdue|delayed)\b/g, -0.8],
  [/\b(?:overcharged|overbilled|misbilled|unreliable|joke|nightmare|circus)\b/g, -1.8],
  [/\b(?:chasing|reluctantly|reluctant)\b/g, -1.0],
  // Threats and walking away are hostile however politely worded.
  [
    /\b(?:solicitors?|lawyers?|attorneys?|legal action|trading standards|ombudsman|charge ?backs?|sue you|block the payments?)\b/g,
    -2.0,
  ],
  [
    /\b(?:(?:don't|do not) want anything (?:more |else )?to do with you|done with you|(?:won't|never) (?:be )?(?:ordering|using|buying|coming back))\b/g,
    -2.0,
    'self-negating',
  ],
  [
    /\b(?:(?:other|another|different) (?:suppliers?|providers?|compan(?:y|ies))|(?:look|looking|go|going|shop|shopping) elsewhere)\b/g,
    -1.0,
  ],
  // Anger and exasperation in US, UK and Australian speech that VADER misses or underrates.
  [
    /\b(?:unbelievable|typical|incompeten\w+|amateurs?|cowboys|scam|disgusted|outraged|pissed off|ticked off|hacked off|brassed off|narked|spewing|fobbed off|the runaround|run around|round in circles|last straw|enough is enough|end of my tether|taking the (?:piss|mickey)|having a laugh|for crying out loud|give me a break|out of order|let (?:me|us) down|i (?:expect|expected) better|poor service|terrible service|worst|never again|how many (?:more )?times|you people|on hold for|kept (?:me )?on hold|speak to (?:a|your|the) (?:manager|supervisor)|taking this further|(?:put|want) (?:it|that|this) (?:in writing|on record))\b/g,
    -1.6,
    'self-negating',
  ],
  [
    /\b(?:ropeable|filthy|dark on|beyond frustrated|had it up to here|sick to death|devastated|heartbroken|distraught|in tears|stressed out|at my limit|not amused|not best pleased|less than impressed|far from happy|not thrilled|absurd|insane|bullshit|crap|shitty)\b/g,
    -2.0,
    'self-negating',
  ],
  // Praise VADER does not know.
  [
    /\b(?:legend|you rock|lifesaver|life saver|breath of fresh air|over the moon|chuffed|stoked|rapt|thrilled|made my (?:day|week|morning|year)|saved (?:my|our) (?:bacon|week|day|life|skin)|works like a charm|can't fault|couldn't be happier|a believer|painless|good on (?:ya|you)|top notch|above and beyond|(?:the|a) best thing|you're (?:the best|a star|amazing|a legend)|y'all are the best|absolute pleasure)\b/g,
    2.4,
  ],
  [
    /\b(?:(?:massive|huge|such a|what a|that's a) relief|thank (?:god|goodness|heavens)|so (?:pleased|glad|happy)|really appreciate|much appreciated|decent of you|that's all i wanted|beauty|spot on|fair dinkum good)\b/g,
    1.8,
  ],
  [
    /\b(?:champion|happy days|ten out of ten|five stars|made our (?:day|week)|so relieved|really pleased|very pleased|brilliant job|great job|amazing job|fantastic job)\b/g,
    1.8,
  ],
  [
    /\b(?:no complaints|(?:can't|cannot) (?:say i've got|complain)|not (?:a |one |a single )?complaint|not unhappy|nothing to complain)\b/g,
    1.5,
    'self-negating',
  ],
  [/\bnot that (?:i'm|i am|we're|we are) (?:unhappy|upset|complaining)\b/g, 1.0, 'self-negating'],
];

/**
 * Text VADER reads literally or as social-media slang: "you had better fix it" and "make sure they do"
 * are demands, not praise or agreement; "PO" is a purchase order, not an insult (-2.6 in VADER);
 * "honestly", "to be fair", "I'll be honest" are discourse markers (+2.0 for "honest"); "pretty" before
 * an adjective is an intensifier ("pretty annoyed" must not read as pretty); "help", "hope", "free",
 * "care", "like", "sure" are mostly requests and fillers on a service call ("can you help", "I hope to",
 * "free on Thursday", "customer care", "like, totally"). The replacements are valence-free in VADER.
 */
const PARAPHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bhad better\b/gi, 'must'],
  [/\bPOs?\b/g, 'purchase order'],
  [/\bmake sure\b/gi, 'check'],
  [
    /\b(?:to be (?:honest|fair|frank)|i'll be (?:honest|straight|frank)(?: with you)?|honestly|frankly|in fairness|fair enough)\b,?/gi,
    '',
  ],
  [/\bpretty\b/gi, 'very'],
  [/\bhell of a\b/gi, 'great'],
  // Softeners before bad news ("Sadly I need to cancel", "I'm afraid") are manners, not sadness.
  [/\b(?:sadly|unfortunately|i'm afraid|i am afraid)\b,?/gi, ''],
  // "Bloody" is an intensifier; under a negation VADER even flips it to praise ("not in the bloody
  // letterbox"). The words it intensifies carry the feeling.
  [/\bbloody\b/gi, 'very'],
  [/\b(?:public |bank )?holidays?\b/gi, 'x'],
  [/\b(?:that's|that is) (?:kind|good|nice|generous|sweet) of you,? but\b/gi, 'but'],
  [
    /\b(?:help|helps|hope|hoping|free|care|like|sure|grant|trust|want|wanted|wants|yes|yeah|yep|no|well|fine|okay|ok|alright|clear|matter|please|kind|straight|fair|full|stop|interest|credit|save|win)\b/gi,
    'x',
  ],
  // Calm reports of a problem are matter-of-fact ("I've got two charges", "I'd like to cancel"): the
  // caller's tone is in how they say it, which the domain cues above and VADER's feeling words carry.
  [
    /\b(?:cancel\w*|charges?|charged|problems?|issues?|wrong|lost|denied|disput\w+|faulty|fault|debt|missed|broke|broken|damaged|crashed|errors?|complaints?|complain\w*|worr(?:y|ied)|afraid)\b/gi,
    'x',
  ],
];

/**
 * Sarcasm: a cheerful exclamation ("Oh marvellous.", "Oh wonderful, another ...", "Great, just great")
 * in an utterance that also complains. Its praise words are then read as the complaint they are.
 */
const SARCASTIC_OPENER =
  /\b(?:oh|well|just|yeah|great,) (?:great|wonderful|marvellous|marvelous|brilliant|lovely|fantastic|perfect|terrific|super|fabulous|splendid|excellent|nice one|thanks a lot|just great)\b|\b(?:great|brilliant|perfect|lovely),? (?:another|just what i needed|that's all i need)/i;
const COMPLAINT_CONTEXT =
  /\b(?:another|again|nobody|no one|no \w+|not|never|late|delay\w*|buried|hike|increase|cancel\w*|broken|wrong|missing|lost|still|turn up to|wait\w*)\b/i;
const PRAISE_WORDS =
  /\b(?:great|wonderful|marvellous|marvelous|brilliant|lovely|fantastic|perfect|terrific|super|fabulous|splendid|excellent|nice|thanks)\b/gi;
const SARCASM_VALENCE = -2.2;

const EMPHATIC_THANKS =
  /\b(?:oh,? thank you|thank you[.!,]? thank you|thank(?:s| you) so much(?: for (?:this|that|everything|sorting))?|thank you ever so|can't thank you enough)\b/i;
const EMPHATIC_THANKS_VALENCE = 1.2;
const PAST_FEELING =
  /\b(?:i|we) (?:was|were|had been|'d been) (?:(?:so|really|very|just|absolutely|completely|a bit|quite|about to|going to)\b ?)*[\w' ]{0,20}?(?=[.!,]|$)/gi;

/**
 * Echoing a figure back as a question ("Three weeks?", "$588?", "A week or two?") is balking at it: a
 * short fragment with a number or a span of time, ending in a question mark.
 */
const ECHO_QUESTION =
  /(?:^|[.!?]\s)(?:(?:a|an|another|the|for|only|just|like|over|nearly|almost|wait,?)\s)*(?:\$?£?[\d,.]+|\w+(?:-\w+)?)\s?(?:(?:or|to)\s\w+\s)?(?:days?|weeks?|months?|hours?|years?|dollars?|bucks|quid|pounds?|percent|grand|k)?\?/gi;
const ECHO_VALENCE = -0.9;
const NEGATED_SAYING =
  /\b(?:not|n't|never) (?:say(?:ing)?|think(?:ing)?|feel(?:ing)?|call(?:ing)? (?:it|this|that|me)|go so far as to say)\b[^.!?;]{0,25}$/;
const HEDGE_BEFORE =
  /\b(?:a (?:bit|little|tad|touch)|slightly|somewhat|mildly|kind of|sort of|a wee bit)(?: (?:more|too))? $/;
const VADER_ALPHA = 15;
const VADER_NEGATION_SCALAR = -0.74;

export interface ScoredUtterance {
  text: string;
  /** VADER compound after the adjustments above, in [-1, 1]. */
  compound: number;
  /** 0 for a bare acknowledgement, rising to 1 at SENTIMENT_THRESHOLDS.fullWeightWords content words. */
  weight: number;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Scores cleaned text in [-1, 1]; VADER's compound in production, another library's in the comparison. */
export type BaseScorer = (text: string) => number;
export const vaderScore: BaseScorer = (text) => SentimentIntensityAnalyzer.polarity_scores(text).compound;

export function scoreUtterance(
  raw: string,
  base: BaseScorer = vaderScore,
  names: ReadonlySet<string> = NO_NAMES,
): ScoredUtterance {
  const text = normaliseText(raw);
  let stripped = normaliseText(text.replace(COURTESY_FORMULAE, ' ').replace(COURTESY_FORMULAE_ANY_CASE, ' '));
  if (names.size > 0)
    stripped = normaliseText(
      stripped.replace(/[\p{L}'-]+/gu, (w) => (names.has(w.toLowerCase().replace(/'s$/, '')) ? ' ' : w)),
    );
  let extra = 0;
  let cues = 0;
  // Plain thanks are manners and are taken out above; emphatic thanks ("Oh, thank you. Thank you.",
  // "thank you so much") are relief, the ending of a call that was won over.
  if (EMPHATIC_THANKS.test(text)) {
    extra += EMPHATIC_THANKS_VALENCE;
    cues += 1;
    // Beside them, a feeling in the past tense is the worry now over ("I was so upset", "I was about to
    // lose it"), not a complaint.
    stripped = stripped.replace(PAST_FEELING, ' ');
  }
  if (SARCASTIC_OPENER.test(stripped) && COMPLAINT_CONTEXT.test(stripped.replace(SARCASTIC_OPENER, ' '))) {
    stripped = stripped.replace(PRAISE_WORDS, ' ');
    extra += SARCASM_VALENCE;
    cues += 1;
  }
  for (const m of stripped.matchAll(ECHO_QUESTION)) {
    if (/\d|\b(?:days?|weeks?|months?|hours?|years?|dollars?|bucks|quid|pounds?|percent|grand)\b/i.test(m[0])) {
      extra += ECHO_VALENCE;
      cues += 1;
    }
  }
  // Domain cues are read before the paraphrases below neutralise words inside them ("full stop",
  // "not fair"), and are then blanked so VADER does not count the same words a second time.
  let lower = stripped.toLowerCase();
  for (const [pattern, valence, selfNegating] of DOMAIN_VALENCE) {
    for (const m of lower.matchAll(pattern)) {
      cues += 1;
      const before = lower.slice(Math.max(0, m.index - 40), m.index);
      // "I wouldn't say I'm upset", "I don't think it's bad": a negated verb of saying or thinking
      // negates the clause it introduces.
      const negated = isNegatedAt(lower, m.index) || NEGATED_SAYING.test(before);
      // "just a bit disappointed", "slightly annoyed": a hedged feeling counts half.
      const hedge = HEDGE_BEFORE.test(before) ? 0.5 : 1;
      extra += (!selfNegating && negated ? valence * VADER_NEGATION_SCALAR : valence) * hedge;
    }
    if (lower.length === stripped.length) {
      const blanked = lower.replace(pattern, (m) => ' '.repeat(m.length));
      stripped = [...stripped].map((ch, i) => (blanked[i] === ' ' && lower[i] !== ' ' ? ' ' : ch)).join('');
      lower = blanked;
    }
  }
  for (const [pattern, replacement] of PARAPHRASES) stripped = stripped.replace(pattern, replacement);
  stripped = normaliseText(stripped);

  // A domain cue counts as content even when made of stop words ("don't want anything to do with you"),
  // and an utterance with a feeling in it is never a mere acknowledgement ("Oh, legend." "Fine. Book it.").
  const contentWords =
    cues * 3 +
    tokenize(withoutLeadingAcknowledgements(stripped)).filter(
      (t) => !/^\d/.test(t.lower) && t.lower !== 'x' && (!STOP_WORDS.has(t.lower) || wordCompound(t.lower) !== 0),
    ).length;
  const weight = Math.min(contentWords, SENTIMENT_THRESHOLDS.fullWeightWords) / SENTIMENT_THRESHOLDS.fullWeightWords;
  if (weight === 0) return { text, compound: 0, weight: 0 };

  const vader = base(withoutTopicNouns(withoutQuestions(stripped)));
  return { text, compound: round(extra === 0 ? vader : addToCompound(vader, extra)), weight };
}

/**
 * Questions ask; they do not evaluate: "Is that supported?", "What am I entitled to?", "Can you make
 * sure it's clean?". Their words are left to VADER only when the question is short and carries no
 * request (an exclamation put as a question, "Seriously?"); the domain cues above read the rhetorical
 * ones ("are you kidding?", "Three weeks?") before this.
 */
function withoutQuestions(text: string): string {
  const sentences = splitSentences(text);
  if (sentences.length === 0) return text;
  return sentences.filter((q) => !/\?\s*$/.test(q) || tokenize(q).length <= 2).join(' ');
}

/**
 * Nouns that evaluate ("a nightmare", "a star", "what a relief"): the only nouns whose valence is a
 * feeling. Other nouns VADER scores name what the call is about ("engagement party", "wellness plan",
 * "leak", "emergency", "pain medication", "mistake") and say nothing of the caller's tone.
 */
const EVALUATIVE_NOUNS: ReadonlySet<string> = new Set(
  `nightmare joke disaster mess shambles disgrace relief pleasure hassle stress rubbish scam rip-off ripoff star
  godsend gem treat delight shame pity waste lifesaver legend champion hero angel saint idiot idiots clowns
  cowboys amateurs liars thieves crooks useless garbage trash crap bullshit nonsense insult outrage farce
  fiasco headache frustration anger annoyance disappointment joy thanks`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

/**
 * The text VADER reads, with the valence of topic nouns taken out: wink-nlp tags each word, and a noun
 * VADER scores is replaced by a neutral word unless it is an evaluative noun. A caller reporting "a leak
 * under the sink" or cancelling "the engagement party" is matter-of-fact.
 */
function withoutTopicNouns(text: string): string {
  if (text.trim() === '') return text;
  const topic = new Set<string>();
  const other = new Set<string>();
  for (const sentence of winkTagger(text))
    sentence.forEach((w, i) => {
      if (wordCompound(w.lower) === 0) return;
      if (w.pos === 'NOUN' && !EVALUATIVE_NOUNS.has(w.lower)) topic.add(w.lower);
      else if (w.pos === 'VERB' && !hasPersonalSubject(sentence, i)) topic.add(w.lower);
      else other.add(w.lower);
    });
  const nouns = [...topic].filter((w) => !other.has(w));
  if (nouns.length === 0) return text;
  return text.replace(/[\p{L}'-]+/gu, (w) => (nouns.includes(w.toLowerCase()) ? 'x' : w));
}

const PERSONAL_SUBJECTS: ReadonlySet<string> = new Set(
  "i i'm i've i'll i'd we we're we've we'll we'd you you're you've you'll you'd they they're they've he she".split(' '),
);

/**
 * Whether a verb has a person as its subject ("I love it", "you saved my day", "we appreciate"): a
 * feeling or an act toward the caller. A thing as the subject ("the direct debit failed", "the webhook
 * isn't firing", "it got delayed") is an event reported, matter-of-fact.
 */
function hasPersonalSubject(sentence: ReadonlyArray<{ lower: string; pos: string }>, at: number): boolean {
  for (let j = at - 1; j >= 0 && j >= at - 4; j -= 1) {
    const w = sentence[j]!;
    if (PERSONAL_SUBJECTS.has(w.lower)) return true;
    if (w.pos !== 'AUX' && w.pos !== 'ADV' && w.pos !== 'PART' && w.pos !== 'PRON') return false;
    if (w.pos === 'PRON') return PERSONAL_SUBJECTS.has(w.lower);
  }
  return false;
}

// Memoises a pure function; bounded so a long-running worker cannot grow it without limit.
const wordCompoundCache = new Map<string, number>();
const WORD_CACHE_LIMIT = 20_000;

/** VADER compound of a single word: 0 for words outside its lexicon. */
export function wordCompound(word: string): number {
  let v = wordCompoundCache.get(word);
  if (v === undefined) {
    v = SentimentIntensityAnalyzer.polarity_scores(word).compound;
    if (wordCompoundCache.size >= WORD_CACHE_LIMIT) wordCompoundCache.clear();
    wordCompoundCache.set(word, v);
  }
  return v;
}

/**
 * Drops acknowledgement words that open a sentence ("Okay, great." "Perfect, ..."): there they answer
 * the agent. The same word later in a sentence ("that's brilliant") is an evaluation and is kept.
 */
function withoutLeadingAcknowledgements(text: string): string {
  return splitSentences(text)
    .map((sentence) => {
      const tokens = tokenize(sentence);
      let i = 0;
      while (i < tokens.length && ACKNOWLEDGEMENTS.has(tokens[i]?.lower ?? '')) i += 1;
      const next = tokens[i];
      return next ? sentence.slice(next.index) : '';
    })
    .join(' ');
}

/**
 * VADER's compound is normalise(sum) = sum / sqrt(sum² + 15). Inverting it, adding the domain valence
 * to the raw sum and normalising again puts the extra words on VADER's own scale.
 */
function addToCompound(compound: number, valence: number): number {
  const c = Math.max(-0.9999, Math.min(0.9999, compound));
  const sum = (c * Math.sqrt(VADER_ALPHA)) / Math.sqrt(1 - c * c) + valence;
  return sum / Math.sqrt(sum * sum + VADER_ALPHA);
}

/**
 * A recap summary narrates the whole call, often in one sentence ("was angry ... but was happy after
 * ..."). Clauses split at contrastive words become the units, and clauses whose subject is the agent are
 * dropped: "Agent apologised" says nothing about the caller.
 */
export function summaryUnits(summary: string): string[] {
  const units: string[] = [];
  for (const sentence of splitSentences(summary)) {
    // "Agent booked an engineer and the customer was relieved": the clause about the caller is kept even
    // when the sentence opens with the agent.
    for (const clause of sentence.split(
      /\s*(?:;|,? but |,? however,? |,? although |,? though |, then |,? and (?=(?:the )?(?:customer|caller|client|member|tenant|patient|owner|she|he|they)\b))\s*/i,
    )) {
      const c = clause.trim();
      if (c.length === 0 || /^(?:the )?(?:agent|rep|representative|advisor|we)\b/i.test(c)) continue;
      units.push(c);
    }
  }
  return units;
}

export interface SentimentAssessment {
  sentiment: Sentiment;
  explanation: string;
  /** Scored units in call order, for callers that want the evidence (churn uses the last third). */
  scored: ScoredUtterance[];
  lastThirdMean: number;
}

/**
 * Aggregates per-unit scores. When nothing carries weight (only "okay, thanks") the result is neutral:
 * the caller spoke but expressed nothing.
 */
export function assessSentiment(
  texts: readonly string[],
  basis: string,
  base: BaseScorer = vaderScore,
  names: ReadonlySet<string> = NO_NAMES,
): SentimentAssessment {
  return aggregateSentiment(
    texts.map((t) => scoreUtterance(t, base, names)),
    basis,
  );
}

/** The aggregation step alone, over utterances already scored in call order. */
export function aggregateSentiment(scored: ScoredUtterance[], basis: string): SentimentAssessment {
  const texts = scored;
  const weighted = scored.filter((u) => u.weight > 0);
  if (weighted.length === 0) {
    return {
      sentiment: 'neutral',
      explanation: `${basis}: ${texts.length} unit(s), only pleasantries or acknowledgements, so neutral.`,
      scored,
      lastThirdMean: 0,
    };
  }

  const totalWeight = weighted.reduce((s, u) => s + u.weight, 0);
  const mean = weighted.reduce((s, u) => s + u.compound * u.weight, 0) / totalWeight;
  const third = Math.max(1, Math.floor(weighted.length / 3));
  const lastMean = weightedMean(weighted.slice(-third));
  const t = SENTIMENT_THRESHOLDS;
  const mostAt = weighted.reduce((a, b, i) => (b.compound > (weighted[a]?.compound ?? 0) ? i : a), 0);
  const leastAt = weighted.reduce((a, b, i) => (b.compound < (weighted[a]?.compound ?? 0) ? i : a), 0);
  const most = weighted[mostAt]!;
  const least = weighted[leastAt]!;
  const strongNeg = least.compound <= -t.strongNegative;
  const strongPos = most.compound >= t.strongPositive;
  // The ending counts from the last third, but an upset caller's final "Fine." does not make it neutral.
  const endedWonOver = lastMean >= t.ending;
  const endedUpset = lastMean <= -t.ending;

  // Weighted toward how the call ended: a strong feeling decides unless the call swung away from it,
  // and a swing needs a strong feeling at one end and the opposite ending (angry then relieved, or
  // pleased then upset); otherwise the weighted mean decides, with a band for the matter-of-fact.
  let sentiment: Sentiment;
  let why: string;
  if (strongNeg && endedWonOver && (leastAt < mostAt || !strongPos)) {
    sentiment = 'mixed';
    why = `swing from a strongly negative utterance (${fmt(least.compound)}) to an ending of ${fmt(lastMean)}`;
  } else if (strongPos && endedUpset && mostAt < leastAt) {
    sentiment = 'mixed';
    why = `swing from a strongly positive utterance (${fmt(most.compound)}) to an ending of ${fmt(lastMean)}`;
  } else if (
    strongNeg &&
    mostAt < leastAt &&
    most.compound >= t.pleased &&
    lastMean <= 0.1 &&
    mostAt < weighted.length / 2
  ) {
    // Pleased early on, then clearly upset and not won back: the guide's "pleased then upset".
    sentiment = 'mixed';
    why = `swing from a pleased utterance (${fmt(most.compound)}) to a strongly negative one (${fmt(least.compound)})`;
  } else if (strongNeg && (!strongPos || leastAt > mostAt || lastMean < 0) && lastMean < t.ending / 2) {
    sentiment = 'negative';
    why = `a strongly negative utterance (${fmt(least.compound)}) and no recovery (ending ${fmt(lastMean)})`;
  } else if (strongPos && lastMean > -t.ending) {
    sentiment = 'positive';
    why = `a strongly positive utterance (${fmt(most.compound)}) and no upset ending (${fmt(lastMean)})`;
  } else if (
    weighted.filter((u) => u.compound <= -t.moderate).length >= 2 &&
    most.compound < t.moderate &&
    lastMean < t.moderate
  ) {
    sentiment = 'negative';
    why = `${weighted.filter((u) => u.compound <= -t.moderate).length} complaining utterances and no praise`;
  } else if (mean >= t.positive) {
    sentiment = 'positive';
    why = `weighted mean ${fmt(mean)} ≥ ${t.positive}`;
  } else if (mean <= t.negative) {
    sentiment = 'negative';
    why = `weighted mean ${fmt(mean)} ≤ ${t.negative}`;
  } else {
    sentiment = 'neutral';
    why = `weighted mean ${fmt(mean)} between ${t.negative} and ${t.positive}, no strong feeling`;
  }

  const evidence: string[] = [];
  if (least.compound < 0) evidence.push(`most negative "${clip(least.text)}" (${fmt(least.compound)})`);
  if (most.compound > 0) evidence.push(`most positive "${clip(most.text)}" (${fmt(most.compound)})`);
  return {
    sentiment,
    explanation: `${basis}: ${weighted.length} scored unit(s); ${why}${evidence.length ? `; ${evidence.join('; ')}` : ''}.`,
    scored,
    lastThirdMean: round(lastMean),
  };
}

function weightedMean(units: readonly ScoredUtterance[]): number {
  const w = units.reduce((s, u) => s + u.weight, 0);
  return w === 0 ? 0 : units.reduce((s, u) => s + u.compound * u.weight, 0) / w;
}

/** Four decimals, so float noise never flips a threshold between runs or platforms. */
function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

function fmt(n: number): string {
  return (n >= 0 ? '+' : '') + n.toFixed(2);
}

export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * How Dialpad's recap describes the caller's mood. Recaps name feelings in a small, plain vocabulary
 * ("was angry", "became upset", "was relieved", "praised the technician"), which catches the angry caller
 * who stays polite on the phone and the pleased caller who says little. "Thanked" is left out: the recap
 * says it of matter-of-fact calls too. A feeling described as calm ("complained calmly") does not count.
 */
const RECAP_NEGATIVE =
  /\b(?:angry|angrily|furious|fuming|livid|irate|frustrat\w*|upset|annoyed|irritated|unhappy|dissatisfied|disappointed|exasperated|fed up|not happy|agitated|distressed|displeased|unimpressed|aggrieved|hostile|shout(?:ed|ing)|swore|raised (?:his|her|their) voice|(?:would|will) (?:switch|report|take (?:it|this|the matter)|go elsewhere|shop around|review (?:their|her|his|its) options)|review (?:their|her|his) options|(?:account|matter) (?:is |has been )?(?:on stop|passed to)|not communicated|(?:would|will) not (?:return|be back|be ordering|be using|be renewing)|far too long|dismissive|rude|complain(?:ed|ing)|demand(?:ed|ing)|threaten(?:ed|ing)|accused|insisted|refused|reluctantly|daylight robbery)\b(?! (?:calmly|politely|mildly))/gi;
const RECAP_POSITIVE =
  /\b(?:delighted|pleased|happy|thrilled|praised|praising|grateful|relieved|satisfied|impressed|loves?|loved|enthusiastic|friendly mood|good spirits|keen|glowing|complimented|complimentary|appreciative|elated|excited|cheerful|upbeat|excellent|called to thank|working well|(?:now|finally) works|works now|came in under|ahead of schedule|a day early)\b/gi;
const RECAP_CALM = /\b(?:calmly|politely|mildly|without complaint)\b/i;
/**
 * Complaint events a recap narrates without naming a mood ("then disputed a charge", "noticed a £60 fee",
 * "said a competitor quoted less"). After a pleased mood they are the "then upset" of a swing.
 */
const RECAP_COMPLAINT =
  /\b(?:disput(?:ed|ing)|quer(?:ied|ying)|object(?:ed|ing)|challeng(?:ed|ing)|question(?:ed|ing) (?:the|a|why)|noticed (?:a|an|the) [^.]*?(?:fee|charge)|charged twice|taken twice|(?:second|third) time|went up|gone up|higher than|competitor (?:quoted|offers?)|would (?:go with|switch))\b/gi;

export interface RecapTone {
  negative: Array<{ at: number; cue: string }>;
  positive: Array<{ at: number; cue: string }>;
  /** Complaint events without a mood word; they only complete a "pleased, then upset" swing. */
  complaints: Array<{ at: number; cue: string }>;
}

export function recapTone(summary: string | null): RecapTone | null {
  if (summary === null) return null;
  const tone: RecapTone = { negative: [], positive: [], complaints: [] };
  for (const clause of summaryUnits(summary)) {
    const at = summary.indexOf(clause);
    const lower = clause.toLowerCase();
    const calm = RECAP_CALM.test(clause);
    for (const m of clause.matchAll(RECAP_NEGATIVE)) {
      if (!calm && !isNegatedAt(lower, m.index)) tone.negative.push({ at: at + m.index, cue: m[0] });
    }
    for (const m of clause.matchAll(RECAP_COMPLAINT)) tone.complaints.push({ at: at + m.index, cue: m[0] });
    for (const m of clause.matchAll(RECAP_POSITIVE)) {
      const negated = isNegatedAt(lower, m.index);
      (negated ? tone.negative : tone.positive).push({ at: at + m.index, cue: negated ? `not ${m[0]}` : m[0] });
    }
  }
  return tone.negative.length + tone.positive.length > 0 ? tone : null;
}

/**
 * The recap as a second opinion on the transcript's reading: a swing it describes (angry, then relieved)
 * makes the call mixed; a single feeling it names decides a call the transcript found matter-of-fact.
 * It never overrules a feeling the caller's own words show.
 */
export function withRecapTone(assessment: SentimentAssessment, tone: RecapTone | null): SentimentAssessment {
  if (tone === null) return assessment;
  const pos = tone.positive[0];
  // A complaint narrated after the pleased mood stands in for the missing "then upset".
  const laterComplaint = pos ? tone.complaints.find((c) => c.at > pos.at) : undefined;
  const neg = tone.negative[0] ?? laterComplaint;
  let sentiment = assessment.sentiment;
  let why: string | null = null;
  if (neg && pos && assessment.sentiment !== 'mixed') {
    sentiment = 'mixed';
    why = neg.at < pos.at ? `"${neg.cue}" then "${pos.cue}"` : `"${pos.cue}" then "${neg.cue}"`;
  } else if (
    (assessment.sentiment === 'positive' && neg && !pos) ||
    (assessment.sentiment === 'negative' && pos && !neg)
  ) {
    // The recap names a feeling the caller's words do not show at the end: the call went both ways.
    sentiment = 'mixed';
    why = `"${(neg ?? pos)?.cue}", against the caller's ${assessment.sentiment} words`;
  } else if (assessment.sentiment === 'neutral' && neg && !pos) {
    sentiment = 'negative';
    why = `"${neg.cue}"`;
  } else if (assessment.sentiment === 'neutral' && pos && !neg) {
    sentiment = 'positive';
    why = `"${pos.cue}"`;
  }
  if (why === null) return assessment;
  // The ending the recap describes stands for the transcript's when they disagree, so that churn can tell
  // a caller who was won over from one who was left upset.
  // Only a named mood sets the ending; a narrated complaint ("queried the bill") may have been settled.
  const namedNeg = tone.negative[0];
  const endedNegative =
    sentiment === 'negative' ||
    (sentiment === 'mixed' && namedNeg !== undefined && (pos === undefined || pos.at < namedNeg.at));
  const endedPositive =
    sentiment === 'positive' || (sentiment === 'mixed' && pos !== undefined && (neg === undefined || neg.at < pos.at));
  const lastThirdMean = endedNegative
    ? Math.min(assessment.lastThirdMean, -SENTIMENT_THRESHOLDS.ending)
    : endedPositive
      ? Math.max(assessment.lastThirdMean, SENTIMENT_THRESHOLDS.ending)
      : assessment.lastThirdMean;
  return {
    ...assessment,
    lastThirdMean,
    sentiment,
    explanation: `${assessment.explanation.replace(/\.$/, '')}; the recap describes the caller as ${why}, so ${sentiment}.`,
  };
}

// Praise and the idioms of anger only: the problem and threat cues ("late", "locked out", "legal action")
// name what the call is about and stay readable for themes.
const FEELING_IDIOMS: readonly RegExp[] = [
  ...DOMAIN_VALENCE.filter(
    ([pattern, valence]) => valence > 0 || /cheesed off|daylight robbery|ropeable|unbelievable/.test(pattern.source),
  ).map(([pattern]) => new RegExp(pattern.source, 'gi')),
  new RegExp(SARCASTIC_OPENER.source, 'gi'),
];

/**
 * The text with its feeling idioms ("works like a charm", "spot on", "legend", "daylight robbery")
 * replaced by a break: they say how the caller feels, so their words are never themes.
 */
export function withoutFeelingIdioms(text: string): string {
  return FEELING_IDIOMS.reduce((t, pattern) => t.replace(pattern, ' ; '), text);
}
