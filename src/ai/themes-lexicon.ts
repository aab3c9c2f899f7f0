// The word lists and patterns of themes: heads that need a qualifier, problem words that stay topics,
// fillers and feeling nouns that never are, units, service verbs and the churn signals filed as themes.
// themes.ts reads them (the topic vocabulary is in themes-topics.ts); src/ai/README.md describes the rules.
import { TOPIC_VERB_NOUNS } from './themes-topics';

/** Words that name a topic only with a qualifier: "delivery issue" is a theme, "issue" is not. */
export const GENERIC_HEADS: ReadonlySet<string> = new Set([
  'issue',
  'problem',
  'question',
  'query',
  'help',
  'information',
  'detail',
  'stuff',
  'option',
  'change',
  'email',
  'message',
  'number',
  'link',
  'note',
  'money',
  'name',
  'news',
  'result',
  'action',
  'end',
  'course',
  'fight',
  'job',
  'product',
  'thing',
  'part',
  'side',
  'deal',
  // People are who, not what: "Manager", "Tenant" alone name nobody's topic ("Store manager" still can).
  'manager',
  'tenant',
  'patient',
  'member',
  'neighbour',
  'neighbor',
  'owner',
  'supervisor',
  'husband',
  'wife',
  'mum',
  'mom',
  'mother',
  'dad',
  'father',
  'son',
  'daughter',
  'kid',
  'family',
  'friend',
  'accountant',
  'bookkeeper',
  'controller',
  'director',
]);

/**
 * Stop words that are a fine head after a modifier: "opening hours", "refund request", "address update",
 * "work order", "phone line". Alone they stay out ("Hours", "Request").
 */
export const MODIFIED_HEADS: ReadonlySet<string> = new Set([
  'hours',
  'hour',
  'time',
  'times',
  'request',
  'requests',
  'update',
  'updates',
  'line',
  'lines',
  'call',
  'calls',
  'work',
  'team',
  'week',
  'month',
  'day',
  'date',
]);

/**
 * Problem words VADER rates as strongly negative but that say what went wrong rather than how the
 * caller feels; they stay eligible for themes ("wrong item", "broken hinge").
 */
export const PROBLEM_WORDS: ReadonlySet<string> = new Set([
  'wrong',
  'broken',
  'damaged',
  'damage',
  'faulty',
  'fault',
  'missing',
  'error',
  'rude',
  'fraud',
  'outage',
  'lost',
  'failed',
  'failure',
  'leak',
  'debt',
  'fee',
  'fine',
  'penalty',
]);

export const SIGNAL_THEMES: Readonly<Record<string, string>> = {
  cancellation: 'Cancellation',
  'close-account': 'Account closure',
  chargeback: 'Chargeback',
  'chargeback-raised': 'Chargeback',
  'refund-demand': 'Refund',
  competitor: 'Competitor',
};

export const NOT_NAMES: ReadonlySet<string> = new Set(['caller', 'agent', 'customer', 'unknown', 'speaker', 'system']);

/**
 * Nouns VADER scores mildly ("credit" +0.38, "interest" +0.46, "party" +0.40) are things a call is about;
 * only a strongly scored noun ("disaster") or a feeling noun is a feeling. Adjectives keep the stricter test.
 */
export const FEELING_NOUNS: ReadonlySet<string> = new Set(
  'relief joy pleasure nightmare joke hassle stress drama shambles disgrace frustration anger annoyance'.split(' '),
);

/**
 * Words that never name what a call was about however they are used: greetings, interjections,
 * terms of address and conversational fillers from US, UK and Australian speech, and from the other
 * Englishes callers use (Irish, Scots, Jamaican, South African, Indian "yaar, arre, acha", Singaporean "lah,
 * aiyo", Nigerian "abeg, wahala", Krio and Guyanese "wetin, una, fuh", New Zealand "chur"), spoken contractions
 * ("lemme", "gimme") and thanks or greetings said in another language ("murakoze", "asante", "diolch"). A theme
 * made only of these (after stop words) is not a theme.
 */
export const FILLER_WORDS: ReadonlySet<string> = new Set(
  `hi hiya hello hey howdy g'day gday morning afternoon evening bye goodbye cheers ta thanks thank thankyou
  please sorry apologies pardon okay ok alright yes yeah yep yup aye no nope nah sure fine great perfect lovely
  brilliant awesome cool wonderful fantastic excellent super mate mates buddy pal dude sir madam maam ma'am
  love darling darl hon honey guys folks kidding joking bother drama dinkum fair reckon crikey blimey bloody
  gosh golly jeez geez wow whoa oops uh um er erm ah oh hmm mm huh ugh meh anyway anyways basically literally
  honestly actually seriously totally absolutely whatever like kinda sorta gonna wanna gotta innit ringing
  hang hanging holding rang calling bothered smashing marvellous lifesaver damn dang darn bear listen look sec
  second minute moment bit bits little righto ring bell buzz bacon matter round
  feeling feelings thing things stuff way lot lots kind sort squiz heaps loads arvo chap chaps lad lads
  mister missus sweetheart pet hun babe cobber bud bro boss chief champ digger fella fellas bloke sheila gent
  lady ladies gentleman ya ye youse anyhoo och strewth bonkers cor heck hell lord god goodness gracious yikes
  phew whew whoops ahh ooh aww eh mhm okie dokey ciao laters worries dramas probs problemo trouble pleasure
  everyone everybody anything something someone nothing question questions favour favor ta-ta ta-ra tara tah heads
  lekker boet howzit eish ja mm-hm mm-hmm uh-huh uh-uh toodles yo hiya hallo ripper bonza bonzer
  legend legends cuz cuzzie bruv blud gov guv luv duck ducks chuck hen wee craic grand
  mi yuh unu fi haffi nuh inna wid seh cyaan deh nutten bout dem di aff oot yer cannae dinnae didnae nae tae fae likkle
  doesnae isnae wasnae wouldnae couldnae shouldnae willnae hasnae havenae hadnae widnae canna dinna oor aboot afore
  yaar arre arey acha accha achha haan ji bhai bhaiya didi wah hah haha hahaha lah leh lor aiyo aiyah ayyo alamak
  abeg oga wahala chur allyuh wunna unnu yinz y'all yall yous nowt owt summat howya howaya gidday betcha lemme gimme
  dunno gotcha thass wetin una dey wey abi sef oya jare muh fuh dat dis dem deh murakoze webale asante sawa poa karibu
  jambo habari ngiyabonga dankie diolch duw fawr namaste shukriya dhanyavaad salamat mahalo aloha merci gracias`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

/** Units of money and measure: after a number they count something ("forty metres"), they are no topic. */
export const UNIT_NOUNS: ReadonlySet<string> = new Set(
  `bucks buck quid rand dollars dollar euros euro pounds pound cents pence grand k k's ks metres meters metre meter
  kilometres kilometers km miles mile kilos kilo kg grams litres liters feet foot inches inch yards percent`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);

export const CALLBACK_REQUEST =
  /(?<!\b(?:no need to|don't|do not|not|never) )\b(?:(?:call|ring|phone|get back to) (?:me|us) back|(?:give|gimme) (?:me|us) a (?:ring|call|bell|buzz)|(?:could|can|would) (?:someone|somebody|you) (?:please )?(?:call|ring|phone) (?:me|us)|call ?back|ring ?back)\b/i;

/** Verbs of customer service whose noun is what the call is filed under (themes-topics.ts). */
export const SERVICE_VERB_NOUNS: Readonly<Record<string, string>> = Object.fromEntries(TOPIC_VERB_NOUNS);
