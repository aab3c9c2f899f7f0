// Churn risk: explicit signals in what the caller said (or what the recap says they said), plus the
// caller's sentiment and whether the call ended unresolved. Scoring is documented in src/ai/README.md.
import type { Sentiment } from './sentiment';
import { clip } from './sentiment';
import { isNegatedAt } from './text';

export type ChurnRisk = 'low' | 'medium' | 'high' | 'critical';

type SignalKind =
  | 'legal'
  | 'leaving'
  | 'close-account'
  | 'cancellation'
  | 'competitor'
  | 'chargeback'
  | 'supply-stop'
  | 'refund-demand';

type SoftKind = 'repeat' | 'escalation-demand';

interface SignalRule {
  kind: SignalKind | SoftKind;
  pattern: RegExp;
  /** The pattern itself contains its negation ("won't be ordering again"), so skip the negation check. */
  selfNegating?: boolean;
  /** Only counts in a unit that is itself negative: "again" in "thanks again" is not a repeat complaint. */
  onlyInNegativeUnit?: boolean;
  /** Match against the text as written: competitor names are only recognisable by their capitals. */
  caseSensitive?: boolean;
}

/** Points per explicit signal. Each kind counts once per call, however often it is said. */
export const CHURN_SIGNAL_POINTS: Readonly<Record<SignalKind, number>> = {
  legal: 6,
  leaving: 6,
  'close-account': 3,
  cancellation: 3,
  competitor: 3,
  chargeback: 3,
  'supply-stop': 3,
  'refund-demand': 2,
};

export const CHURN_LEVELS = {
  /** Context points (negative sentiment, unresolved, repeat complaint, escalation demand) count at most this much. */
  maxContextPoints: 2,
  /** Lowest total for each level once an explicit signal is present; without one the level is at most medium. */
  medium: 1,
  high: 3,
  critical: 6,
} as const;

const SERVICE_NOUN =
  '(?:subscription|account|contract|membership|service|plan|policy|direct debit|box|whole thing|everything|agreement|renewal|broadband|package)';
const NOT_AN_ORDER = '(?! (?:my |the |this |that |an |a |your |our |their )?(?:\\w+ )?order)';

const RULES: readonly SignalRule[] = [
  {
    kind: 'legal',
    pattern:
      /\b(?:solicitors?|lawyers?|attorneys?|legal (?:action|proceedings|advice)|take (?:you|this|it|them) to court|small claims|sue (?:you|them|the company)|suing|trading standards|ombudsman|better business bureau|consumer protection|regulator)\b/g,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:won't|will not|never) (?:be )?(?:ordering|order|buying|buy|shopping|shop|using|use|coming back|come back|dealing|deal|renewing|renew)\b(?: [\w']+){0,4}? again\b/g,
    selfNegating: true,
  },
  { kind: 'leaving', pattern: /\b(?:will not|won't|not) (?:be )?renew(?:ing)?\b/g, selfNegating: true },
  {
    kind: 'leaving',
    pattern: /\b(?:don't|do not) want anything (?:more |else )?to do with (?:you|them|the company)\b/g,
    selfNegating: true,
  },
  { kind: 'leaving', pattern: /\b(?:i'm|we're|i am|we are) done with (?:you|them)\b/g },
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
      `\\bcancel(?:l?ing|l?ed|lation of)? (?:(?:my|our|the|their|his|her|this|your) )?(?:\\w+ ){0,2}?${SERVICE_NOUN}\\b`,
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
      /\b[Ss]witch(?:ing|ed)? (?:over )?to (?:a |an )?(?:competitor|another|different|other|[A-Z][A-Za-z0-9&-]+)/g,
    caseSensitive: true,
  },
  {
    kind: 'competitor',
    pattern: /\b(?:look|looking|shop|shopping|go|going|take (?:my|our) business|move|moving) elsewhere\b/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:look(?:ing)? at|consider(?:ing)?|try(?:ing)?|talk(?:ing)? to|quotes? from) (?:other|another|different|alternative) (?:suppliers?|providers?|compan(?:y|ies)|vendors?|firms?|options)\b/g,
  },
  {
    kind: 'competitor',
    pattern: /\bcompetitors?\b|\bthinking (?:of|about) (?:leaving|switching|moving|cancelling)\b/g,
  },
  { kind: 'chargeback', pattern: /\bcharge ?backs?\b/g },
  {
    kind: 'chargeback',
    pattern:
      /\bdisput(?:e|ed|ing) (?:it |this |that |them |the (?:\w+ ){0,2})?with (?:my|the|our|their|his|her) (?:bank|card)/g,
  },
  { kind: 'chargeback', pattern: /\b(?:go|going) to (?:my|the|our) bank to dispute\b/g },
  {
    kind: 'supply-stop',
    pattern:
      /\b(?:put|putting|place|placing) (?:your|the|you|their) account on (?:stop|hold)\b|\bstop (?:supplying|delivering to|shipping to) you\b/g,
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
      /\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|umpteenth) (?:time|message|call|email|week running|month running)\b|\bin a row\b|\bkeeps? (?:happening|breaking|failing|crashing)\b|\b(?:yet|once) again\b|\bsame as last (?:time|week|month)\b|\brepeated(?:ly)?\b|\bchasing\b|\bstill (?:not|haven't|hasn't|waiting)\b/g,
    selfNegating: true,
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
}

export interface ChurnContext {
  sentiment: Sentiment | null;
  /** Mean compound of the last third of the caller's speech; > 0 means the call ended on a good note. */
  lastThirdMean: number | null;
  resolved: boolean | null;
  resolvedExplanation: string | null;
}

export interface ChurnAssessment {
  churnRisk: ChurnRisk;
  churnReasons: string[];
  explanation: string;
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
  const parts: string[] = [];
  let signalPoints = 0;
  for (const f of found) {
    if (f.kind in CHURN_SIGNAL_POINTS) {
      const points = CHURN_SIGNAL_POINTS[f.kind as SignalKind];
      signalPoints += points;
      reasons.push(f.reason);
      parts.push(`${f.kind} +${points}`);
    }
  }

  // A threat that the call then dealt with, leaving the caller content, is a smaller risk.
  const recovered =
    signalPoints > 0 &&
    ctx.resolved === true &&
    (ctx.sentiment === 'positive' || (ctx.sentiment === 'mixed' && (ctx.lastThirdMean ?? 0) > 0));
  if (recovered) {
    signalPoints -= 1;
    reasons.push('the issue was resolved and the caller ended satisfied');
    parts.push('recovered -1');
  }

  let contextPoints = 0;
  for (const f of found) {
    if (f.kind === 'repeat' || f.kind === 'escalation-demand') {
      contextPoints += 1;
      reasons.push(`${f.kind === 'repeat' ? 'repeat problem' : 'asked to escalate'}: ${f.reason}`);
      parts.push(`${f.kind} +1`);
    }
  }
  if (ctx.sentiment === 'negative') {
    contextPoints += 1;
    reasons.push("the caller's sentiment is negative");
    parts.push('negative sentiment +1');
  }
  if (ctx.resolved === false) {
    contextPoints += 1;
    reasons.push(
      `the call ended unresolved${ctx.resolvedExplanation ? ` (${ctx.resolvedExplanation.replace(/\.$/, '')})` : ''}`,
    );
    parts.push('unresolved +1');
  }
  const counted = Math.min(contextPoints, CHURN_LEVELS.maxContextPoints);

  let churnRisk: ChurnRisk;
  let total: number;
  if (signalPoints <= 0) {
    total = counted;
    churnRisk = counted > 0 ? 'medium' : 'low';
  } else {
    total = signalPoints + counted;
    churnRisk =
      total >= CHURN_LEVELS.critical
        ? 'critical'
        : total >= CHURN_LEVELS.high
          ? 'high'
          : total >= CHURN_LEVELS.medium
            ? 'medium'
            : 'low';
  }

  const capNote = contextPoints > counted ? ` (context capped at ${CHURN_LEVELS.maxContextPoints})` : '';
  const noSignal = signalPoints <= 0 ? '; no explicit churn signal, so at most medium' : '';
  return {
    churnRisk,
    churnReasons: reasons,
    explanation: parts.length
      ? `score ${total} → ${churnRisk}: ${parts.join(', ')}${capNote}${noSignal}.`
      : 'no churn signal, neutral or positive caller, not unresolved → low.',
  };
}
