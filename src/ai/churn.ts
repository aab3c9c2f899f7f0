// Churn risk: explicit signals in what the caller said (or what the recap says they said), plus the
// caller's sentiment and whether the call ended unresolved. Scoring is documented in src/ai/README.md.
import type { SignalKind, SoftKind } from './churn-rules';
import { RULES } from './churn-patterns';
import {
  CHURN_LEVELS,
  CHURN_SIGNAL_LEVELS,
  CHOSE_US,
  NOT_PUT_RIGHT,
  NOT_SAID,
  ONE_BOOKING,
  PRICE_MATCHED,
  PROVIDER_MOVED_AWAY,
  REMEDIED,
  RETAINED,
  SERVICE_NOUN,
  STANDING_WORD,
  wonBack,
} from './churn-rules';
import type { Sentiment } from './sentiment';
import { clip } from './sentiment';
import { isNegatedAt } from './text';

export type ChurnRisk = 'low' | 'medium' | 'high' | 'critical';
export { CHURN_LEVELS, CHURN_SIGNAL_LEVELS } from './churn-rules';

/**
 * Whether the sentence around a match puts it under a condition ("if I'm short one more time I'm taking
 * my account to FreshLine", "I'm switching unless you match it"): a threat, not a decision.
 */
function isConditional(text: string, index: number): boolean {
  const start = Math.max(0, ...['.', '!', '?'].map((p) => text.lastIndexOf(p, index - 1) + 1));
  const endAt = ['.', '!', '?'].map((p) => text.indexOf(p, index)).filter((i) => i >= 0);
  // "back in May" names the month, not a maybe.
  const sentence = text
    .slice(start, endAt.length ? Math.min(...endAt) : text.length)
    .replace(/(?<=\S\s+)May\b/g, 'month')
    .toLowerCase();
  // Asking what notice leaving takes ("how much notice is needed not to renew") is a plan, not the decision.
  return /\b(?:if|unless|otherwise|or else|until|should you|considering|thinking|might|may|could|how much notice|what notice|notice (?:is |would be )?(?:needed|required))\b/.test(
    sentence,
  );
}

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
  /**
   * The recap's outcome or one of its purposes (short labels): only rules marked `outcomeOnly` read them, and
   * they read nothing else.
   */
  fromOutcome?: boolean;
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
  /**
   * What the call says that makes talk of leaving something else (one booking cancelled, a prospect
   * shopping around, the customer kept, a content caller naming a rival...): the learned churn check
   * does not overrule the rules on such a call.
   */
  lookAlikes: string[];
}

interface Found {
  kind: SignalKind | SoftKind;
  reason: string;
  mentionWhenWonOver?: boolean;
}

/** A service, not one booking: what a cancellation of the relationship names. */
const SERVICE_MENTION = new RegExp(
  `\\b${SERVICE_NOUN}\\b|\\b(?:standing|regular|recurring|weekly|fortnightly|monthly)\\b`,
  'i',
);
// One booking, said in the singular: "the rest of Finn's lessons" or "Lessons cancelled" is the series.
const ONE_BOOKING_CANCELLED = new RegExp(
  `\\b${ONE_BOOKING}\\b[^.;]*\\bcancell?(?:ed|ation)\\b|\\bcancel(?:l?ed|l?ing)?\\b (?:(?:the|her|his|their|a|an|our|my) )?(?:(?!(?:${STANDING_WORD}|if|unless|when|because|but|and|or)\\b)[\\w:.'’-]+ ){0,4}?${ONE_BOOKING}\\b`,
  'i',
);

/** A service named as kept beside the booking cancelled: "making clear she is keeping her membership". */
const SERVICE_KEPT = new RegExp(
  `\\b(?:keep(?:s|ing)?|not cancell?ing|not the|not (?:her|his|their|my|our)) (?:the |her |his |their |my |our )?${SERVICE_NOUN}\\b`,
  'gi',
);

/** Coming back for more: "will book again", "booking again in August", "she will rebook"; never "won't book again". */
const BOOK_AGAIN =
  /(?<!(?:\bnever|\bnot|n't|\bno)\b[^.?!]{0,20})\b(?:(?:re-?)?book(?:ing)? (?:again|another)|(?:she|he|they|i|we|caller|customer|client|patient)(?: will|'ll| is going to| plans to| wants to) re-?book)\b/i;

/** Someone else's customer: "my current place", "our current supplier". */
const PROSPECT =
  /\b(?:my|our) current (?:place|provider|salon|dentist|gym|supplier|company|hairdresser|barber|vet|doctor|clinic|one|guy|girl|person|agency|accountant|firm|cleaner|plumber)\b|\b(?:i|we) need an? [\w-]+(?: [\w-]+)?,? (?:just )?(?:kinda |kind of |sort of )?(?:shopping|looking) around\b|\b(?:shopping|looking) around,? (?:and )?what do you (?:have|do|offer|charge)\b/i;

/**
 * A booking moved, not dropped: "Appointment rebooked", "rescheduled to Thursday", "Booking moved to last
 * weekend of August".
 */
const REBOOKED =
  /\bre-?booked\b|\bre-?scheduled\b|\b(?:booking|appointment|reservation|session|lesson|class|visit|stay|slot)s? (?:was |were |has been |have been |is |are )?(?:moved|changed|switched|swapped|shifted) (?:to|for)\b|\bmov(?:e|ed|ing) (?:(?:the|his|her|their|my|our|[\w-]+'s) )?(?:booking|appointment|reservation|session|lesson|visit|stay|slot)\b|\b(?:moved|rescheduled|pushed back|put back|shifted) to (?:next |the following )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)\b|\bmoved from \w+(?:'s)? to \w+(?:'s)? (?:[\w-]+ )?(?:booking|appointment|reservation|session|lesson|class|visit|slot)\b/i;
/** Paying another way, not leaving: "switch from monthly payments to paying the year upfront". */
const PAYMENT_SWITCH =
  /\bswitch(?:ing|ed)? (?:from [\w-]+ (?:payments?|billing|debits?) )?to (?:annual|yearly|upfront|up-front|quarterly|monthly) (?:payments?|billing|plan)\b|\bpayment (?:plan|method) change\b/i;
/** Back after trying a rival: "is coming back", "I'm coming back", "a returning customer". */
const RETURNED =
  /\b(?:is|are|was|were|i'm|i am|we're|we are|she's|he's|they're) (?:now )?coming back (?:to (?:us|you|the \w+)|after|with)\b|\b(?:is|are|i'm|we're) coming back\b(?=[^.?!]*\b(?:cheaper|switched|tried|rival|competitor|experience|disaster)\b)|(?<=\b(?:switched|moved|went)\b[^.?!]{0,80}?)\b(?:is|are|i'm|we're|has|have) (?:now )?(?:coming|come) back\b|\breturning (?:customer|client)\b/i;
/**
 * Kept, as a fact and not an attempt ("Customer retained at a lower premium", "she decided to keep the
 * policy", "no, don't cancel"), unlike "called to try to retain her" or "declined an offer to retain her".
 */
const KEPT_ON_THE_CALL =
  /\b(?:customer|client|caller|member|tenant|patient|account|subscription|policy|contract|plan|membership|she|he|they)(?: [\w-]+){0,3}? (?:was |were |is |has been |have been )?retained\b(?! (?:an?|the|my|her|his|their) )|^\s*(?:[\w-]+ )?retained\b|\b(?:decided|agreed|chose) to (?:stay|keep (?:it|the|her|his|their|my|our))\b|\b(?:will|'ll) stay\b|\bdon'?t cancel\b|\bchanged (?:her|his|their|my|our) mind\b/i;
/** One policy or service of several cancelled, the rest kept: "her home policy is unaffected". */
const OTHERS_KEPT =
  /\b(?:her|his|their|the|my|our|your) (?:other|home|house|car|motor|van|business|personal|contents|life|pet|travel|second) (?:policy|policies|insurance|account|service|plan|membership|line|subscription)s? (?:is|are|remains?|stays?|will (?:stay|remain)) (?:unaffected|unchanged|in place|active|open|as (?:it|they) (?:is|are))\b|\bkeep(?:s|ing)? (?:her|his|their|the|my|our) (?:other|home|house|business|personal) (?:policy|insurance|account|service|plan|membership|line|subscription)\b/i;
/**
 * Care ended because the need has gone ("my shoulder is completely back to normal", "her back pain has
 * gone"): stopping the sessions or the follow-up is the treatment's natural end, not leaving. Not a condition:
 * "he will cancel at the end of the month unless the problem is gone" (tune45).
 */
const NEED_GONE =
  /\b(?:fully|completely|totally) (?:recovered|healed|better)\b|\bback to normal\b|(?<!\b(?:unless|if|until|till|once|when|whether) (?:the |his |her |their |my |our |your )?)\b(?:pain|symptoms?|injury|problem|issue|rash|infection)s? (?:has|have|is|are) (?:gone|cleared|resolved|healed)\b|\bno (?:more )?pain\b|\ball better\b/i;
/** What the caller was about to do and did not: "I was about ready to just go somewhere else". */
const NEAR_MISS =
  /\b(?:i|we|she|he|they) (?:was|were)(?: just| about| just about| nearly| almost| so| this| that)? (?:ready|about|going|gonna|close) to (?:just |actually |really )?$/;
/** A fee for a late cancellation is about one booking: "I cancelled on the seventh, by email". */
const LATE_CANCELLATION = /\blate[- ]cancell?ation\b|\bcancell?ation (?:fee|charge)\b/i;
/** An outcome that records a refund as given, not asked for or pending. */
const REFUND_GRANTED =
  /(?<!\b(?:be|been|being|not|never) )\brefunded\b(?! (?:if|when|once|after|pending)\b)|\brefund(?:ed)?\b(?:[^.;]*?\b(?:processed|issued|granted|approved|given|sent|paid|confirmed|agreed)\b)|\b(?:processed|issued|granted|approved|gave|paid)\b[^.;]*?\brefund\b/i;
/** A supplier's stop taken off on the call: "I'm lifting the stop now", "stop lifted after payment". */
const STOP_LIFTED =
  /(?<!\b(?:to|will|'ll|can|could|would|once|when|until) )\blift(?:ed|ing|s)? (?:the |your |that )?(?:stop|hold)\b(?! (?:once|when|after|if|as soon as)\b)|(?<!\b(?:get|getting|have|having) (?:the |your |that )?)\b(?:stop|hold) (?:was |has been |is |now )?(?:lifted|removed|released)\b/i;

export function assessChurn(units: readonly ChurnEvidenceUnit[], ctx: ChurnContext): ChurnAssessment {
  const found: Found[] = [];
  const seenKinds = new Set<string>();
  for (const unit of units) {
    // A dropped g reads as the g ("I'm callin' my lawyer"); the same length, so offsets hold.
    const lower = unit.text.toLowerCase().replace(/(?<=[a-z]{2})in'(?![a-z])/g, 'ing');
    for (const rule of RULES) {
      if (seenKinds.has(rule.kind)) continue;
      if (unit.fromAgent && !rule.agentToo) continue;
      if (Boolean(unit.fromOutcome) !== Boolean(rule.outcomeOnly)) continue;
      if (rule.onlyInNegativeUnit && unit.compound >= 0) continue;
      const haystack = rule.caseSensitive ? unit.text : lower;
      for (const m of haystack.matchAll(rule.pattern)) {
        if (!rule.selfNegating && isNegatedAt(lower, m.index, 3, true)) continue;
        // What was not done: "I'm calling instead of sending a lawyer letter"; what was not said: "without
        // saying they would leave", "I'm not saying we'll switch".
        if (/\b(?:instead of|rather than) $/.test(lower.slice(Math.max(0, m.index - 12), m.index))) continue;
        if (NOT_SAID.test(lower.slice(Math.max(0, m.index - 40), m.index))) continue;
        if (
          rule.personal &&
          lower.length === unit.text.length &&
          /\s[A-Z]/.test(unit.text.slice(m.index, m.index + m[0].length))
        )
          continue;
        const kind = rule.ifConditional && isConditional(unit.text, m.index) ? rule.ifConditional : rule.kind;
        if (kind !== rule.kind && seenKinds.has(kind)) break;
        seenKinds.add(kind);
        // Quote the words as written; lower-casing can change length outside ASCII, then quote the match.
        const asWritten = lower.length === unit.text.length ? unit.text.slice(m.index, m.index + m[0].length) : m[0];
        // A near miss told in the past ("I was about ready to go somewhere else") is a threat only if the
        // call did not win the caller over.
        const nearMiss = NEAR_MISS.test(lower.slice(Math.max(0, m.index - 40), m.index));
        found.push({
          kind,
          reason: `${unit.source} "${unit.label ?? clip(asWritten.trim(), 60)}"`,
          ...(rule.mentionWhenWonOver || nearMiss ? { mentionWhenWonOver: true } : {}),
        });
        break;
      }
    }
  }

  const reasons: string[] = [];
  const lookAlikes = new Set<string>();
  /** Drops the signals found that what else the call says explains away. */
  const drop = (explainedAway: (f: Found) => boolean) => {
    for (let i = found.length - 1; i >= 0; i--) if (explainedAway(found[i]!)) found.splice(i, 1);
  };
  const outcome = ctx.outcome ?? '';
  const recap = units.filter((u) => u.source === 'the recap says' || u.source === 'action item').map((u) => u.text);
  const callerSide = [outcome, ...units.filter((u) => !u.fromAgent).map((u) => u.text)];
  // An outcome or a recap that cancelled one booking ("Class booking cancelled", "after cancelling the
  // move"), moved it, switched how it is paid or charged a late-cancellation fee says what a bare "I need
  // to cancel" or "I cancelled it" was about: that booking, not the relationship. A standing order is a
  // service.
  /** Names no service and no series ("the rest of", "all of"): one booking is all it can be about. */
  const oneBookingOnly = (t: string) =>
    !SERVICE_MENTION.test(t.replace(SERVICE_KEPT, '')) && !/\b(?:rest|remaining|all)\b/i.test(t);
  if (
    [...outcome.split(/\s*;\s*/), ...recap].some(
      (t) =>
        (ONE_BOOKING_CANCELLED.test(t) || REBOOKED.test(t) || PAYMENT_SWITCH.test(t) || LATE_CANCELLATION.test(t)) &&
        oneBookingOnly(t),
    )
  ) {
    lookAlikes.add('one booking');
    drop((f) => f.kind === 'cancellation' && !SERVICE_MENTION.test(f.reason));
  }
  // The caller's own sentence that cancelled a booking ("Coco's dental surgery, but we cancelled it") says
  // what its "we cancelled" was about.
  const oneOff = callerSide.filter((t) => ONE_BOOKING_CANCELLED.test(t) && oneBookingOnly(t));
  if (oneOff.length > 0) lookAlikes.add('one booking');
  const quoted = (reason: string) => /"([^"]+)"/.exec(reason)?.[1];
  drop((f) => {
    const q = f.kind === 'cancellation' ? quoted(f.reason) : undefined;
    return q !== undefined && oneOff.some((t) => t.includes(q));
  });
  // A caller who will book again ("I go book again when I come back in August", "she will book again")
  // cancelled that booking, not us (tune29).
  if ([...callerSide, ...recap].some((t) => BOOK_AGAIN.test(t))) {
    lookAlikes.add('booking again');
    drop((f) => f.kind === 'cancellation');
  }
  // A prospect shopping around names someone else's business as theirs ("not that I'm unhappy with my current
  // place, just looking around") or asks what we have ("I need a unit, just shopping around"): not leaving us.
  if (callerSide.some((t) => PROSPECT.test(t))) {
    lookAlikes.add('prospect');
    drop((f) => f.kind === 'competitor' && /\baround\b/i.test(f.reason));
  }
  // A prospect's last provider who moved away: the move quoted is theirs.
  const providerGone = callerSide.filter((t) => PROVIDER_MOVED_AWAY.test(t));
  if (providerGone.length > 0) {
    lookAlikes.add('previous provider moved');
    drop((f) => f.kind === 'leaving' && providerGone.some((t) => t.includes(quoted(f.reason) ?? '\0')));
  }
  // A customer back from a rival ("had a poor experience and is coming back", "returning customer"): the switch,
  // and the cancellation told ("I cancelled my box in the spring", tune60), are over, in our favour.
  if (callerSide.some((t) => RETURNED.test(t)) || wonBack(callerSide)) {
    lookAlikes.add('back from a rival');
    drop((f) => f.kind === 'competitor' || f.kind === 'leaving' || f.kind === 'cancellation');
  }
  // A cancellation of one policy or service while the others stay is not leaving the relationship.
  if (callerSide.some((t) => OTHERS_KEPT.test(t))) {
    lookAlikes.add('other services kept');
    drop((f) => f.kind === 'cancellation');
  }
  // Care stopped because the need has gone is its natural end.
  if (callerSide.some((t) => NEED_GONE.test(t))) {
    lookAlikes.add('need gone');
    drop(
      (f) =>
        (f.kind === 'cancellation' || f.kind === 'leaving') && /\b(?:stop|no longer|don't need|cancel)/i.test(f.reason),
    );
  }
  // A supplier's stop lifted on the call (the balance paid) no longer stands.
  if ([outcome, ...units.map((u) => u.text)].some((t) => STOP_LIFTED.test(t))) {
    lookAlikes.add('stop lifted');
    drop((f) => (f.kind === 'leaving' || f.kind === 'supply-stop') && /\bon (?:stop|hold)\b/i.test(f.reason));
  }
  // A refund the call granted ("Full refund processed") with no demand the rules heard: settled, not leaving.
  if (ctx.resolved === true && REFUND_GRANTED.test(outcome)) lookAlikes.add('a calm or granted refund');
  const kinds = new Set(found.map((f) => f.kind));
  // A caller whose mood swung and ended low is dissatisfied, unless the recap says the call put it right and nothing
  // was left standing: then the swing was the complaint and its remedy (the guide's complaint resolved, low).
  const recapText = [outcome, ...recap].join(' ');
  const putRight = ctx.resolved === true && REMEDIED.test(recapText) && !NOT_PUT_RIGHT.test(recapText);
  const negativeCaller =
    ctx.sentiment === 'negative' || (ctx.sentiment === 'mixed' && (ctx.lastThirdMean ?? 0) < 0 && !putRight);
  const wonOver =
    ctx.resolved === true &&
    (ctx.sentiment === 'positive' ||
      (ctx.sentiment === 'mixed' && (ctx.lastThirdMean ?? 0) > 0) ||
      (ctx.sentiment === 'neutral' && PRICE_MATCHED.test(outcome)) || // a calm caller given the rival's price
      (ctx.sentiment !== 'negative' && CHOSE_US.test(recapText))); // "choosing it over a cheaper competitor quote"

  // A cancellation or closure the call carried out is no longer a threat: the customer has left.
  let leftPerOutcome = false;
  if (
    (kinds.has('cancellation') || kinds.has('close-account')) &&
    ctx.resolved !== null &&
    /\b(?:cancell?ed|closed|terminated)\b|\b(?:cancell?ation|closure|termination)\b.*\b(?:processed|confirmed|completed|scheduled|done|actioned|effective|logged|lodged|recorded)\b|\bnotice (?:accepted|given|served|acknowledged)\b/i.test(
      outcome,
    ) &&
    !/\b(?:not|no|declined|paused?|retained|stay\w*|continu\w*|resum\w*|as (?:normal|usual)|frozen|freez\w*|instead of|on hold|suspend\w*)\b/i.test(
      outcome,
    )
  ) {
    found.push({ kind: 'leaving', reason: `the outcome "${clip(outcome, 60)}" says the customer has left` });
    leftPerOutcome = true;
  }

  // Without such an outcome, a cancellation the agent carried out on the call (the call resolved the
  // caller's request) is the same decision, unless the caller was kept ("I'll stay for now").
  const kept = units.some((u) => !u.fromAgent && RETAINED.test(u.text));
  if (kept) lookAlikes.add('customer kept');
  if (
    kinds.has('cancellation') &&
    !found.some((f) => f.kind === 'leaving') &&
    ctx.resolved === true &&
    !ctx.outcome &&
    !kept
  ) {
    found.push({ kind: 'leaving', reason: 'the cancellation was carried out on the call' });
  }

  const signals: Found[] = [];
  const mentions: string[] = [];
  for (const f of found) {
    if (f.kind === 'competitor-mention' || (f.mentionWhenWonOver && wonOver)) {
      if (f.mentionWhenWonOver && wonOver) lookAlikes.add('a caller won over named a rival');
      mentions.push(f.reason);
      continue;
    }
    if (!(f.kind in CHURN_SIGNAL_LEVELS)) continue;
    // The guide's refund rung is an angry demand left open; a calm or granted refund is no threat.
    // A caller whose mood swung (mixed) and whose demand stayed open (not resolved) was angry enough.
    const angryEnough = negativeCaller || (ctx.sentiment === 'mixed' && ctx.resolved === false);
    if (f.kind === 'refund-demand' && (!angryEnough || ctx.resolved === true)) {
      // Granted, the refund is something else than leaving; refused and left open, a calm demand is no
      // rules threat, but the recap may say what the rules missed ("she would raise it with her card company").
      if (ctx.resolved !== false) lookAlikes.add('a calm or granted refund');
      continue;
    }
    signals.push(f);
  }
  // A caller kept on the call ("she decided to keep the policy", "Customer retained") had said she was
  // leaving and did not: the guide's stated plan to cancel (high), not a decision to leave (critical).
  const keptNow = !leftPerOutcome && callerSide.some((t) => KEPT_ON_THE_CALL.test(t));
  const levelOf = (f: Found) => (keptNow && f.kind === 'leaving' ? 'high' : CHURN_SIGNAL_LEVELS[f.kind as SignalKind]);
  const critical = signals.filter((f) => levelOf(f) === 'critical');
  const high = signals.filter((f) => levelOf(f) === 'high');

  const context: string[] = [];
  for (const f of found) {
    // A repeat problem the call then fixed, leaving the caller pleased, is not dissatisfaction any more; a
    // caller only relieved (mixed: 'the second failure') still has a repeat problem (the guide's medium).
    if (f.kind === 'repeat' && !(wonOver && ctx.sentiment === 'positive')) context.push(`repeat problem: ${f.reason}`);
    if (f.kind === 'escalation-demand' && !wonOver) context.push(`asked to escalate: ${f.reason}`);
  }
  if (negativeCaller) context.push("the caller's sentiment is negative");
  // A competitor named by a caller who is unhappy or left without what they wanted (a cheaper quote
  // brought up for a discount that was refused) is dissatisfaction, though not yet a threat.
  if (mentions.length > 0 && (negativeCaller || ctx.resolved === false)) {
    context.push(...mentions.map((m) => `competitor mentioned: ${m}`));
    mentions.length = 0;
  }
  // A caller whose mood swung (mixed) over a complaint the call left open is the guide's unresolved complaint.
  const swungAndOpen = ctx.resolved === false && ctx.sentiment === 'mixed';
  // So is a complaint the recap files the call under ("No-show complaint") and the call left open, and a
  // supplier's price rise it left unaccepted ("Price increase notice"; "Price rise notified; not yet accepted").
  const filedOpen =
    ctx.resolved === false &&
    units.some((u) => u.fromOutcome && /\b(?:complaint|price (?:increase|rise|hike)s?)\b/i.test(u.text));
  if (ctx.resolved === false && (negativeCaller || swungAndOpen || filedOpen || context.length > 0)) {
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
    lookAlikes: [...lookAlikes],
  };
}
