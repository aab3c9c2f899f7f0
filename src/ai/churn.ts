// Churn risk: explicit signals in what the caller said (or what the recap says they said), plus the
// caller's sentiment and whether the call ended unresolved. Scoring is documented in src/ai/README.md.
import type { Sentiment } from './sentiment';
import { clip } from './sentiment';
import { isNegatedAt } from './text';

export type ChurnRisk = 'low' | 'medium' | 'high' | 'critical';

type SignalKind =
  | 'legal'
  | 'leaving'
  | 'chargeback-raised'
  | 'close-account'
  | 'cancellation'
  | 'competitor'
  | 'chargeback'
  | 'supply-stop'
  | 'refund-demand';

type SoftKind = 'repeat' | 'escalation-demand' | 'competitor-mention';

interface SignalRule {
  kind: SignalKind | SoftKind;
  pattern: RegExp;
  /** The pattern itself contains its negation ("won't be ordering again"), so skip the negation check. */
  selfNegating?: boolean;
  /** Only counts in a unit that is itself negative: "again" in "thanks again" is not a repeat complaint. */
  onlyInNegativeUnit?: boolean;
  /** Match against the text as written: competitor names are only recognisable by their capitals. */
  caseSensitive?: boolean;
  /**
   * Also read in the agent's lines. On a supplier's call the agent is the customer, and "we might need to
   * look at other vendors" or "second time this month" is the risk to the supply relationship.
   */
  agentToo?: boolean;
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

const SERVICE_NOUN =
  '(?:subscription|account|contract|membership|service|plan|policy|direct debit|box|whole thing|everything|agreement|renewal|broadband|package)';
const NOT_AN_ORDER = '(?! (?:my |the |this |that |an |a |your |our |their )?(?:\\w+ )?order)';

const RULES: readonly SignalRule[] = [
  {
    kind: 'legal',
    pattern:
      /\b(?:solicitors?|lawyers?|attorneys?|legal (?:action|proceedings|advice)|take (?:you|this|it|them) to court|small claims|tribunal|sue (?:you|them|the company)|suing|trading standards|ombudsman|better business bureau|bbb|accc|fair trading|consumer (?:protection|affairs|council|rights)|regulator|ofcom|ofgem|ftc|attorney general|(?:housing|building|health) (?:department|authority|inspector)|deposit (?:protection )?scheme|not legal|illegal|report(?:ing)? (?:you|the company|the store|the business|them|this|it) to|complaint (?:in )?(?:to|with) the \w+|(?:my|our) legal team|see you in court|cfpb|ofwat|citizens advice|consumer tribunal|ncat|vcat)\b/g,
  },
  {
    kind: 'chargeback-raised',
    pattern:
      /\b(?:already |have |has |i've |we've |she's |he's )?(?:raised|filed|started|opened|made|lodged|put in|initiated) a (?:chargeback|dispute with (?:my|her|his|their|the) (?:bank|card))|\b(?:called|rang|phoned|told) (?:my|our|the) bank and disputed\b|\bdisputed it with (?:my|our|the) (?:bank|card)|\bthe bank(?:'s| is) (?:handling|dealing with) it\b/g,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:won't|will not|never) (?:be )?(?:ordering|order|buying|buy|shopping|shop|using|use|coming back|come back|dealing|deal|renewing|renew)\b(?: [\w']+){0,4}? again\b/g,
    selfNegating: true,
  },
  {
    kind: 'leaving',
    pattern: /\b(?:won't|will not|would not|wouldn't|never) (?:be )?(?:coming back|come back|return(?:ing)?)\b/g,
    selfNegating: true,
  },
  {
    kind: 'leaving',
    pattern: /\b(?:will not|won't|not|not gonna|not going to) (?:be )?renew(?:ing)?\b/g,
    selfNegating: true,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:signed (?:up )?with|moved (?:everything |our \w+ |my \w+ )?(?:over )?to|gone (?:over )?to|go(?:ne)? with another|going with another|got a new (?:line|provider|supplier) going in|found (?:a|another|a new) (?:supplier|provider|company|vendor|plumber|cleaner|builder|agency|firm)|(?:we've|i've|we have|i have|already) switched\b(?! (?:it|the|that|this|on|off))|terminat(?:e|ing) (?:the|our|my) (?:contract|agreement|account|service))\b(?! (?:you|us)\b)|\bmy mind'?s made up\b|\bmind is made up\b|\b(?:last|final) (?:order|delivery|visit|payment|month) with (?:you|us)\b/g,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:customer|caller|client|member|tenant|patient|she|he|they)(?: has| have)? (?:cancelled|canceled|closed|terminated|ended) (?:the |her |his |their |its )?(?:\w+ ){0,5}?(?:contract|subscription|account|membership|service|plan|cleaning|booking|policy|agreement)\b/g,
  },
  {
    kind: 'leaving',
    pattern: /\b(?:don't|do not) want anything (?:more |else )?to do with (?:you|them|the company)\b/g,
    selfNegating: true,
  },
  { kind: 'leaving', pattern: /\b(?:i'm|we're|i am|we are) done with (?:you|them)\b/g },
  // A supplier ending supply has left the relationship.
  {
    kind: 'leaving',
    pattern:
      /\b(?:will|is going to|are going to|gonna|to) stop (?:servicing|supplying|serving|delivering to|trading with)\b|\b(?:delivery|order|visit|shipment) will be the last\b|\bsupply (?:ending|ends|will end)\b|\bnot (?:servicing|supplying|serving|delivering to) [\w\s]{0,40}?anymore\b|\bwill be your last (?:delivery|order|visit|shipment)\b/g,
  },
  { kind: 'leaving', pattern: /\bdecided to (?:go with|switch|move|leave|cancel|take (?:our|my) business)\b/g },
  { kind: 'leaving', pattern: /\bgo(?:ing)? with [^.?!]{1,40}? instead\b/g },
  {
    kind: 'leaving',
    pattern:
      /\balready (?:switched|moved|signed up|gone|changed) (?:to|with|over)\b|\bsigned up with (?:a |another )?(?:competitor|provider|supplier)\b/g,
  },
  {
    kind: 'leaving',
    pattern: /\balready found (?:a |another |someone )(?:\w+ )?(?:supplier|provider|company|deal|option|elsewhere)\b/g,
  },
  { kind: 'leaving', pattern: /\b(?:contract|deal)(?:'s| is| has been)? already signed\b/g },
  { kind: 'leaving', pattern: /\balready (?:raised|filed|started|opened|made) a (?:chargeback|dispute)\b/g },
  {
    kind: 'close-account',
    pattern: /\bclos(?:e|ing|ed) (?:my|our|the|their|his|her) (?:\w+ )?account\b|\baccount closure\b/g,
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(
      `\\bcancel(?:l?ing|l?ed|lation of)? (?:(?:my|our|the|their|his|her|this|your) )?(?:\\w+ ){0,4}?${SERVICE_NOUN}\\b`,
      'g',
    ),
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(
      `\\b(?:ready|going|want|wanted|need|plan|planning|like|about) to cancel\\b${NOT_AN_ORDER}`,
      'g',
    ),
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(`\\b(?:i|we) (?:have |had |already )?cancell?ed\\b${NOT_AN_ORDER}`, 'g'),
  },
  { kind: 'cancellation', pattern: /\bcancellation request\b|\bchurn\b/g },
  {
    kind: 'competitor',
    pattern:
      /\b(?:we|i)(?:'ll| will| might| may| could|'d| would)? (?:need|have|want) to (?:look at|find|go with|source from|switch to|try) (?:other|another|a different|a new|alternative) (?:vendors?|suppliers?|distributors?|wholesalers?|providers?|manufacturers?)\b/g,
    agentToo: true,
  },
  // Asking how to cancel is a stated plan, even "just weighing my options".
  {
    kind: 'cancellation',
    pattern:
      /\bhow (?:do i|can i|would i|to|does)(?: go about)? cancel\w*|\bweighing (?:it|things|my options|our options) up\b|\bweighing up (?:my|our) options\b|\bhow cancell?ation works\b|\bcancell?ation (?:process|policy|terms|notice)\b|\bnotice (?:period )?(?:for|to|before) cancel\w*|\b(?:asked|enquired|inquired|asking|ask) (?:about|how) (?:to )?cancel\w*/g,
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(`\\b(?:would|will|i'll|we'll|i'd|we'd|gonna) cancel\\b${NOT_AN_ORDER}`, 'g'),
  },
  {
    kind: 'competitor',
    pattern:
      /\b[Ss]witch(?:ing|ed)? (?:over )?to (?:a |an )?(?:competitor|another|different|other|[A-Z][A-Za-z0-9&-]+)/g,
    caseSensitive: true,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:look|looking|shop|shopping|go|going|take (?:my|our) business|move|moving) (?:elsewhere|somewhere else)\b|\bshop(?:ping)? around\b|\breview(?:ing)? (?:my|our|their|her|his) options\b|\b(?:getting|get) someone else in\b|\b(?:gonna|going to|will|would|i'll|she'd|he'd|they'd|we'd) go with (?:them|another|a competitor)\b|\bcompetitor(?:'s)? quote\b|\b(?:look(?:ing)?|shop(?:ping)?) around\b|\b(?:get(?:ting)?|got) (?:other|some|a few|more) quotes\b|\b(?:cheaper|better deal) (?:elsewhere|somewhere else)\b|\b(?:considering|thinking about|weighing up) (?:leaving|switching|moving|cancelling|going elsewhere|my options|our options)\b/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:look(?:ing)? at|consider(?:ing)?|try(?:ing)?|talk(?:ing)? to|quotes? from) (?:other|another|different|alternative) (?:suppliers?|providers?|compan(?:y|ies)|vendors?|firms?|options|roasters?|distributors?)\b/g,
  },
  {
    kind: 'competitor',
    pattern: /\bthinking (?:of|about) (?:leaving|switching|moving|cancelling)\b/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:will|'ll|gonna|going to|have to|might|may) (?:stop (?:ordering|using|buying)|source (?:it |them |this )?(?:elsewhere|from (?:someone|somewhere) else)|find (?:another|a new|a different) (?:supplier|provider|company|vendor|firm|plumber|builder|cleaner|agency))\b|\bport(?:ing)? (?:my|our|the) (?:numbers?|lines?) (?:out|away)\b|\b(?:we're|i'm|we are|i am) leaving\b(?! (?:a |the |it |on |for |at |tomorrow|today|now|work|home))/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:gonna|going to|will|would|i'll|we'll|i'd|we'd) (?:switch|leave|walk)(?=[.,;!?]|$| (?:for|elsewhere|and go|to another|unless|if))/g,
  },
  // A competitor named is not a threat by itself (a customer who switched to us names the old supplier);
  // from a caller who is unhappy or left with the problem unsolved it is dissatisfaction (medium).
  { kind: 'competitor-mention', pattern: /\bcompetitors?\b/g },
  { kind: 'chargeback', pattern: /\bcharge ?backs?\b/g },
  {
    kind: 'chargeback',
    pattern:
      /\bdisput(?:e|ed|ing) (?:it |this |that |them |the (?:\w+ ){0,2})?with (?:my|the|our|their|his|her) (?:bank|card)/g,
  },
  { kind: 'chargeback', pattern: /\b(?:go|going) to (?:my|the|our) bank to dispute\b/g },
  {
    kind: 'chargeback',
    pattern:
      /\b(?:dispute|reverse|contest) (?:it|the charge|the payment|this|that|the transaction) (?:with|through) (?:my|the|our) (?:bank|card|credit card|card company|card provider|amex|visa|mastercard|paypal)\b/g,
  },
  {
    kind: 'chargeback',
    pattern: /\b(?:tell|ask|get) (?:my|the|our) bank to (?:block|stop|cancel|reverse)\b|\bblock the payments?\b/g,
  },
  {
    kind: 'supply-stop',
    pattern:
      /\b(?:put|putting|place|placing|placed) (?:your|the|you|their) account on (?:stop|hold)\b|\baccount (?:has been |is |was )?(?:placed |put )?on stop\b|\bstop (?:supplying|delivering to|shipping to) you\b|\b(?:have to|will|going to|gonna) stop (?:deliveries|delivering|supplying|supply|shipping)\b|\bdeliveries will stop\b/g,
  },
  {
    kind: 'refund-demand',
    pattern:
      /\b(?:want|need|demand|demanded|demanding|demands|expect|insist(?:ed|s)? on|entitled to|asking for|asked for|give me) (?:a |an |my |the |that |this )?(?:full |complete |proper )?refund\b/g,
  },
  {
    kind: 'refund-demand',
    pattern: /\bwant (?:that|the|this|my|it) (?:\w+ )?refunded\b|\b(?:my|our|their) money back\b|\brefund me\b/g,
  },
  {
    kind: 'repeat',
    pattern:
      /\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|umpteenth) (?:(?:\w+ )?(?:time|message|voicemail|call|email|week running|month running|delivery|order|outage|fault|visit|complaint|failure|repair)s?)\b|\bin a row\b|\bkeeps? (?:happening|breaking|failing|crashing|dropping|not being)\b|\b(?:yet|once) again\b|\bsame as last (?:time|week|month)\b|\brepeated(?:ly)?\b|\b(?:i'm|i am|i've been|we've been|been) chasing\b|\bstill (?:not|haven't|hasn't|waiting|leaking)\b|\b(?:emailed|called|rung|rang|phoned|written) (?:you |them )?(?:twice|three times|four times|several times)\b/g,
    selfNegating: true,
    agentToo: true,
  },
  {
    kind: 'repeat',
    pattern: /(?<!(?:thanks|thank you|sorry|apologies|cheers) )\bagain\b/g,
    onlyInNegativeUnit: true,
    selfNegating: true,
  },
  {
    kind: 'escalation-demand',
    pattern:
      /\b(?:speak to|talk to|want|get me|put me through to) (?:a|your|the) (?:manager|supervisor|someone senior)\b|\b(?:make|making|log|file|raise) a (?:formal )?complaint\b|\bformal complaint\b/g,
  },
];

export interface ChurnEvidenceUnit {
  /** How the reason names the source: 'caller said', 'the recap says', 'action item', 'Dialpad moment'. */
  source: string;
  text: string;
  /** VADER compound of the unit, for rules that only count in negative units. */
  compound: number;
  /** Quoted in the reason instead of the matched words (a moment is named by its label). */
  label?: string;
  /** The agent's own words: only rules marked agentToo read them. */
  fromAgent?: boolean;
}

export interface ChurnContext {
  sentiment: Sentiment | null;
  /** Mean compound of the last third of the caller's speech; > 0 means the call ended on a good note. */
  lastThirdMean: number | null;
  resolved: boolean | null;
  resolvedExplanation: string | null;
  /** The recap outcome as written: a processed cancellation means the customer has left. */
  outcome?: string | null;
}

export interface ChurnAssessment {
  churnRisk: ChurnRisk;
  churnReasons: string[];
  explanation: string;
  /** The explicit signals that counted, for themes ("Cancellation", "Chargeback"). */
  signals: string[];
}

interface Found {
  kind: SignalKind | SoftKind;
  reason: string;
}

export function assessChurn(units: readonly ChurnEvidenceUnit[], ctx: ChurnContext): ChurnAssessment {
  const found: Found[] = [];
  const seenKinds = new Set<string>();
  for (const unit of units) {
    const lower = unit.text.toLowerCase();
    for (const rule of RULES) {
      if (seenKinds.has(rule.kind)) continue;
      if (unit.fromAgent && !rule.agentToo) continue;
      if (rule.onlyInNegativeUnit && unit.compound >= 0) continue;
      const haystack = rule.caseSensitive ? unit.text : lower;
      for (const m of haystack.matchAll(rule.pattern)) {
        if (!rule.selfNegating && isNegatedAt(lower, m.index)) continue;
        seenKinds.add(rule.kind);
        // Quote the words as written; lower-casing can change length outside ASCII, then quote the match.
        const asWritten = lower.length === unit.text.length ? unit.text.slice(m.index, m.index + m[0].length) : m[0];
        found.push({ kind: rule.kind, reason: `${unit.source} "${unit.label ?? clip(asWritten.trim(), 60)}"` });
        break;
      }
    }
  }

  const reasons: string[] = [];
  const kinds = new Set(found.map((f) => f.kind));
  const negativeCaller = ctx.sentiment === 'negative' || (ctx.sentiment === 'mixed' && (ctx.lastThirdMean ?? 0) < 0);
  const wonOver =
    ctx.resolved === true &&
    (ctx.sentiment === 'positive' || (ctx.sentiment === 'mixed' && (ctx.lastThirdMean ?? 0) > 0));

  // A cancellation or closure the call carried out is no longer a threat: the customer has left.
  const outcome = ctx.outcome ?? '';
  if (
    (kinds.has('cancellation') || kinds.has('close-account')) &&
    ctx.resolved === true &&
    /\b(?:cancell?ed|closed|terminated)\b|\b(?:cancell?ation|closure|termination)\b.*\b(?:processed|confirmed|completed|scheduled|done|actioned|effective)\b/i.test(
      outcome,
    ) &&
    !/\b(?:not|no|declined|paused?|retained|stay\w*)\b/i.test(outcome)
  ) {
    found.push({ kind: 'leaving', reason: `the outcome "${clip(outcome, 60)}" says the customer has left` });
  }

  const signals: Found[] = [];
  const mentions: string[] = [];
  for (const f of found) {
    if (f.kind === 'competitor-mention') {
      mentions.push(f.reason);
      continue;
    }
    if (!(f.kind in CHURN_SIGNAL_LEVELS)) continue;
    // The guide's refund rung is an angry demand left open; a calm or granted refund is no threat.
    if (f.kind === 'refund-demand' && (!negativeCaller || ctx.resolved === true)) continue;
    signals.push(f);
  }
  const critical = signals.filter((f) => CHURN_SIGNAL_LEVELS[f.kind as SignalKind] === 'critical');
  const high = signals.filter((f) => CHURN_SIGNAL_LEVELS[f.kind as SignalKind] === 'high');

  const context: string[] = [];
  for (const f of found) {
    // A repeat problem the call then fixed, leaving the caller content, is not dissatisfaction any more.
    if (f.kind === 'repeat' && !wonOver) context.push(`repeat problem: ${f.reason}`);
    if (f.kind === 'escalation-demand') context.push(`asked to escalate: ${f.reason}`);
  }
  if (negativeCaller) context.push("the caller's sentiment is negative");
  // A competitor named by a caller who is unhappy or left without what they wanted (a cheaper quote
  // brought up for a discount that was refused) is dissatisfaction, though not yet a threat.
  if (mentions.length > 0 && (negativeCaller || ctx.resolved === false)) {
    context.push(...mentions.map((m) => `competitor mentioned: ${m}`));
    mentions.length = 0;
  }
  if (ctx.resolved === false && (negativeCaller || context.length > 0)) {
    context.push(
      `the call ended unresolved${ctx.resolvedExplanation ? ` (${ctx.resolvedExplanation.replace(/\.$/, '')})` : ''}`,
    );
  }

  let churnRisk: ChurnRisk;
  let why: string;
  if (critical.length > 0) {
    churnRisk = 'critical';
    why = `${critical.map((f) => f.kind).join(', ')} → critical`;
  } else if (high.length > 0) {
    churnRisk = 'high';
    why = `${high.map((f) => f.kind).join(', ')} → high`;
  } else if (context.length > 0) {
    churnRisk = CHURN_LEVELS.withoutSignal;
    why = 'dissatisfaction but no explicit churn signal → medium';
  } else {
    churnRisk = CHURN_LEVELS.calm;
    why = 'no churn signal, no unresolved complaint, caller not negative → low';
  }
  reasons.push(...critical.map((f) => f.reason), ...high.map((f) => f.reason), ...context, ...mentions);
  const mentionNote = mentions.length > 0 ? ' (a competitor came up, with no threat from a content caller)' : '';
  return {
    churnRisk,
    churnReasons: reasons,
    explanation: `${why}${mentionNote}.`,
    signals: [...new Set([...critical, ...high].map((f) => f.kind))],
  };
}
