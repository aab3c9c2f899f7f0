// The phrasings of each churn signal, in the order churn.ts reads them (the first rule of a kind that
// matches a unit is the reason quoted). The signal kinds, the ladder and the shared noun lists are in
// churn-rules.ts; src/ai/README.md lists the signals.
import type { SignalRule } from './churn-rules';
import { PLAN_RULES } from './churn-patterns-plans';
import { MONEY_AND_SOFT_RULES } from './churn-patterns-soft';
import { NOT_AN_ORDER, NOT_ANOTHER_BUSINESS, SERVICE_NOUN } from './churn-rules';

export const RULES: readonly SignalRule[] = [
  // A lawyer is a threat when the caller brings one in against us ("my solicitor will be in touch", "I'll
  // speak to a lawyer"), not when one is a third party on the matter ("the solicitor is waiting on the
  // documents") or part of a firm's name ("Naidoo Attorneys").
  {
    kind: 'legal',
    pattern:
      /\b(?:(?:my|our|their|his|her|a|the family's) (?:solicitors?|lawyers?|attorneys?|legal counsel)(?= (?:to )?(?:will|'ll|would|'d|is going to|are going to|letter|involved|about|on this|says|said|advised|look at|looks at|review|reviews|go through|check|is drafting|'s drafting|drafting|has drafted|is writing|is preparing)\b)|(?<!\basked (?:the|our|your) (?:agent|agency|office|team|staff|business|firm|company) to (?:[\w,']+ ){0,8}?)(?:speak|speaking|spoke|spoken|talk|talking|talked|consulted|get|getting|call|calling|contact|contacting|consult|consulting|ring|ringing|see|seeing|instruct|instructed|instructing|engaged|engaging|hired|retained|contacted|called|rang|involve|involved|involving|hear from|pass|passed|passing|hand|handed|handing|refer|referred|referring|forward|forwarded|forwarding|send|sent|sending|emailed|emailing|take|taking|have|having)(?: (?:this|it|that|the matter|the debt|the account|the contract|the invoice|the file|the case|the paperwork|the emails|everything|them|you|(?:the )?(?:photos|pictures|evidence|documents))(?: this morning| today| already)?)?(?: (?:to|with|on to|over to))? (?:(?:my|our|their|his|her|a) )?(?:solicitors?|lawyers?|attorneys?|legal counsel)\b)/g,
    personal: true,
  },
  {
    kind: 'legal',
    pattern:
      /\b(?:legal (?:action|proceedings|advice|notice)|letter before action|consumer (?:court|forum)|file a case (?:in|with|at)|take (?:you|this|it|them) to court|magistrate(?:'s|s'|s)?\b|(?:take|taking|took|go|going|went|file|filing|proceed(?:ing)? to|see (?:you|ye|them) in|hear(?:ing)? from) (?:[\w'-]+ ){0,4}?(?:the )?(?:county|district|housing|civil|circuit) court|small claims|tribunal|sue (?:you|them|the company)|suing|trading standards|ombudsman|(?:legal )?complaints? (?:commission|authority)|better business bureau|bbb|accc|fair trading|consumer (?:protection|affairs|council|rights|and business services)|the (?:[\w'-]+ ){0,3}?(?<!\b(?:propane|gas|pressure|voltage|lpg|flow|fuel|oxygen|two-stage|single-stage|water|bbq|grill) )regulator(?! (?:thing|valve|part|unit|bit|spring|knob|dial|hose|fitting|kit)s?\b)|(?:to|with) regulator|regulator complaint|ofcom|ofgem|ftc|attorney general|(?<!\b(?:from|at|for|with|in) (?:the |a |our |my )?)(?:housing|building|health) (?:department|authority|inspector)(?! (?:is |are |was |'s )?(?:coming|came|comes|due|visiting|arriving|booked|asked|wants|needs|said|signed|passed|approved)\b| (?:could|might|may|can) (?:walk|drop|turn|show|come|visit|inspect|close|shut)\b)|deposit (?:protection )?scheme|not legal|illegal|report(?:ing)? (?:you|the company|the store|the business|them|this|it) to|report(?:ing|ed)? (?:this|the|your) (?:school|clinic|practice|salon|shop|store|business|company|restaurant|agency|landlord|gym|firm|pharmacy|chemist|surgery|garage|dentist|vet|hotel|nursery|creche|daycare|cafe|bakery|butcher|kennels?|cattery|dealership|workshop|pub|bar|hostel|spa|studio|centre|center|care home) to|complaint (?:in )?(?:to|with) the (?!(?:guest|customer|client|patient|member|resident|relations|care|support|manager|supervisor|owner|team|store|shop|office|front|head|boss|company|business|practice|clinic|gym|branch|desk|staff|transport|school|principal|teacher|headteacher|headmaster|coordinator|driver|landlord|chef|kitchen|courier|carrier|depot|technician|engineer)\b)\w+|(?:my|our) legal team|see you in court|cfpb|ofwat|citizens advice|consumer tribunal|ncat|vcat|residential tenancies|(?:tenancy|rental|rent|landlord and tenant) (?:board|tribunal)|(?:tenancy|rent) office|withhold(?:ing)? (?:the |my |our )?rent|keeping my rent|(?:report\w*|contact\w*|call\w*|ring\w*|rang|phon\w*|go|going|went|gone|tell|told|complain\w*|notify\w*|inform\w*|writ\w+|spoken|speak\w*|get|getting|involv\w+|hear from|form|complaint|in touch)\b[^.!?]{0,50}?environmental health|environmental health (?:will|would|are going to|is going to|are to|to) (?:inspect|come|visit)|general (?:pharmaceutical|medical|dental|optical) council|nursing and midwifery council|health and safety executive|food standards|licensing (?:board|authority)|(?:state|city|county) (?:board|licensing)|dental board|medical board|care quality commission|cqc|ahpra|hipaa complaint|department of (?:labor|labour|health|fair trading)|(?:report|reporting|reported) (?:you |this |it |them )?to (?:the )?(?:council|authorities|police|(?:[\w-]+ ){0,2}?public health))\b/g,
  },
  {
    kind: 'chargeback-raised',
    pattern:
      /\b(?:already |have |has |i've |we've |she's |he's )?(?:raised|filed|started|opened|made|lodged|put in|initiated) a (?:chargeback|dispute with (?:my|her|his|their|the) (?:bank|card)|(?:card|credit card|payment) dispute)|\bthe bank (?:has |have )?(?:already )?(?:opened|raised|started|filed|lodged) (?:the|a) (?:dispute|chargeback)\b|\b(?:i've|we've|i have|we have|she's|he's|she has|he has|they've|they have|already) (?:already )?reversed (?:the|my|her|his|their|this) (?:payment|charge|transaction)s? (?:with|through) (?:my|our|her|his|their|the) (?:bank|card)|\bcharge ?back (?:is )?(?:in progress|underway|under way|opened|raised|filed|lodged)\b|\b(?:called|rang|phoned|told) (?:my|our|the) bank and disputed\b|\bdisputed it with (?:my|our|the) (?:bank|card)|\bthe bank(?:'s| is) (?:handling|dealing with) it\b|\b(?:bank|card (?:company|issuer)) (?:has )?(?:reported|raised|opened|flagged) a (?:dispute|chargeback)\b|\brefused to withdraw (?:the |his |her |their )?(?:dispute|chargeback)\b|\bnot withdrawing (?:the |my )?(?:dispute|chargeback|anything)\b|\b(?:disputing|disputed|contesting|contested|challenging|challenged|fighting|rejected|rejecting|pursue|pursuing) (?:my|her|his|their|the) chargeback\b|\bthe chargeback'?s (?:in|gone in|been (?:filed|raised|lodged|made))\b/g,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:won't|will not|never) (?:be )?(?:ordering|order|buying|buy|shopping|shop|using|use|coming back|come back|dealing|deal|renewing|renew|renting|rent|hiring|hire|booking|book|staying|stay)\b(?: [\w']+){0,4}? again\b/g,
    selfNegating: true,
    ifConditional: 'competitor',
  },
  {
    kind: 'leaving',
    pattern:
      /(?<!\b(?:lot|lads|guys|crowd|mob|firm|company|ones|boys|fellas?|it|that|this|which) )\b(?:won't|will not|would not|wouldn't|never) (?:be )?(?:coming back|come back|return(?:ing)?)\b(?! (?:the |my |your |our |their |his |her |any )?(?:money|it|them|calls?|deposits?|emails?|messages?|anything|what|payments?|refunds?|goods|items?|parts?|tools?|stock)\b)|\b(?:won't|will not|never) be back(?= *(?:[.!,;]|$|again\b|ever\b|here\b|there\b|any ?more\b))/g,
    selfNegating: true,
    ifConditional: 'competitor',
  },
  {
    kind: 'leaving',
    pattern: /\b(?:will not|won't|not|not gonna|not going to|not to) (?:be )?renew(?:ing)?\b/g,
    selfNegating: true,
    // "If that price stands, we won't be renewing": a threat, not yet a decision.
    ifConditional: 'cancellation',
  },
  // "Consider this my notice": notice given on the call.
  { kind: 'leaving', pattern: /\bconsider (?:this|that|it) (?:as )?(?:my|our) (?:notice|resignation|cancellation)\b/g },
  {
    kind: 'leaving',
    pattern:
      /\b(?:signed (?:up )?with|signed (?:a |an )?(?:[\w-]+ ){0,3}?(?:agreement|contract|deal) with (?:another|a different|a new)\b|(?<!(?:\b(?:be|been|being|get|got|was|were|is|are|billing|invoicing|payments?|payroll|accounts?|support|processing|colleague|neighbou?r|friend|sister|brother|mum|mom|mother|dad|father|cousin|aunt|auntie|uncle|mate|pal|son|daughter)|'re|'m|'s) )(?<!\b(?:mums|moms|parents|people|customers|clients|others|friends|neighbours|neighbors|everyone|everybody|folks|colleagues|businesses|families|of them)(?: have| had|'ve|'d)? )moved (?:everything |our \w+ |my \w+ )?(?:over )?to(?! (?:an?|the|our|your|their|his|her) (?:[\w-]+ ){0,4}?(?:orders?|plans?|tiers?|packages?|schedules?|rates?|prices?|arrangements?|payments?|instalments?|installments?|options?|billing|deliveries|rota|roster|banks?|building society|credit union)\b)(?! (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|next (?:week|month|weekend|fortnight|year|term|season|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|the (?:\d+(?:st|nd|rd|th)?|first|second|third|next|following)|(?:an?|another|a different|an earlier|a later) (?:[a-z]+ )?(?:weekday|weekend|day|date|time|slot|session|appointment|morning|afternoon|evening))\b| \d)|(?<!\b(?:it|order|parcel|package|delivery|item|shipment|invoice|e-?mail|letter|message|cake|goods|stock|call|payment|request|complaint|query|claim|case|matter|form|application|paperwork|ticket|question|nothing|none|money|refund|rebate|cheque|funds|driver|courier|van|truck|lorry|bus|taxi)(?: had| has|'s|'d| have)? )(?<!\b(?:should|could|would|might)(?:n't| not)?(?: have|'ve) (?:just |really |probably |definitely )?)(?<!\b(?:mums|moms|parents|people|customers|clients|others|friends|neighbours|neighbors|everyone|everybody|folks|colleagues|businesses|families|of them)(?: have| had|'ve|'d)? )(?<!\b(?:neighbou?r|friend|sister|brother|mum|mom|mother|dad|father|cousin|colleague|aunt|auntie|uncle|mate|pal)(?:'s| has| had) )gone (?:over )?to(?! (?:the |a )?wrong\b)(?! (?:(?:an?|the|my|our|your|their|his|her) )?(?:(?:old|wrong|other|new|spam|junk|billing|work|personal) )*(?:e-?mail|address|inbox|voicemail|spam|junk|folder|hospital|bed|sleep|waste|print|press|mush|pot|pieces|ruin|rot|seed|dust|rubbish|hell|custard|dogs|sludge|mould|mold|shops?|stores?|market|supermarket|post office|church|pub|toilet|loo)\b)|go(?:ne)? with another|going with another|got a new (?:line|provider|supplier) going in|found (?:a|another|a new) (?:supplier|provider|company|vendor|plumber|cleaner|builder|agency|firm)|(?:we've|i've|we have|i have|already) switched\b(?! (?:it|the|that|this|on|off))|terminat(?:e|ing) (?:the|our|my) (?:contract|agreement|account|service))\b(?! (?:you|us|this|here|your|our|ye|yous|y'all)\b| (?:a |an |the )?(?:[a-z]+ )?(?:unit|flat|room|house|apartment|address|office|home|place|area|town|city|street|plan|tier|floor|bank|council|court|tribunal|ombudsman|police|branch|number|phone|e-?mail|card|school|job|schedule|timetable|tutor|teacher|instructor|coach|trainer|stylist|therapist|class|group|level|package|route|terms|payments?|billing|invoicing|cash|cod|pro-?forma|prepay\w*|upfront)\b)|\bmy mind'?s made up\b|\b(?:made up my mind|made my mind up)\b(?! (?:on|about) (?:these|this|that|those|it|the|which))|\bit(?:'s| is) (?:been )?decided\b(?! (?:by|to stay|that (?:we|i)(?:'ll| will)? stay))|\bmind is made up\b|\b(?:last|final) (?:order|delivery|visit|payment|month) with (?:you|us)\b/g,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:customer|caller|client|member|tenant|patient|parent|owner|manager|guest|she|he|they)(?: has| have)? (?:cancelled|canceled|closed|terminated|ended) (?:the |her |his |their |its )?(?:(?:\w+ ){0,5}?(?:contract|subscription|account|membership|service|plan|cleaning|policy|agreement)|standing (?:\w+ ){0,4}?order)\b(?! (?:appointment|booking|visit|session|slot|call)s?\b)/g,
  },
  {
    kind: 'leaving',
    pattern: /\b(?:don't|do not) want anything (?:more |else )?to do with (?:you|them|the company)\b/g,
    selfNegating: true,
  },
  // Done with the business, or done with it unless: "she is done with the company if it is not fixed" (tune22).
  {
    kind: 'leaving',
    pattern:
      /\b(?:i'm|we're|i am|we are|she is|he is|she's|he's|they're|they are|she was|he was|they were) done with (?:you|them|ye|yous|y'all|you guys|you lot|you people|wunna|unu|unnu|allyuh|the company|your company|this company|the business|this place|the firm|the practice)\b/g,
    ifConditional: 'competitor',
  },
  // A recap's or outcome's own word for it: "Rebooking declined; client leaving".
  {
    kind: 'leaving',
    pattern:
      /\b(?:client|customer|member|patient|tenant|account holder)(?: is)? (?:leaving|departing)\b(?! (?:a |an |the |her |his |their )?(?:message|voicemail|review|note|feedback|comment|details|number|early|for|at \d|the (?:building|office|premises|shop|site))\b)/g,
  },
  // A supplier ending supply has left the relationship.
  {
    kind: 'leaving',
    pattern:
      /\b(?:will|is going to|are going to|gonna|to) stop (?:servicing|supplying|serving|delivering to|trading with)\b|\b(?:delivery|order|visit|shipment) will be the last\b|\bsupply (?:ending|ends|will end)\b|\bnot (?:be )?(?:servicing|supplying|serving|delivering to) [\w\s]{0,40}?any ?more\b|\bno longer (?:supply|supplying|serve|serving|service|servicing|deliver to|delivering to)\b(?! (?:the |a |an |your )?(?:[\w-]+ ){1,2}?(?:for|on) (?:that|this|the|your) (?:weekend|date|day|event|wedding|party|night|week)\b)|\bwill be your last (?:delivery|order|visit|shipment)\b/g,
  },
  // Leaving for a named competitor or "another <provider>", said as done or decided; under a condition, a
  // threat. Competitors are recognised by their capitals, so these read the text as written.
  {
    kind: 'leaving',
    pattern:
      /\b(?:[Ww]e|I|[Tt]hey|[Ss]he|[Hh]e|[Cc]ustomer|[Cc]lient)(?:'ve| have| has| had)? (?:already |just |now |actually |finally |eventually )?(?:went (?:over )?with|went (?:over )?to (?=(?:another|a different|a new|other) )|(?:gone|moved|switched|changed|signed(?: up)?) (?:over )?(?:with|to)|(?:moved|switched|shifted) (?:all|most|some|half|it|them|that|this|those|everything|the|our|my|of|[a-z]+)(?: [a-z]+){0,3} (?:over|across) to) (?:(?:another|a different|a new|other) (?!(?:bank|house|home|address|flat|apartment|place|phone|number|e-?mail|mobile|card|building|area|town|city|country|job|school|year|class)\b)[a-z]+|(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Christmas|Easter|Zoom|Teams)\b)[A-Z][\w&'-]+)/g,
    caseSensitive: true,
    ifConditional: 'competitor',
    // The subject is part of the match, so a negator before it belongs to another clause ("if you
    // can't get closer I'm going with QuickInk").
    selfNegating: true,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:I'm|I am|[Ww]e're|[Ww]e are|[Tt]hey're|[Tt]hey are|(?:[Cc]ustomer|[Cc]lient|[Ss]he|[Hh]e|[Ii]t|[Tt]he (?:practice|business|company|clinic|shop|restaurant|caf[eé]|salon|office|firm)) is|(?:I|[Ww]e|[Tt]hey|[Ss]he|[Hh]e)(?:'ll| will) be) (?:just |now |actually |probably |definitely )?(?:going with|moving (?:(?!(?:from|out|house|home|back)\b)[\w']+ ){0,3}?(?:over )?to|switching (?:over )?to|taking (?:my|our|their|his|her|the) (?:[\w']+ )?(?:business|account|custom|work|orders?) (?:over )?to) (?:(?:another|a different|a new|other) (?!(?:time|day|date|slot|appointment|session|week|weekend|morning|afternoon|evening|booking|room|truck|van|lorry|ute|vehicle|driver|depot|warehouse|flight|plane|ship|boat|pallet|crew|shelf|bay|floor|folder|list)s?\b)[a-z]+|(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)s?\b)[A-Z][\w&'-]+)/g,
    caseSensitive: true,
    ifConditional: 'competitor',
    // The subject is part of the match, so a negator before it belongs to another clause ("if you
    // can't get closer I'm going with QuickInk").
    selfNegating: true,
  },
  // How a recap reports a threat or a departure, whatever the words on the call were.
  {
    kind: 'competitor',
    pattern:
      /\bthreat(?:en(?:ed|s|ing)?)? to (?:cancel|leave|switch|walk|go elsewhere|move|take (?:their|her|his|its) business|stop (?:using|ordering)|close)\b|\b(?:intends?|intending|plans?|planning) to (?:cancel|leave(?! (?:(?:a|an|some|her|his|their|a few) )?(?:[\w-]+ )?(?:reviews?|messages?|notes?|voicemails?|feedback|tips?|comments?|ratings?|deposits?|keys?|cards?|numbers?|details|gifts?|parcels?|packages?|boxes|word)\b)|switch|move (?:to|over|elsewhere)|go with)\b/g,
  },
  {
    kind: 'leaving',
    pattern:
      /\blost to (?:a |the )?competitor\b|\b(?:customer|caller|client|she|he|they) (?:has |have )?(?:decided|chosen|chose) to (?:cancel|leave|switch|move(?! (?:him|her|them|it|his|their|the (?:booking|appointment|date|session|class|lesson))\b)|go with|terminate|close)\b/g,
  },
  // A trial of a named competitor, or one "next time she would use": a plan to move, not yet a decision.
  {
    kind: 'competitor',
    pattern:
      /\b[Nn]ext time,? (?:I|we|she|he|they)(?: would|'d) (?:just )?(?:call|use|go to|book|ring|try) (?:them|[A-Z][\w&'-]+)|\b(?:going to|gonna|will|'ll|plan(?:ning)? to|about to) (?:trial|try(?: out)?|give) [A-Z][\w&'-]+/g,
    caseSensitive: true,
  },
  // A move said as likely ("we'll most likely go with them") or under a condition ("unless the outages
  // stop, we shall be taking it"): a threat to switch, whoever the competitor is.
  {
    kind: 'competitor',
    pattern:
      /\b(?:lean(?:s|ed|ing)?|leant) (?:towards?|to) (?:buying|ordering|going) (?:from|with) (?:them|another|an? (?:other|rival|cheaper|overseas|different)|the (?:other|rival|cheaper|overseas)|[A-Z][\w&'-]+)|\b(?:most likely|more than likely|probably|likely)(?: to)? (?:just )?(?:be )?(?:buy(?:ing)? (?:[\w-]+ ){0,2}?from (?:them|another|(?:an? |the )?(?:overseas|other|rival|cheaper|different|competing)\b|[A-Z][\w&'-]+)|get (?:it|them|this|that) done there|go(?:ing)? there|go(?:ing)? with (?:them|(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)\b)[A-Z][\w&'-]+)|shift(?:ing)? (?:over )?to|mov(?:e|ing) (?:over |across )?to|switch(?:ing)? (?:over )?to|tak(?:e|ing) (?:it|them up|their offer|that offer|the offer)|go(?:ing)? elsewhere|look(?:ing)? elsewhere)\b|\b(?:[Uu]nless|[Ii]f)\b[^.?!]{0,80}?\b(?:[Ww]e|I)(?:'ll| will| shall| would|'m| am|'re| are)? (?:be )?(?:have to |need to |be forced to )?(?:go(?:ing)? with (?:them|(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)\b)[A-Z][\w&'-]+)|shift(?:ing)? (?:over )?to|mov(?:e|ing) (?:over |across )?to (?:them|[A-Z][\w&'-]*)|switch(?:ing)? (?:over )?to|tak(?:e|ing) (?:it|them up|their offer|that offer|the offer)|tak(?:e|ing) (?:my|our) business elsewhere|go(?:ing)? elsewhere|look(?:ing)? elsewhere|look(?:ing)? (?:for|at) (?:somewhere|someone|somebody|something) else|find (?:somewhere|someone|somebody) else|mov(?:e|ing) out)\b/g,
    caseSensitive: true,
  },
  // "Otherwise we'll move over at renewal": the condition said first, the move after it.
  {
    kind: 'competitor',
    pattern:
      /\b(?:otherwise|or else|if not),? (?:we|i)(?:'ll| will| shall| would|'d| may| might|'re| are|'m| am)? (?:just )?(?:have to |probably |most likely )?(?:move|moving|switch|switching|go|going|take (?:it|our business|my business)|taking (?:it|our business|my business)|look|looking)(?: (?:over|across|elsewhere|somewhere else|to them|there))\b/g,
  },
  // Already with another practice or provider: "we've registered with Paws and Claws", "she has already
  // enrolled her at another centre", "moved its payroll to another provider" (a recap's words too).
  {
    kind: 'leaving',
    pattern:
      /\b(?:we've|I've|we have|I have|has|have|she's|he's|they've|she has|he has|they have|already) (?:already |now |just )?(?:registered|signed up|enrolled)(?: (?:him|her|them|us|me|the kids|the children|(?:my|our|his|her|their) [a-z]+))? (?:with|at) (?:a |another |a new |a different )?(?:[A-Z][\w&'-]+|(?:dentist|vet|doctor|practice|clinic|gym|provider|supplier|salon|agency|firm|accountant|school|centre|center|academy|tutors?|studio|nursery|daycare|club)\b)|\bWe've registered there\b|\bmoved (?:its|their|her|his|the|our|my) [\w-]+(?: [\w-]+)? to (?:another|a new|a different) (?:provider|supplier|company|vendor|firm|practice|bank|courier|carrier|agency|accountant|printer|lab|wholesaler|distributor|platform)\b/g,
    caseSensitive: true,
  },
  // Already taking the custom elsewhere: "I've been going to Spoke and Chain since the spring".
  {
    kind: 'leaving',
    pattern:
      /\b(?:I've|[Ww]e've|I have|[Ww]e have|[Ss]he's|[Hh]e's|[Tt]hey've) (?:actually |already |now )?been (?:going|taking (?:it|him|her|them|my [a-z]+|our [a-z]+)) to (?:(?:another|a different|a new|other) [a-z]+|[A-Z][\w&'-]+)/g,
    caseSensitive: true,
  },
  // Whether to carry on is under review ("management will be asking whether we continue with PayStream", "our
  // MD is reviewing whether we carry on with accounts that are regularly late"): a threat to the relationship,
  // from the customer or, on a supplier's call, from either side (no competitor named: not filed under one).
  {
    kind: 'review',
    pattern:
      /\b(?:review(?:ing|s)?|question(?:ing|s)?|ask(?:ing)?|decid(?:e|ing)|reconsider(?:ing)?|consider(?:ing)?|assess(?:ing)?|evaluat(?:e|ing)) (?:whether|if) (?:we|to|they|i)(?:'ll| will| should| would| can)? (?:\w+ )?(?:continue|carry on|renew|stay|keep (?:going|using|working))\b|\bquestion(?:ing)? (?:continuing|renewing|the renewal)\b|\blook(?:ing)? at (?:alternatives|what else is out there|other options)\b|\bevaluat(?:e|ing) (?:alternatives|other (?:providers|suppliers|vendors|options|platforms|tools))\b/g,
    agentToo: true,
  },
  // A named competitor under evaluation or on trial: "we are also evaluating Zentrix".
  {
    kind: 'competitor',
    pattern: /\b(?:evaluating|trialling|trialing|piloting) [A-Z][\w&'-]+/g,
    caseSensitive: true,
  },
  // Notice given to leave ("gave notice that her daughter will leave", "I'm handing in our notice"), and a
  // new provider already in use ("I've started seeing a chiro near work", "she now sees a chiropractor").
  {
    kind: 'leaving',
    pattern:
      /\b(?:gave|give|giving|given|hand(?:ed|ing)? in|serv(?:e|ed|ing)) (?:her |his |their |our |my |you )?notice\b(?! (?:of|about|on|to cancel|to end|for the (?:price|rent|increase)|that (?:the |your |their |his |her |our |my )?(?:[\w']+ ){0,3}?(?:rent|price|fee|rate|charge|cost|premium|subscription)s? (?:will|is|are|would|go|goes)|that [^.?!]{0,40}?\b(?:go(?:es|ing)? up|increas\w*|ris(?:e|es|ing)|chang\w*)\b))|\b(?:start|started|starting|now) (?:seeing|using|going to|ordering from|buying from) (?:a|an|another|a new|a different) \w+|\bnow (?:sees|uses|goes to|orders from|buys from) (?:a|an|another|a new|a different) \w+/g,
    ifConditional: 'cancellation',
  },
  // Records or files sent on to another practice or provider: the patient has moved there.
  {
    kind: 'leaving',
    pattern:
      /\b(?:records|files|x-rays|notes|history|details|account|prescriptions?|refills|scripts)(?: and [\w-]+)?(?: (?:have |has )?(?:already )?(?:to be|be|been|being))? (?:sent|transferred|moved|forwarded)(?: over)? to (?:another|a new|a different|[A-Z][\w&'-]+)/g,
    caseSensitive: true,
  },
  // A chargeback held out as the next step: "I'll have to ask my bank to look at it", "I'll be raising it with
  // my card company then" (tune18), "I'll go through my bank for it if I have to" (tune35).
  {
    kind: 'chargeback',
    pattern:
      /\b(?:ask|asking|get|getting|call|calling|ring|ringing|contact|contacting|have|having) (?:my|our|the|his|her|their) (?:bank|card (?:company|issuer|provider)|credit card (?:company|provider|issuer)) to (?:look (?:at|into) (?:it|this|that)|dispute|reverse|investigate|claw)\b|\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|i'm gonna|i'll be|we'll be|i shall) (?:have to )?(?:raise|raising|take|taking) (?:it|this|that|the charge|the payment)(?: up)? with (?:my|our|the) (?:bank|card (?:company|issuer|provider)|credit card (?:company|provider))\b|(?:'ll|\bwill|\bwould|\bgoing to|\bgonna) (?:have to |just )?go through (?:my|our|her|his|their) (?:bank|card company|credit card company|card provider)\b(?!'s| (?:statements?|apps?|accounts?|details|records|transactions|transfers?|cards?|online)\b)/g,
  },
  // Stopping a standing service ("I need to stop the monthly garden visits", "have to stop the box") is cancelling it.
  // "If I see ants after that, I'm done, I'm cancelling", "otherwise we'll have to cancel" (tune57): cancelling
  // with nothing named after it is the service itself (one booking is named: "I'm cancelling the Friday booking").
  {
    kind: 'cancellation',
    pattern:
      /\b(?:i'm|we're|i am|we are) (?:just )?cancell?ing\b(?= *(?:[.!;]|$|then\b))|\b(?:i|we)(?:'ll| will) (?:probably |just )?(?:have to|need to) cancel\b(?= *(?:[.!;,]|$|then\b))/g,
  },
  {
    kind: 'cancellation',
    pattern:
      /\b(?:need|want|wants|wanted|like|have|going|gonna|wish|asked|asking|asks|requested) to (?:stop|end|discontinue|terminate) (?:the |my |our |all )?(?:[\w']+ ){0,3}?(?:visits|service|services|subscription|membership|plan|deliveries|contract|account|lessons|sessions|cleans|bookings|retainer|agreement|licen[cs]e|lease|box|boxes)\b/g,
  },
  // A supplier's final demand for payment puts the supply relationship at risk.
  {
    kind: 'supply-stop',
    pattern:
      /\bfinal (?:notice|demand|reminder|warning)\b|\b(?:goes|go|going|be|be put|placed|put) on (?:credit |account )?hold\b(?! (?:for (?:her|him|them|you|me|us|the (?:customer|caller|client)|collection|pick-?up|ages|hours|forever|(?:(?:about|over|nearly|almost|like) )?(?:an?|half an?) (?:hour|minute|age|eternity)|[\w-]+ (?:minutes?|mins?|hours?))|until (?:collect|pick))\b)|\bcredit hold\b/g,
    agentToo: true,
  },
  // A supplier's decision to end a route, a line or the account has ended the supply relationship.
  {
    kind: 'leaving',
    pattern:
      /\b(?:made (?:the|a) decision|decided|have decided|'ve decided) to (?:discontinue|stop|end|close|withdraw|exit|no longer)\b(?! (?:the |this |that )?(?:order|delivery|appointment|booking)\b)/g,
  },
  // "I have decided, I'll not continue", "we won't be continuing": a stated decision not to go on (tune17).
  {
    kind: 'leaving',
    pattern:
      /\b(?:i|we)(?:'ll| will) not (?:continue|carry on)\b(?! (?:with )?(?:the |this |that )?(?:call|payment|form|conversation|booking|order)\b)|\b(?:won't|will not) be continuing\b(?! (?:with )?(?:the |this |that )?(?:call|payment|form|conversation|booking|order)\b)/g,
  },
  // A supplier that stopped supply or handed the debt to collectors has left (an account on stop: supply-stop).
  {
    kind: 'leaving',
    pattern:
      /\b(?:deliveries|supply|supplies|orders|shipments) (?:have been|has been|are|were|is) (?:suspended|stopped|halted)\b|\b(?:passed|referred|handed|sent|gone)(?: (?:the|this|your|it|our) (?:debt|account|balance|matter))? (?:on )?to (?:a |an |our |the |their )?(?:debt )?collections?(?: agency| agent)?\b|\b(?:passed|referred|handed|sent) (?:\w+ ){0,3}?to (?:a |an |our |the |their )?debt collectors?\b/g,
    agentToo: true,
  },
  {
    kind: 'leaving',
    pattern:
      /\bdecided to (?:go with|switch|move|leave|cancel|take (?:our|my) business)\b(?! (?:[\w-]+ ){1,2}from (?:[\w-]+[- ]){0,2}(?:days?|weeks?|months?|monthly|weekly|fortnightly|quarterly)\b)(?! (?:it|them|things|everything|the [\w-]+|(?:her|his|their|our|my) [\w-]+) (?:to|until|till) (?:the |a |next |this )?(?:following|next|(?:another|new) (?:day|date|time|week|weekend|month|slot)|later|earlier|\d+|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|weekend|month|spring|summer|autumn|fall|winter)\b)/g,
  },
  // Future work taken elsewhere: "she will take all future printing there", "customer moving future work"
  // (tune21). Not the agent's way of working: "when taking future fuel orders" (tune49).
  {
    kind: 'leaving',
    pattern:
      /(?<!\b(?:when|while|before|after|on) )\b(?:take|taking|took|move|moving|moved|send|sending|give|giving|carry|carrying) (?:all |any )?(?:(?:her|his|their|our|my|the) )?future (?:[a-z]+ )?(?:work|business|orders?|printing|jobs|bookings|projects)\b(?! (?:with|to) (?:you|us)\b)/g,
  },
  // Someone else preferred: "his new head chef prefers another produce supplier" (a threat, not yet a decision).
  {
    kind: 'competitor',
    pattern:
      /\bprefer(?:s|red)? (?:another|a different|a new|a cheaper|a local) (?:[a-z]+ ){0,2}?(?:supplier|provider|company|firm|vendor|wholesaler|distributor|agency|contractor|service)\b/g,
  },
  // Gone to someone cheaper ("found someone a fair bit cheaper") or nearer ("I found a place closer to home").
  {
    kind: 'leaving',
    pattern:
      /\bfound (?:someone|somebody|a company|a firm|another \w+) (?:\w+ ){0,3}?cheaper\b|\bfound (?:a|another) (?:new )?(?:place|salon|clinic|practice|gym|dentist|vet|barber|studio|garage|school|groomer|cleaner|provider|supplier|one) (?:closer|nearer)\b|\balready (?:booked|hired|engaged)(?: and (?:paid|confirmed))? (?:them|someone else|somebody else|another)\b|\balready booked(?: (?:him|her|them|us|me|it))?(?: in)? with (?:another|a different|a new) \w+|\b(?:booking|booked|hiring|hired) (?:a |another )?(?:cheaper )?competitor\b/g,
  },
  // Booked or bought elsewhere: "we've booked with Kayak Kiwi in the end", "they had booked Bay Movers
  // instead", "she has already bought a car from Brightwater Motors", "booked with a competitor".
  {
    kind: 'leaving',
    pattern:
      /\bbooked (?:with )?[A-Z][\w&'-]+(?: [A-Z][\w&'-]+)* (?:in the end|instead)\b|\balready (?:bought|purchased|ordered|got) (?:a |an |the |one |it |them )?(?:[a-z]+ )?(?:from|with|at) (?:[A-Z][\w&'-]+|another|a different)|\b(?:booked|signed|went|gone) with (?:a |another )?competitor\b/g,
    caseSensitive: true,
  },
  // The next job made conditional: "if this isn't sorted properly, that's not happening"; "the January move
  // will not go ahead with them if this is not sorted".
  {
    kind: 'competitor',
    pattern:
      /\b(?:if|unless)\b[^.?!]{0,80}?\b(?:that's|that is|it's|it is|that|it|this) (?:not|won't be|will not be|isn't) (?:happening|going ahead)\b|\b(?:will not|won't|isn't|is not|not) (?:be )?(?:go(?:ing)? ahead|happening)\b[^.?!]{0,60}?\b(?:if|unless)\b/g,
  },
  // A child taken out, or a partner set on the other offer: a plan to cancel, a threat to switch.
  {
    kind: 'cancellation',
    pattern:
      /\b(?:take|taking|pull|pulling) (?:him|her|(?:my|our|their|the) (?:son|daughter|child|children|kids?|boy|girl|little one)) out(?: of)?\b(?! (?:for|to) (?:lunch|dinner|a walk|the day))/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:should|wants? to|want us to|reckons we should|thinks we should|keen to) (?:just )?go with (?:them|the (?:cheaper|other|lower) (?:quote|one|company|offer|price))\b/g,
  },
  // Gone elsewhere, said afterwards: "I'd not have been bringing it back to you anyway", "she has since used
  // another plumber", "they have switched their house lager to Hopwell", "Lager line lost to Hopwell".
  {
    kind: 'leaving',
    pattern:
      /\b(?:would not|wouldn't|'d not|would never|'d never) have (?:been )?(?:return(?:ed|ing)?|bring(?:ing)? (?:it|him|her|them) back|c[oa]me back|coming back|used you|booked (?:with )?you)\b/g,
    selfNegating: true,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:since|already|now) (?:used|hired|booked|called in|gone with|got) (?:another|a different|a new) (?:[a-z]+ )?(?:plumber|electrician|builder|cleaner|company|firm|provider|supplier|mechanic|garage|vet|dentist|salon|contractor|tradie|roofer|groomer|practice|clinic|agency)\b|\b(?:have|has|had) switched (?:their|her|his|its|our) (?:[\w-]+ ){0,3}?(?:over )?to [A-Z][\w&'-]+|\blost to (?:a |the |another )?(?:competitor|[A-Z][\w&'-]+)/g,
    caseSensitive: true,
  },
  // Done with us, said as what comes next: "I'll find somebody else", "so he can find another lawyer",
  // "we won't need the bookkeeping after June", "she no longer needs lenses", "taking it to them".
  {
    kind: 'leaving',
    pattern: new RegExp(
      `\\b(?:i'll|i will|we'll|we will|so (?:he|she|they|i|we) can|to) find (?:somebody|someone) else\\b|\\b(?:so (?:he|she|they|i|we) can|to) find (?:another|a new|a different) ${NOT_ANOTHER_BUSINESS}\\w+|\\b(?:won't|will not|wouldn't|will no longer|won't be needing|don't|do not) (?:need|want|be needing) (?:the |our |my |your |any )?(?:[\\w-]+ ){0,2}?(?:bookkeeping|service|services|plan|subscription|membership|lessons|deliveries|cleaning|account|contract|retainer|lenses|visits|sessions)\\b (?:after|from|beyond|past|any ?more|going forward)\\b|\\bno longer (?:needs?|requires?|wants?)\\b(?! (?:[\\w']+ ){0,3}?to (?:repair|fix|mend) (?:it|them)\\b)|\\b(?:i'm|i am|he is|she is|he's|she's|we're|they're) (?:[\\w']+ ){0,6}?(?:taking|bringing) (?:it|them|my \\w+|the \\w+|his \\w+|her \\w+) (?:to them|there|elsewhere)\\b|\\bto take it (?:there|to them|elsewhere)\\b`,
      'g',
    ),
    ifConditional: 'competitor',
  },
  ...PLAN_RULES,
  {
    kind: 'leaving',
    // Not a day or a time chosen instead of another ("I'm going with Wednesday instead").
    pattern:
      /(?<!\b(?:can|could|may|shall) (?:i|we) (?:just |maybe |please )?)\bgo(?:ing)? with (?!(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|the (?:morning|afternoon|evening|earlier|later|first|second|next)|(?:an? )?(?:earlier|later|morning|afternoon|evening)|\d)\b)[^.?!]{1,40}? instead\b/g,
    ifConditional: 'competitor',
  },
  {
    kind: 'leaving',
    pattern:
      /\balready (?:switched|moved|signed up|gone|changed) (?:to|with|over)\b|\balready moved (?:[\w']+ ){1,3}?(?:over|across)\b|\bsigned up with (?:a |another )?(?:competitor|provider|supplier)\b/g,
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
      `\\bcancel(?:l?ing|l?ed|lation of)?(?! and re-?(?:issue|send|do))(?! (?:just |only )?(?:this|next) (?:\\w+day|week|weekend|month)'s\\b) (?:(?:my|our|the|their|his|her|this|your) )?(?:[\\w']+ ){0,4}?(?:${SERVICE_NOUN}\\b|(?:standing|regular|recurring|repeat)(?: [\\w'-]+){0,3}? (?:appointment|booking|visit|order|delivery|deliverie|clean|session|lesson|groom)s\\b)`,
      'g',
    ),
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(
      `\\b(?:(?:ready|going|want|wanted|wants|need|plan|planning|like|about|ringing|calling|phoning|rang|called|phoned|asked|asking|asks|here) to|wanna) cancel\\b${NOT_AN_ORDER}`,
      'g',
    ),
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(`\\b(?:i|we) (?:have |had |already )?cancell?ed\\b${NOT_AN_ORDER}`, 'g'),
  },
  {
    kind: 'cancellation',
    pattern: /\bcancellation (?:request|form|notice)\b|\bchurn\b|\bcancel away\b|\bgo ahead and cancel\b/g,
  },
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
      /\bhow (?:do i|can i|would i|to|does)(?: go about)? cancel\w*|\bweighing (?:it|things|my options|our options) up\b|\bweighing up (?:my|our) options\b|\bhow cancell?ation works\b|\bcancell?ation (?:process|notice)\b|\b(?:ask\w*|enquir\w*|inquir\w*|about|what's|what is|check\w*|send\w*|read\w*) (?:about |me |us |you |over |through )?(?:the |your |our |their )?cancell?ation (?:policy|terms)\b|\bnotice (?:period )?(?:for|to|before) cancel\w*|\b(?:asked|enquired|inquired|asking|ask) (?:about|how) (?:to )?cancel\w*/g,
  },
  {
    kind: 'cancellation',
    pattern: new RegExp(`\\b(?:would|will|i'll|we'll|i'd|we'd|gonna) cancel\\b${NOT_AN_ORDER}`, 'g'),
  },
  {
    kind: 'competitor',
    pattern:
      /\b[Ss]witch(?:ing|ed)? (?:over )?to (?:a |an )?(?:competitor|(?:another|different|other|new) (?:[a-z]+ )?(?:provider|supplier|company|vendor|firm|practice|clinic|dentist|vet|gym|bank|agency|carrier|network|broker|insurer|accountant|plumber|builder|cleaner|service|one|place|shop|store|salon|school|lab|wholesaler|distributor|platform)|[A-Z][A-Za-z0-9&-]+)(?![A-Za-z0-9&-])(?! (?:was|has been|had been|is) (?:the |a |such a )?(?:best|great|good|right|smart|wise)\b)/g,
    caseSensitive: true,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:look|looking|shop|shopping|go|going|take (?:my|our) business|move|moving|(?:buy|buying|get|getting|order|ordering)(?: (?:it|one|them|the [\w-]+|(?:a|an|another) [\w-]+))?) (?:elsewhere|somewhere else)\b(?! (?:just )?for (?:this|that|the) (?:week|weekend|day|night|once|one|order|event|job|party)\b)|\bshop(?:ping)? around\b|\breview(?:ing)? (?:my|our|their|her|his) options\b|\b(?:getting|get|bring|bringing) (?:someone|somebody) else in\b|\b(?:getting|get|bring|bringing) (?:another|a different|a new) [a-z]+ in\b|\b(?:gonna|going to|will|would|i'll|she'd|he'd|they'd|we'd) go with (?:them|another|a competitor)\b|\b(?:gonna|going to|will|would|i'll|we'll|he'll|she'll|i'd|we'd|he'd|she'd) (?:take|bring|move) (?:(?:both|all) (?:of )?)?(?:(?:the|my|our|his|her|their) (?:[\w-]+ ){1,2}?|(?:him|her|them) (?:and (?:(?:my|our|his|her|their) )?[\w-]+ )?)to (?:another|a different|some other) (?!(?:time|day|date|slot|appointment|session|spot|week|room|floor|level|address|account|card|location|branch|class|group|team|department|table|seat|bed|desk|ward|teacher|tutor|stylist|therapist)s?\b)[a-z]+\b|\b(?:look(?:ing)?|shop(?:ping)?) around\b|\b(?:get(?:ting)?|got) (?:other|some|a few|more) quotes\b|\b(?:will|'ll|going to|gonna|have to|need to) (?:get|gather|compare) (?:some )?(?:other |new |alternative )?(?:prices|quotes|pricing) (?:from|with) (?:other|another|alternative|competing|rival|different) [a-z]+|\b(?:will|'ll|going to|gonna|have to|need to) get (?:some )?other (?:prices|quotes) in\b|\b(?:cheaper|better deal) (?:elsewhere|somewhere else)\b|\b(?:considering|thinking about|weighing up) (?:leaving|switching|moving(?! (?:down|up)\b| (?:house|home)\b)|cancelling|going elsewhere|my options|our options)\b/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:look(?:ing)? at|consider(?:ing)?|try(?:ing)?|talk(?:ing)? to|quotes? from|sampl(?:e|ing)|trial(?:l?ing)?|test(?:ing)?) (?:other|another|different|alternative) (?:suppliers?|providers?|compan(?:y|ies)|vendors?|firms?|options|roasters?|distributors?|growers?|wholesalers?|manufacturers?|farms?|baker(?:s|ies|y)|printers?|mills?|carriers?|couriers?|hauliers?|contractors?|installers?|dair(?:y|ies)|butchers?|laundr(?:y|ies)|labs?|agenc(?:y|ies)|cleaners?|garages?|mechanics?|accountants?|practices?|clinics?|dentists?|vets?|gyms?|salons?|breweries|brewery|florists?|caterers?)\b/g,
    agentToo: true,
  },
  {
    kind: 'competitor',
    pattern:
      /(?<!\bnot that (?:i'm|we're|i am|we are) )\bthinking (?:of|about) (?:leaving|switching|moving(?! (?:down|up)\b| (?:house|home)\b)|cancelling)\b/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:will|'ll|gonna|going to|have to|might|may) (?:stop (?:ordering|using|buying)|source (?:it |them |this )?(?:elsewhere|from (?:someone|somewhere) else)|find (?:another|a new|a different) (?:supplier|provider|company|vendor|firm|plumber|builder|cleaner|agency))\b|\bport(?:ing)? (?:my|our|the) (?:numbers?|lines?) (?:out|away)\b|\b(?:we're|i'm|we are|i am) leaving\b(?! (?:a |the |it |on |for |at |in |tomorrow|today|tonight|now|work|home|town|early|soon|monday|tuesday|wednesday|thursday|friday|saturday|sunday|next|this|the)|(?: (?:you|ya|u|yous|y'all|him|her|them|us))?(?: [\w-]+){0,2} (?:reviews?|stars?|ratings?|feedback|notes?|messages?|voicemails?|tips?|comments?)\b)/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:gonna|going to|will|would|i'll|we'll|i'd|we'd)(?: have to)? (?:switch|leave|walk)(?: (?:this|next) (?:year|month|week|season|quarter|spring|summer|autumn|fall|winter|time))?(?=[.,;!?]|$| (?:for|elsewhere|and go|to another|unless|if))/g,
  },
  ...MONEY_AND_SOFT_RULES,
];
