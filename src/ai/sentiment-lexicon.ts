// The tuned data of caller sentiment: thresholds, the courtesy formulae taken out before scoring, the
// service-call lexicon added to VADER's, and the recap's mood words. The scoring that reads them is in
// sentiment.ts (utterances) and recap-tone.ts (the recap); src/ai/README.md describes both.

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
export const COURTESY_FORMULAE =
  /\b(?:(?:call|ring|phone|let) (?:me|us) (?:back |know )?if (?:there's|there is|there are|you have|you've got) (?:a |any )?(?:problems?|issues?|questions?)|thank(?:s| you)(?: (?:so|very) much| a lot| heaps| again| anyway| for (?:that|calling|sorting (?:it|that)(?: out)?|your help|letting me know))?|cheers|cheerio|please|(?:i'm |so |really )?sorry(?: about that| again| to (?:bother|mess) you(?: about)?)?|apologies(?: for that)?|(?:good)?bye|hiya|hi|hello|hey|g'day|good (?:morning|afternoon|evening|day)|(?:^|(?<=[.!?] ))morning|happy (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|new year|holidays)|how are you(?: going| doing)?|no problem|no worries(?: at all)?|no dramas|too easy|no stress|no hard feelings|nothing against you|you too|take care|see you(?: then)?|have a (?:good|nice|great|lovely) (?:one|day|week|weekend|evening)|that(?:'d| would) be (?:great|lovely|brilliant|wonderful|perfect|good|fab|ace|awesome|amazing|super)|(?:i'd|i would|we'd|we would) (?:really )?appreciate (?:a|an|it if|if)|(?:it's|this is|my name is|my name's|name's|i'm) (?:mr |mrs |ms |dr )?[A-Z][\w'-]+(?: [A-Z][\w'-]+)*(?: (?:from|at|with|in) (?:[A-Z][\w'&-]+ ?)+)?)\b/g;

/** The same formulae, matched case-insensitively (the introduction needs the capitals, so it stays above). */
export const COURTESY_FORMULAE_ANY_CASE = new RegExp(
  COURTESY_FORMULAE.source.replace(/\|\(\?:it's\|this is.*$/, ')\\b'),
  'gi',
);

/**
 * Words that open an answer or a turn ("Okay, ...", "Great, ...", "Well, ...", "Perfect."). At the start
 * of a sentence they are not counted as content, so an utterance made only of these and pleasantries
 * gets no weight. They are still scored: "Oh perfect, that's brilliant" is pleased, and taking the
 * "yes, that's fine" out of a calm call leaves only its problem words.
 */
export const ACKNOWLEDGEMENTS: ReadonlySet<string> = new Set([
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
export const DOMAIN_VALENCE: ReadonlyArray<readonly [RegExp, number, 'self-negating'?]> = [
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
    /\b(?:unbelievable|typical|incompeten\w+|amateurs?|cowboys|scam|disgusted|outraged|pissed off|ticked off|hacked off|brassed off|narked|spewing|fobbed off|the runaround|run around|round in circles|last straw|enough is enough|end of my tether|taking the (?:piss|mickey)|having a laugh|for crying out loud|give me a break|out of order|(?<!(?:\bnever|\bnot|n't) (?:once |ever )?)let (?:me|us) down|i (?:expect|expected) better|poor service|terrible service|worst|never again|how many (?:more )?times|you people(?! (?:have|are|were|'re|really|always) (?:\w+ )?(?:the best|good|great|brilliant|amazing|the eye|stars|legends|wonderful|fantastic|lovely|magic|gems?|too good))|on hold for|kept (?:me )?on hold|speak to (?:a|your|the) (?:manager|supervisor)|taking this further|(?:put|want) (?:it|that|this) (?:in writing|on record))\b/g,
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
    /\b(?:legend|you rock|lifesaver|life saver|breath of fresh air|over the moon|chuffed|stoked|rapt|thrilled|made my (?:day|week|morning|year)|saved (?:my|our) (?:bacon|week|day|life|skin)|works like a charm|can't fault|couldn't be happier|a believer|painless|good on (?:ya|you)|top notch|above and beyond|(?:the|a) best thing|you're (?:the best|a star|amazing|a legend|a gem)|y'all are the best|absolute pleasure|(?:they|you|he|she|y'all|you guys|the (?:crew|lads|team|boys|girls|guys)) (?:absolutely |really |totally |proper )?(?:killed|nailed|smashed|crushed|aced) it|(?:were|was|are|is) (?:absolute |pure |proper |top )?class|hella worth it|worth every (?:cent|penny|dollar|pound)|(?:couldn't|could not|couldnae) have done it (?:without|withoot) (?:you|ye|ya)|(?:done|did) (?:right|well) by (?:me|us)|exceeded (?:my |our |her |his |their |all )?expectations|raved|well impressed|(?:(?:bloody|been|looking|looks) |(?:all|you|ye) (?:were|was|are) (?:absolutely )?)marvell?ous|come on a treat|(?:you|ye|y'all) deserve it)\b/g,
    2.4,
  ],
  [
    /\b(?:(?:massive|huge|such a|what a|that's a) relief|thank (?:god|goodness|heavens)|so (?:pleased|glad|happy)|really appreciate|much appreciated|decent of you|that's all i wanted|beauty|spot on|fair dinkum good|(?:a )?load off (?:my|our) (?:mind|shoulders)|that's a load off|never (?:once )?(?:let|leave|left) (?:me|us) (?:down|stranded)|(?:he's|she's|you're|they're|you are|he is|she is) (?:my|our|a|an absolute|a real) (?:hero|heroes|saviou?r)|(?:una|you) (?:try|tried) well)\b/g,
    1.8,
  ],
  [
    /\b(?:champion|happy days|ten out of ten|five stars|made our (?:day|week)|(?:a |such a |what a )(?:huge|big|massive|smash) hit|(?:the )?talk of the (?:do|town|party|night|wedding)|so relieved|really pleased|very pleased|brilliant job|great job|amazing job|fantastic job)\b/g,
    1.8,
  ],
  [
    /\b(?:no complaints|(?:can't|cannot) (?:say i've got|complain)|not (?:a |one |a single )?complaint|not unhappy|nothing to complain)\b/g,
    1.5,
    'self-negating',
  ],
  [/\bnot that (?:i'm|i am|we're|we are) (?:unhappy|upset|complaining)\b/g, 1.0, 'self-negating'],
  // A grievance held on to: "I'm not letting this go", "I won't let it drop".
  [
    /\b(?:not|never|won't|will not) (?:be )?lett?ing (?:this|it|that) (?:go|drop|slide|lie)\b|\b(?:won't|will not|not going to|not gonna) let (?:this|it|that) (?:go|drop|slide|lie)\b/g,
    -1.8,
    'self-negating',
  ],
];

/**
 * Text VADER reads literally or as social-media slang: "you had better fix it" and "make sure they do"
 * are demands, not praise or agreement; "PO" is a purchase order, not an insult (-2.6 in VADER);
 * "honestly", "to be fair", "I'll be honest" are discourse markers (+2.0 for "honest"); "pretty" before
 * an adjective is an intensifier ("pretty annoyed" must not read as pretty); "help", "hope", "free",
 * "care", "like", "sure" are mostly requests and fillers on a service call ("can you help", "I hope to",
 * "free on Thursday", "customer care", "like, totally"). The replacements are valence-free in VADER.
 */
export const PARAPHRASES: ReadonlyArray<readonly [RegExp, string]> = [
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
 * Sarcasm: a cheerful exclamation ("Oh marvellous.", "Oh wonderful, another ...", "Great, just great",
 * "Oh, it was great. Really great way to spend a night.") in an utterance that also complains. Its praise
 * words are then read as the complaint they are.
 */
export const SARCASTIC_OPENER =
  /\boh,? (?:it was|that was) (?:just |really |so |absolutely )?(?:great|wonderful|marvellous|marvelous|brilliant|lovely|fantastic|fabulous|terrific|super)(?= *(?:[.!]|$))|\b(?:great|wonderful|lovely|fantastic|brilliant|marvellous|marvelous|fabulous) way to (?:spend|start|end)\b|\b(?:oh|well|just|yeah|great,) (?:great|wonderful|marvellous|marvelous|brilliant|lovely|fantastic|perfect|terrific|super|fabulous|splendid|excellent|nice one|thanks a lot|just great)\b|\b(?:great|brilliant|perfect|lovely),? (?:another|just what i needed|that's all i need)/i;
export const COMPLAINT_CONTEXT =
  /\b(?:another|again|nobody|no one|no \w+|not|never|late|delay\w*|buried|hike|increase|cancel\w*|broken|wrong|missing|lost|still|turn up to|wait\w*|quit|died|froze|frozen|freezing|flooded|flooding|leak\w*|ran out|run out|out of)\b/i;
export const PRAISE_WORDS =
  /\b(?:great|wonderful|marvellous|marvelous|brilliant|lovely|fantastic|perfect|terrific|super|fabulous|splendid|excellent|nice|thanks)\b/gi;
export const SARCASM_VALENCE = -2.2;

export const EMPHATIC_THANKS =
  /\b(?:oh,? thank you|thank you[.!,]? thank you|thank(?:s| you) so much(?: for (?:this|that|everything|sorting))?|thank you ever so|can't thank you enough)\b/i;
export const EMPHATIC_THANKS_VALENCE = 1.2;
export const PAST_FEELING =
  /\b(?:i|we) (?:was|were|had been|'d been) (?:(?:so|really|very|just|absolutely|completely|a bit|quite|about to|going to)\b ?)*[\w' ]{0,20}?(?=[.!,]|$)/gi;

/**
 * Echoing a figure back as a question ("Three weeks?", "$588?", "A week or two?") is balking at it: a
 * short fragment with a number or a span of time, ending in a question mark.
 */
export const ECHO_QUESTION =
  /(?:^|[.!?]\s)(?:(?:a|an|another|the|for|only|just|like|over|nearly|almost|wait,?)\s)*(?:\$?£?[\d,.]+|\w+(?:-\w+)?)\s?(?:(?:or|to)\s\w+\s)?(?:days?|weeks?|months?|hours?|years?|dollars?|bucks|quid|pounds?|percent|grand|k)?\?/gi;
export const ECHO_VALENCE = -0.9;
export const NEGATED_SAYING =
  /\b(?:not|n't|never) (?:say(?:ing)?|think(?:ing)?|feel(?:ing)?|call(?:ing)? (?:it|this|that|me)|go so far as to say)\b[^.!?;]{0,25}$/;
export const HEDGE_BEFORE =
  /\b(?:a (?:bit|little|tad|touch)|slightly|somewhat|mildly|kind of|sort of|a wee bit)(?: (?:more|too))? $/;

/**
 * Nouns that evaluate ("a nightmare", "a star", "what a relief"): the only nouns whose valence is a
 * feeling. Other nouns VADER scores name what the call is about ("engagement party", "wellness plan",
 * "leak", "emergency", "pain medication", "mistake") and say nothing of the caller's tone.
 */
export const EVALUATIVE_NOUNS: ReadonlySet<string> = new Set(
  `nightmare joke disaster mess shambles disgrace relief pleasure hassle stress rubbish scam rip-off ripoff star
  godsend gem treat delight shame pity waste lifesaver legend champion hero angel saint idiot idiots clowns
  cowboys amateurs liars thieves crooks useless garbage trash crap bullshit nonsense insult outrage farce
  fiasco headache frustration anger annoyance disappointment joy thanks`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

export const PERSONAL_SUBJECTS: ReadonlySet<string> = new Set(
  "i i'm i've i'll i'd we we're we've we'll we'd you you're you've you'll you'd they they're they've he she".split(' '),
);

/**
 * How Dialpad's recap describes the caller's mood. Recaps name feelings in a small, plain vocabulary
 * ("was angry", "became upset", "was relieved", "praised the technician"), which catches the angry caller
 * who stays polite on the phone and the pleased caller who says little. "Thanked" is left out: the recap
 * says it of matter-of-fact calls too. A feeling described as calm ("complained calmly") does not count.
 */
export const RECAP_NEGATIVE =
  /\b(?:angry|angrily|furious|fuming|livid|irate|frustrat\w*|upset|annoyed|irritated|unhappy|dissatisfied|disappointed|exasperated|fed up|not happy|agitated|distressed|displeased|unimpressed|aggrieved|hostile|shout(?:ed|ing)|swore|raised (?:his|her|their) voice|(?:would|will) (?:switch|report|take (?:it|this|the matter)|go elsewhere|shop around|review (?:their|her|his|its) options)|review (?:their|her|his) options|(?:account|matter) (?:is |has been )?(?:on stop|passed to)|not communicated|(?:would|will) not (?:return|be back|be ordering|be using|be renewing)|far too long|dismissive|rude|curt|terse|abrupt|snappy|testy|impatient|sarcastic|complain(?:ed|ing)|demand(?:ed|ing)|threaten(?:ed|ing)|accused|insisted|refused|reluctantly|daylight robbery)\b(?! (?:calmly|politely|mildly))/gi;
export const RECAP_POSITIVE =
  /\b(?:delighted|pleased|happy|thrilled|praised|praising|grateful|relieved|satisfied|impressed|loves?|loved|enthusiastic|friendly mood|good spirits|keen|glowing|complimented|complimentary|appreciative|elated|excited|cheerful|upbeat|excellent|called to thank|working well|(?:now|finally) works|works now|came in under|ahead of schedule|a day early|thanking|(?:would|will|is|was|has been|had been|already) recommend(?:ing|ed)?|(?:has|have|had|already) referred (?:\w+ )?(?:neighbou?rs|friends|family|colleagues|people|clients|customers|others)|(?:was|were|is) the best (?:one )?(?:yet|ever)|(?:huge|big|massive|real|smash) hit|talk of the (?:do|town|party|night|wedding)|(?:rang|called|phoned) (?:in )?to (?:praise|compliment|rave))\b/gi;
export const RECAP_CALM = /\b(?:calmly|politely|mildly|without complaint)\b/i;
/**
 * Complaint events a recap narrates without naming a mood ("then disputed a charge", "noticed a £60 fee",
 * "said a competitor quoted less"). After a pleased mood they are the "then upset" of a swing.
 */
export const RECAP_COMPLAINT =
  /\b(?:disput(?:ed|ing)|quer(?:ied|ying)|object(?:ed|ing)|challeng(?:ed|ing)|question(?:ed|ing) (?:the|a|why)|noticed (?:a|an|the) [^.]*?(?:fee|charge)|charged twice|taken twice|(?:second|third) time|went up|gone up|higher than|competitor (?:quoted|offers?)|would (?:go with|switch)|(?:will not|won't|would not|wouldn't|does not|doesn't|did not|didn't|was never|were never|has not|hasn't|had not|hadn't|have not|haven't|never) (?:been )?(?:connect(?:ed)?|work(?:ed|ing)?|arrived?|submitted|sent|turn(?:ed)? up|show(?:ed)? up|fixed|start(?:ed)?|sync(?:ed)?|load(?:ed)?|delivered|received|processed|refunded|returned|called back)|stopped working|not working|running hot|leak(?:ing|ed|s)|broken|faulty|damaged|missing|(?:has|had|have|been|kept|keeps) fail(?:ing|ed)|(?:minutes|hours|days|weeks) late|(?:arrived|turned up|came|was|were) late)\b/gi;

// Praise and the idioms of anger only: the problem and threat cues ("late", "locked out", "legal action")
// name what the call is about and stay readable for themes.
export const FEELING_IDIOMS: readonly RegExp[] = [
  ...DOMAIN_VALENCE.filter(
    ([pattern, valence]) => valence > 0 || /cheesed off|daylight robbery|ropeable|unbelievable/.test(pattern.source),
  ).map(([pattern]) => new RegExp(pattern.source, 'gi')),
  new RegExp(SARCASTIC_OPENER.source, 'gi'),
];
