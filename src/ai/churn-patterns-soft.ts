// The churn signals about money and the softer signs, read after the threats of churn-patterns.ts: a
// competitor's quote and a competitor named, a chargeback threatened, a supplier's stop on the account, an
// angry refund demand, a repeat problem and a demand to escalate. Kept in the same order in RULES
// (churn-patterns.ts spreads these last).
import type { SignalRule } from './churn-rules';

export const MONEY_AND_SOFT_RULES: readonly SignalRule[] = [
  // A competitor's quote brought to the call is a threat to switch, unless the caller was won over by the
  // end (price matched, content, resolved): then it is a mention ("match a competitor quote from TechHive").
  { kind: 'competitor', pattern: /\bcompetitor(?:'s)? quotes?\b/g, mentionWhenWonOver: true },
  // A competitor named is not a threat by itself (a customer who switched to us names the old supplier);
  // from a caller who is unhappy or left with the problem unsolved it is dissatisfaction (medium).
  { kind: 'competitor-mention', pattern: /\bcompetitors?\b/g },
  { kind: 'chargeback', pattern: /\bcharge ?backs?\b/g },
  {
    kind: 'chargeback',
    pattern:
      /(?<!\b(?:nearly|almost|close to) )\bdisput(?:e|ed|ing) (?:it |this |that |them |the (?:\w+ ){0,2})?with (?:my|the|our|their|his|her) (?:credit )?(?:bank|card)/g,
  },
  {
    kind: 'chargeback',
    pattern:
      /\b(?:go|going) to (?:my|the|our|his|her|their) bank (?:to (?:dispute|reverse|recover)\b|and (?:get|getting) (?:it|them|the (?:money|payment|charge)) (?:reversed|back)\b)|(?<!\b(?:nearly|almost|close to|close to just) )\b(?:calling|ringing|phoning|contacting|call|ring|phone|contact) (?:(?:my|our|the) bank|(?!(?:you|back|him|her|them|us|again|someone|somebody)\b)[\w&'-]+) and disput(?:e|ing)\b/g,
  },
  {
    kind: 'chargeback',
    pattern:
      /\b(?:dispute|reverse|contest) (?:it|the charge|the payment|this|that|the transaction) (?:with|through) (?:my|the|our) (?:bank|card|credit card|card company|card provider|amex|visa|mastercard|paypal)\b/g,
  },
  {
    kind: 'chargeback',
    pattern:
      /\b(?:tell|ask|get) (?:my|the|our) bank to (?:block|stop|cancel|reverse)\b|\bblock the payments?\b|\b(?:will|'ll|going to|gonna|would|'d) (?:dispute|contest|reverse) (?:the|this|that|my|his|her|their) (?:[\w$£€,.-]+ ){0,3}?(?:card|credit card|visa|amex|mastercard) (?:charge|payment|transaction)s?\b/g,
  },
  // A supplier's stop, done or threatened: the account on stop or hold, deliveries stopped, "we put you on
  // stop", "we withdraw the credit" (tune56; not a credit note withdrawn, not a caller put on hold).
  {
    kind: 'supply-stop',
    pattern:
      /\b(?:put|putting|place|placing|placed) (?:your|the|you|their) account on (?:stop|hold)\b(?! (?:to (?:prevent|stop|avoid)|so (?:that )?(?:you|he|she|they|there|it)|while (?:we|it|it's|he|she|they|the))\b)|\baccount will be (?:placed |put )?on (?:stop|hold)\b|\b(?:move|moving|put|putting|switch|switching) (?:you|your account|the account) (?:(?:on ?)?to|on) (?:pro-?forma|prepay\w*|cash on delivery|cod|upfront|payment up ?front)\b|\baccount (?:has been |had been |is now |is |was |remains )?(?:placed |put )?on (?:credit )?stop\b|\b(?:put|putting|placed|placing) a credit (?:stop|hold) on (?:you|your account|the account|us|our account)\b|\baccount (?:has been|had been|is now|was|remains) (?:placed |put )?on hold\b|\bstop (?:supplying|delivering to|shipping to) you\b|\b(?:have to|will|going to|gonna) stop (?:deliveries|delivering|supplying|supply|shipping)\b|\bdeliveries will stop\b|\baccount (?:goes|will go|is going|would go|'ll go|'s going) on (?:stop|hold)\b|\b(?:further |all |any )?(?:supplies|supply|deliveries|shipments) (?:will|would|shall)(?: then)? (?:be )?(?:stopped|suspended|halted|cease)\b|\bno (?:more |further )?deliveries (?:from|after|until|till)\b|\b(?:hold|holding|withhold|withholding|pause|pausing|suspend|suspending) (?:further|future|all|any) (?:deliveries|supplies|shipments|orders)\b(?: [\w']+){0,3}? until\b|\b(?:won't|will not|can't|cannot|wouldn't) (?:be able to )?(?:supply|deliver to|ship to) you\b|\bno (?:more |further )?(?:orders|deliveries|shipments) (?:going out|will (?:go out|ship|be (?:sent|shipped|released)))\b|\bloss of supply\b|\b(?:put|putting|place|placing|placed) (?:you|them|him|her|us) on (?:credit )?stop\b|\bwithdraw(?:s|ing|n)? (?:the|your|their|our) credit\b(?! notes?\b)|\bcredit (?:terms|facility|line|account) (?:will be |would be |is |are |has been |have been )?withdrawn\b/g,
  },
  // Further orders only against cash: "further orders will be cash on delivery until the balance is paid" (tune60).
  {
    kind: 'supply-stop',
    pattern:
      /\b(?:further|future|all|any|new) (?:orders|deliveries|supplies|shipments) (?:will|would|shall|must|are to|have to|need to)(?: now| then)? (?:be|go) (?:on )?(?:cash on delivery|c\.?o\.?d\b|pro-?forma|prepaid|paid (?:up ?front|in advance)|cash (?:up ?front|with order))/g,
  },
  {
    kind: 'refund-demand',
    pattern:
      /\b(?:want|need|demand|demanded|demanding|demands|expect|insist(?:ed|s)? on|entitled to|asking for|asked for|give me) (?:a |an |my |the |that |this )?(?:full |complete |proper )?refund\b/g,
  },
  {
    kind: 'refund-demand',
    pattern:
      /\bwant (?:that|the|this|my|it) (?:\w+ )?refunded\b|\b(?:my|our|their) (?:[\w-]+ )?(?:money|deposit) back\b|\b(?:want|need|demand|expect) (?:my|our) (?:[\w-]+ ){1,5}?(?:dollars|pounds|quid|euros|bucks|rand) back\b|\brefund me\b|\b(?:demand(?:ed|s|ing)?|insist(?:ed|s|ing)? on) (?:the |his |her |their |my )?(?:full |whole |entire )?(?:cost|price|amount|money|fare)\b[^.;]{0,40}?\bback\b/g,
  },
  {
    kind: 'repeat',
    pattern:
      /\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|umpteenth) (?:(?:\w+ )?(?:time|message|voicemail|call|email|week running|month running|delivery|order|outage|fault|visit|complaint|failure|repair|collection|pickup|pick-up|appointment|installation|mistake|error|breakdown|leak|no-show|overcharge|shipment|delay|problem|issue)s?)\b|\b(?:has|had|have) again (?:failed|missed|forgotten|not)\b|\b(?:failed|missed|forgot|forgotten) (?:\w+ ){0,3}?again\b|\bin a row\b|\b(?:had|has|have|having) to (?:come|go|bring it|take it|send it) back (?:twice|three times|again|a second time|a third time)\b|\b(?:started|starting|is|are|was|keeps?|kept) (?:flicker|leak|drip|crash|fail|break|jamm?|squeak|rattle|overheat|tripp?|freez|block|peel|crack|fad|play(?:ing)? up|act(?:ing)? up)(?:ing)? again\b|(?:\b(?:has|have|had)|'s|'ve) (?:stopped(?: working)?|packed (?:in|up)|conked out|broken(?: down)?|died|failed|cut out|gone) again\b|\b(?:twice|three times) in (?:a|one|the same) (?:week|fortnight|month)\b|\bkeeps? (?:happening|breaking|failing|crashing|dropping|not being)\b|\b(?:yet|once) again\b|\bsame as last (?:time|week|month)\b|\brepeated(?:ly)?\b|\b(?:i'm|i am|i've been|we've been|been) chasing\b|\bstill (?:not|haven't|hasn't|waiting|leaking)\b|\b(?:emailed|called|rung|rang|phoned|written) (?:you |them )?(?:twice|three times|four times|several times)\b/g,
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
