import { stem } from './text';

// Themes' vocabulary of topics: the verbs of customer service whose noun a call is filed under
// ("it was delivered to the wrong flat" is about a delivery), and the nouns that never are a topic on
// their own (times, ordinals, people, vague words). Written from the label guide's notion of a theme
// ("keywords a reader would expect"), not from any scored set. (A bonus for phrases headed by a list
// of business-topic nouns was tried and dropped: 88.0 → 88.3 % themes on tune2 without it, 88.7 →
// 89.9 % on the unseen tune3b set.)

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

/**
 * Nouns that are never a topic said alone: times and dates, ordinals, people and of address,
 * and vague words. Inside a phrase they may still qualify one ("weekend delivery", "staff training").
 */
export const VAGUE_NOUNS: ReadonlySet<string> = new Set(
  words(`
  noon tonight today tomorrow yesterday weekend week month year morning evening arvo hour
  afternoon night midnight midday lunchtime teatime bedtime fortnight
  minute second moment time times date day days season summer winter spring autumn fall
  first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth
  fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth
  men man women woman boy boys girl girls bloke blokes legend legends sweetie guy guys lady ladies people person
  folk folks kid kids baby bub everyone someone somebody anybody
  idea mind couple row spot line lines news point bit lot heaps bunch load loads piece pieces
  mistake mix-up confusion situation case reason fact way means end side top bottom rest front middle
  word words hand hands head eye eyes nose foot feet place area stuff thing
  nan nana gran granny grandma grandad grandpa auntie aunt uncle cousin one ones difference offence kilo kilos
  quarter form expecting birth chance luck sense type hit hold
  waiting running thinking hoping calling looking going trying getting saying generating
  working coming sitting asking telling checking
  `),
);

/**
 * Heads that leave a phrase vague whatever qualifies them ("following week", "long time", "big
 * difference", "small kids"). Heads that name a topic when qualified ("opening times", "serum line",
 * "pick-up point") are not here.
 */
export const VAGUE_HEADS: ReadonlySet<string> = new Set(
  words(`
  today tomorrow yesterday week weeks month months year years morning evening day days moment minute minutes
  time thing things stuff bit lot lots couple difference way people person guys guy folks kids
  someone everyone anybody somebody idea mind mistake situation reason fact heaps bunch
  one ones chance luck sense type hit
  `),
);

/**
 * Heads that name a person by role ("office manager", "front desk", "crew lead", "night manager"): the call
 * is rarely filed under who was on it, so such phrases count less (stems, as the ranking compares them).
 */
export const ROLE_HEADS: ReadonlySet<string> = new Set(
  words(`
  manager staff guest technician tech engineer crew tenant driver receptionist owner partner subscriber client
  customer member doctor nurse team desk director board boss accountant solicitor lawyer attorney contractor
  installer plumber electrician builder groomer rep lead head officer assistant agent person husband wife son
  daughter mum mom dad
  `).map((w) => stem(w)),
);

/**
 * Who and where, not what: a shop, a van, the dog, the landlord. On its own such a word is seldom what a
 * call is filed under ("Shop", "Bank", "Partner"), so a one-word phrase of it counts half, behind the call's
 * topics; inside a phrase it still says which one ("shop window", "bank transfer").
 */
export const WHO_AND_WHERE: ReadonlySet<string> = new Set(
  words(`
  shop store office clinic practice surgery restaurant cafe pub bar house home flat apartment room building
  premises street road site unit branch warehouse depot studio hotel yard car van truck lorry ute vehicle dog
  cat puppy kitten horse bank firm company business landlord partner guest courier parent trainer employee
  homeowner buyer seller neighbour family kid kids child children friend boss
  `).map((w) => stem(w)),
);

/** Verbs (and their participles) of customer service whose noun is what the call is filed under. */
export const TOPIC_VERB_NOUNS: ReadonlyArray<readonly [string, string]> = [
  ['refund', 'refund'],
  ['refunded', 'refund'],
  ['refunding', 'refund'],
  ['repair', 'repair'],
  ['repaired', 'repair'],
  ['replace', 'replacement'],
  ['replaced', 'replacement'],
  ['cancel', 'cancellation'],
  ['cancelled', 'cancellation'],
  ['cancelling', 'cancellation'],
  ['canceled', 'cancellation'],
  ['canceling', 'cancellation'],
  ['deliver', 'delivery'],
  ['delivered', 'delivery'],
  ['delivering', 'delivery'],
  ['leak', 'leak'],
  ['leaking', 'leak'],
  ['leaked', 'leak'],
  ['install', 'installation'],
  ['installed', 'installation'],
  ['renew', 'renewal'],
  ['renewing', 'renewal'],
  ['renewed', 'renewal'],
  ['upgrade', 'upgrade'],
  ['upgraded', 'upgrade'],
  ['invoice', 'invoice'],
  ['invoiced', 'invoice'],
  ['credit', 'credit'],
  ['credited', 'credit'],
  ['book', 'booking'],
  ['booked', 'booking'],
  ['rebook', 'booking'],
  ['rebooked', 'booking'],
  ['reschedule', 'booking'],
  ['rescheduled', 'booking'],
  ['order', 'order'],
  ['ordered', 'order'],
  ['reorder', 'order'],
  ['charge', 'charge'],
  ['charged', 'charge'],
  ['overcharged', 'charge'],
  ['discount', 'discount'],
  ['discounted', 'discount'],
  ['delay', 'delay'],
  ['delayed', 'delay'],
  ['ship', 'shipping'],
  ['shipped', 'shipping'],
  ['clean', 'cleaning'],
  ['cleaned', 'cleaning'],
  ['quote', 'quote'],
  ['quoted', 'quote'],
  ['pay', 'payment'],
  ['paid', 'payment'],
  ['bill', 'bill'],
  ['billed', 'bill'],
  ['export', 'export'],
  ['exported', 'export'],
  ['reprint', 'reprint'],
  ['reprinted', 'reprint'],
  ['collect', 'collection'],
  ['collected', 'collection'],
  ['exchange', 'exchange'],
  ['exchanged', 'exchange'],
  ['inspect', 'inspection'],
  ['inspected', 'inspection'],
];
