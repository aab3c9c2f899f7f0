// The churn signals of the label guide as data: the signal kinds, the ladder that says what each makes a
// call on its own, the nouns of a service and of one booking, and the words of a caller who was kept. The
// phrasings of each signal are in churn-patterns.ts; churn.ts reads both; src/ai/README.md lists them.

export type SignalKind =
  | 'legal'
  | 'leaving'
  | 'chargeback-raised'
  | 'close-account'
  | 'cancellation'
  | 'competitor'
  | 'review'
  | 'chargeback'
  | 'supply-stop'
  | 'refund-demand';

export type SoftKind = 'repeat' | 'escalation-demand' | 'competitor-mention';

export interface SignalRule {
  kind: SignalKind | SoftKind;
  pattern: RegExp;
  /** The pattern itself contains its negation ("won't be ordering again"), so skip the negation check. */
  selfNegating?: boolean;
  /** Only counts in a unit that is itself negative: "again" in "thanks again" is not a repeat complaint. */
  onlyInNegativeUnit?: boolean;
  /** Match against the text as written: competitor names are only recognisable by their capitals. */
  caseSensitive?: boolean;
  /**
   * Names a person ("my solicitor"): a capitalised word mid-sentence is then part of a name ("Naidoo
   * Attorneys"), not a threat.
   */
  personal?: boolean;
  /**
   * Also read in the agent's lines. On a supplier's call the agent is the customer, and "we might need to
   * look at other vendors" or "second time this month" is the risk to the supply relationship.
   */
  agentToo?: boolean;
  /**
   * A decision said as a fact ("I'm going with QuickFix", "we went with SparkleCo") is a decision to
   * leave; the same words under a condition ("if it's short again I'm taking my account to FreshLine")
   * are a threat: this kind instead.
   */
  ifConditional?: SignalKind;
  /**
   * Read in the recap's outcome and purposes, and only there. Other rules never read them: a short label names
   * what was done about a threat as often as the threat ("Cancellation request logged").
   */
  outcomeOnly?: boolean;
  /** Only a mention when the caller was won over by the end (content and resolved). */
  mentionWhenWonOver?: boolean;
}

/**
 * The label guide's ladder: what each explicit signal makes the call on its own. Critical is a stated
 * decision to leave (or having left), a legal or regulatory threat, or a chargeback already raised; high
 * is any explicit or conditional threat to cancel, leave, switch or charge back, or a stated plan to cancel.
 * A threat stays a threat when the agent then keeps the customer: the risk was shown on the call.
 */
export const CHURN_SIGNAL_LEVELS: Readonly<Record<SignalKind, 'high' | 'critical'>> = {
  legal: 'critical',
  leaving: 'critical',
  'chargeback-raised': 'critical',
  'close-account': 'high',
  cancellation: 'high',
  competitor: 'high',
  review: 'high',
  chargeback: 'high',
  'supply-stop': 'high',
  'refund-demand': 'high',
};

/**
 * Without an explicit signal the call is at most medium: a repeat problem, an unresolved complaint, a
 * caller left negative, or a demand to escalate each make it medium (the guide's "clear dissatisfaction,
 * a repeat problem or an unresolved complaint, no threat").
 */
export const CHURN_LEVELS = { withoutSignal: 'medium', calm: 'low' } as const;

export const SERVICE_NOUN =
  '(?:subscription|account|contract|membership|service|plan|policy|direct debit|box|whole thing|everything|agreement|renewal|broadband|package|retainer|licen[cs]e|lease|tenancy|hosting|pass)';
/**
 * What follows "cancel" when it is one order or one visit, not the relationship: an order, an
 * appointment, a table, a booking or a reservation ("cancel my daughter's appointment on Thursday").
 */
/** One order, visit or booking: cancelling it is not leaving the relationship. */
export const ONE_BOOKING =
  '(?:order|appointment|appt|table|booking|reservation|session|lesson|class|visit|consult|consultation|fitting|slot|delivery|collection|pickup|tour|viewing|move|party|event|function|trip|meeting|surgery|operation|procedure|check(?:-?up)?|scan|x-?ray|exam|inspection|call-?out|photoshoot|flight|clean|groom|stay|room|cabin|cottage|lodge|chalet|villa|caravan|tickets?|holiday|getaway|nights?)';
export const ONE_BOOKING_NOUN = `${ONE_BOOKING}s?`;
// Or one day's visit ("I need to cancel Thursday", "cancel only this Saturday", "this week's only"; not "today",
// which can mean now).
const ONE_DAY = `(?:(?:you|ye|yous|him|her|them|us) )?(?:just |only )?(?:(?:for |on )?(?:this |next |the )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|tomorrow|tonight|(?:this|next) week's|this (?:once|weekend)|(?:this|the) one)\\b`;
/** Words that make a booking noun a standing service: "my fortnightly clean", "the weekly order". */
export const STANDING_WORD = '(?:standing|regular|recurring|repeat|weekly|fortnightly|monthly)';
// Or a bill put right: "cancel the duplicate invoice", "I'll cancel it and send a corrected one".
const A_BILL_REDONE =
  "(?:(?:the |this |that |your |an? )?(?:[\\w']+ )?(?:invoice|bill|charge|fee|cheque|transaction|statement|receipt|quote)s?\\b|(?:it|this|that|this one|that one) and (?:e-?mail|send|issue|re-?issue|raise|resend|re-?send|re-?do|print|post)\\b)";
export const NOT_AN_ORDER = `(?! (?:my |the |this |that |an |a |your |our |their )?(?:(?!${STANDING_WORD} )[\\w']+ ){0,2}${ONE_BOOKING_NOUN}\\b| ${ONE_DAY}| ${A_BILL_REDONE})`;

/** The caller was kept: a cancellation asked for and then not carried out. */
export const RETAINED =
  /\b(?:i'll|we'll|i will|we will|happy to|agreed to|decided to|will) stay\b|(?<!\b(?:would|'d) rather )\bstay(?:ing)? (?:on|with (?:you|us|yous|youse|ye|y'all|you guys|you lot))\b|\b(?:would|'d) rather stay\b(?![^]*\bbut\b)|\bno need to (?:change|switch|move|leave|cancel)\b|\b(?:keep|keeping) (?:it|the|my|our|the \w+) (?:on|going|for now)\b|\bretain(?:ed|s)?\b(?! (?:an? |the |my |our |her |his |their )?(?:attorney|lawyer|solicitor|counsel|legal)s?\b)|\b(?:decided|agreed|chose|choosing|deciding) to keep (?:it|the|her|his|their|my|our)\b|\bdon'?t cancel\b|\bchanged (?:my|our|her|his|their) mind\b|\bhold(?:ing)? off\b|\bpaus(?:e|ed|ing)\b|\b(?:accepted|took) (?:the |a )?(?:offer|discount|deal)\b|\bwon'?t cancel\b/i;

/**
 * What "another ..." names when it is a time, a booking or a way, not another business: "find another day",
 * "another slot", "another way". Put after "find another " in a rule.
 */
export const NOT_ANOTHER_BUSINESS =
  '(?!(?:time|day|date|slot|appointment|session|spot|week|weekend|morning|afternoon|evening|booking|way|option|room|venue|route|copy|one|place to meet|driver|run|round|rep|technician|engineer|crew|rota)s?\\b)';

/**
 * A recap that says the call put the problem right ("Agent apologised and booked a free re-clean", "a
 * replacement cushion will be sent", "Owner relieved"), with nothing left standing against it ("though the
 * caller remained unhappy", "could not waive it", "the charge stands", "backordered").
 */
export const REMEDIED =
  /\b(?:apologi[sz]\w*|replacement|replac(?:e|ed|es|ing)|free|re-?do\w*|fixed|sorted|refund\w*|credit\w*|waiv\w+|compensat\w+|re-?sen[dt]\w*|re-?deliver\w*|re-?book\w*|relieved|calmed|reassured|located|found)\b/i;
export const NOT_PUT_RIGHT =
  /\b(?:remain(?:ed|s)?|still|could not|couldn't|cannot|can't|would not|wouldn't|won't|declined?|refused?|reluctant\w*|not yet|sarcastic|backordered|upheld|stands|never|one more)\b/i;

/**
 * A threat reported as not made, just before it: "without saying they would leave", "I'm not saying we'll
 * switch", "she never said she would cancel" (not "I'm not saying it lightly, but ...": the clause ends there).
 */
export const NOT_SAID =
  /(?:\b(?:not|never|without)|n't) (?:say(?:ing)?|said|suggest(?:ing|ed)?|indicat(?:ing|ed)|stat(?:ing|ed)|threaten(?:ing|ed)?)\b(?:(?!\bbut\b)[^.!?;,]){0,25}$/;
/**
 * A prospect's last provider who moved away or retired ("two years with a lady in our neighborhood, but she
 * moved to St. George", "our last cleaner was great, but he moved to Perth"): the reason they ring us, not
 * the caller leaving (tune56).
 */
const PROVIDER = `(?:lady|man|woman|guy|bloke|chap|girl|teacher|tutor|coach|trainer|instructor|cleaner|gardener|dentist|doctor|stylist|hairdresser|barber|vet|accountant|mechanic|plumber|builder|nanny|childminder)`;
export const PROVIDER_MOVED_AWAY = new RegExp(
  `\\b(?:with|at|from) (?:a|an|the|my|our|her|his|their) (?:[\\w-]+ ){0,4}?${PROVIDER}\\b[^.?!]{0,80}?\\bbut (?:she|he|they)(?:'s| has| had| have)? (?:moved|retired|relocated)\\b|\\b(?:my|our|her|his|their) (?:old|last|previous|former|usual) (?:[\\w-]+ ){0,2}?${PROVIDER}\\b[^.?!]{0,60}?\\b(?:she|he|they)(?:'s| has| had| have)? (?:moved|retired|relocated)\\b`,
  'i',
);

/** A former customer named in the call ("A former client … asked to restart her flowers"). */
const FORMER_CUSTOMER = /\b(?:former|previous|lapsed|ex-)\s?(?:customer|client|member|subscriber|patient)\b/i;
/** Service taken up again: "restart the weekly pickup", "Pickup restarted", "asked to rejoin". */
const TAKEN_UP_AGAIN = /\b(?:re-?start|resum|re-?join|re-?instat|re-?subscrib)(?:e|ed|es|ing|s)?\b/i;
/** A former customer back from a rival and taking the service up again: won back, not leaving. */
export const wonBack = (texts: readonly string[]): boolean =>
  texts.some((t) => FORMER_CUSTOMER.test(t)) && texts.some((t) => TAKEN_UP_AGAIN.test(t));

/** A rival's price given on the call: "Price matched; fitting booked", "matched the competitor's quote". */
export const PRICE_MATCHED =
  /\bprice[- ]match(?:ed)?\b(?!\s+(?:request|requested|refused|declined|denied|not|asked|query|enquiry|inquiry))|\bmatched (?:the |their |his |her |a |that |its )?(?:[\w'-]+ )?(?:price|quote)\b|\b(?:agreed|offered) to match\b/i;
/**
 * The business chosen over a rival: "choosing it over a cheaper competitor quote", "went with us over
 * GreenThumb" (tune60); not "choosing a cheaper competitor quote over ours".
 */
export const CHOSE_US =
  /\b(?:chose|choosing|chosen|picked|picking|went with|going with|opted for|opting for|preferred|preferring|selected|selecting) (?:it|us|them|the business|the firm|the company|our [\w-]+|the [\w-]+|this [\w-]+)\b[^.;!?]{0,40}?\bover (?:a |an |the |their )?(?:[\w'-]+ ){0,2}?(?:competitor|rival|cheaper|other|another)\b/i;
