// Churn phrasings added from the tune8 and tune9 writers' calls, read in this order between the
// departures and the board's vote of churn-patterns.ts (which spreads them there): a threat said as
// "I'm off to <rival>", suppliers under review or put out to tender, a class of accounts closed, a
// business closing, what a recap reports as done ("account closed"), work taken in-house or done by the
// caller from now on, a rival to be used next time, paying stopped, and a council or regulator brought in.
import type { SignalRule } from './churn-rules';
import { NOT_ANOTHER_BUSINESS, ONE_BOOKING_NOUN } from './churn-rules';
import { GONE_RULES } from './churn-patterns-gone';

export const PLAN_RULES: readonly SignalRule[] = [
  // Off to a named competitor under a condition: "if it's not working by Friday, I'm off to Skylark".
  {
    kind: 'competitor',
    pattern:
      /\b(?:[Ii]f|[Uu]nless)\b[^.?!]{0,80}?\b(?:I'm|I am|[Ww]e're|[Ww]e are|I'll be|[Ww]e'll be) off to [A-Z][\w&'-]+/g,
    caseSensitive: true,
  },
  // Every supplier under review, or the work put out to tender: "the partners are doing a review of all the
  // suppliers before renewals", "we'll be putting the lab work out to tender when the agreement's up".
  {
    kind: 'review',
    pattern:
      /\breview(?:ing)? (?:of )?(?:all |each of )?(?:the |our |their )?(?:suppliers|providers|vendors|contractors)\b/g,
    agentToo: true,
  },
  // A tender is routine ("the custodial contract will go to tender in April") until it is held out as what
  // happens next time: then a threat.
  {
    kind: 'competitor-mention',
    pattern:
      /\b(?:put|putting|puts|go|going|goes|take|taking)(?: (?:the|our|their|it|this|that|[\w-]+)){0,3}? (?:out )?to (?:tender|re-?tender)\b|\bre-?tender(?:ing)? (?:the|our|their)\b/g,
    agentToo: true,
    ifConditional: 'review',
  },
  // A supplier closing a class of accounts ("we're closing all trade accounts under a certain spend") or a
  // business closing down ("the restaurant is closing after 12 years") has ended the relationship.
  {
    kind: 'leaving',
    pattern:
      /\bclos(?:e|es|ing) (?:all |most |some |its |our )?(?:(?:small|smaller|trade|credit|low-volume|wholesale|inactive|business) )+accounts\b|\b(?:restaurant|business|shop|store|caf[eé]|salon|practice|company|bar|pub|clinic|studio|bakery|farm) is (?:closing|shutting)(?: down)?\b(?! (?:at|early|today|tonight|tomorrow|on|for (?:the|lunch|a|two|three|christmas)|over|between|from \d))|\b(?:we're|we are) (?:closing|shutting) (?:down|for good|permanently|our doors)\b|\bclosing (?:down )?for good\b/g,
  },
  // What a recap or an outcome reports as done: "Full refund processed; account closed".
  {
    kind: 'leaving',
    pattern:
      /(?<!\b(?:not|never|almost|nearly) )\b(?:account|subscription|membership|contract|plan|policy|tenancy|lease|retainer)s? (?:was |were |has been |have been |is now |now |to be )?(?:closed|cancell?ed|terminated)\b|\bclosing (?:his|her|their|my|our|the) business\b/g,
    ifConditional: 'competitor',
  },
  // The customer relocating away, or already moved out of what they rented: the custom ends with the move,
  // whatever the call cancelled (a hall booking, the rest of a month) (tune9: "the couple are relocating to
  // Toronto", "Customer who moved out of her unit on the 12th"). Not a "move-out clean", which is a service.
  {
    kind: 'leaving',
    pattern:
      /\b(?:customer|caller|client|member|tenant|resident|guest|patient|parent|family|couple|she|he|they)(?: who)?(?: (?:is|are|was|were|has|have|had))?(?: (?:now|already|just))? (?:relocating\b(?! (?:here|from)\b)(?![^.]*\bneeds? (?:a|an) (?:new )?(?:home|house|place|flat|apartment|rental|property)\b)|relocated|moved out of (?:her|his|their|the) (?:unit|flat|apartment|house|home|room|place))\b|\b(?:i'm|i am|we're|we are) relocating\b(?! (?:here|from|over here|to (?:here|the area|this area|town))\b)/g,
    ifConditional: 'competitor',
  },
  // The work taken in-house, or done by the caller from now on: "he will handle everything in-house",
  // "I'll probably just do it myself from now on"; under a condition or a "thinking of", a threat.
  {
    kind: 'leaving',
    pattern:
      /\b(?:bring|bringing|take|taking|move|moving|moved|handle|handling|do|doing|run|running|brought)\b(?: [\w']+){0,4}? in-house\b/g,
    ifConditional: 'competitor',
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:do|doing|handle|handling) (?:it|them|that|everything|the [\w-]+) (?:myself|ourselves)\b[^.?!]{0,30}?\b(?:from now on|in future|in the future|going forward|next time|instead)\b|\b(?:take|taking|find|finding|go|going|move|moving)(?: (?:it|him|her|them|(?:my|our|the|his|her|their) [\w-]+(?: [\w-]+)?))? (?:somewhere else|somewhere new|someone else|someone new|elsewhere)\b(?! (?:for (?:lunch|dinner|the day)|to (?:eat|park)))(?!\?)/g,
  },
  // A rival's service used and to be used again: "next time also I will call them only", "he will use them
  // in future", "will buy from them in future" (tune36).
  {
    kind: 'leaving',
    pattern:
      /\b[Nn]ext time,? (?:also |too )?(?:I|we|she|he|they)(?:'ll| will) (?:just )?(?:call|use|go to|book|ring|try) (?:them|[A-Z][\w&'-]+)|\b(?:will|'ll|decided to) (?:just )?(?:use|buy from|order from|shop with|shop at|get (?:it|them|(?:my|our|his|her|their) [\w-]+) from) (?:them|[A-Z][\w&'-]+(?: [A-Z][\w&'-]+){0,2}) (?:in future|in the future|from now on|next time|going forward)\b/g,
    caseSensitive: true,
  },
  // Going to a named rival from now on ("I'm going to Bean There from now on"), a decision made ("the
  // decision's been made"), the market tested ("we'll be going to market", "the board has asked for options").
  {
    kind: 'leaving',
    pattern:
      /\b(?:I'm|I am|[Ww]e're|[Ww]e are|I'll|[Ww]e'll|I will|[Ww]e will|[Ss]he will|[Hh]e will|[Tt]hey will|[Ss]he'll|[Hh]e'll|[Tt]hey'll) (?:just )?(?:going|go|be going) to [A-Z][\w&'-]*(?: [A-Z][\w&'-]*)*,? (?:from now on|instead|in future|going forward)\b|\b(?:[Tt]he|[Oo]ur|[Mm]y) decision(?:'s| has| is)? (?:been )?(?:made|final)\b/g,
    caseSensitive: true,
  },
  {
    kind: 'review',
    pattern:
      /\b(?:go|going|goes|went) (?:out )?to market\b|\b(?:board|management|partners|directors|owners?|boss|ceo|cfo|md|head office) (?:has |have |had )?(?:asked for|wants?|want) (?:other |some )?options\b/g,
    agentToo: true,
  },
  // "I'm after moving over to my brother-in-law" (Irish perfect: already moved); "we're leaning toward
  // switching"; "if you can't match it, I'll book them"; a charge already disputed with the card.
  {
    kind: 'leaving',
    pattern:
      /\b(?:i'm|we're|i am|we are|she's|he's) after (?:moving|switching|going|changing) (?:over |across )?to\b|\b(?:have|has|need|needs) to cancel (?:the|our|my|their|his|her) (?:standing|regular|recurring|weekly|fortnightly|monthly) /g,
  },
  {
    kind: 'competitor',
    pattern:
      /\bleaning (?:toward|towards|to) (?:switching|moving|going with|leaving|cancell?ing|them)\b|\b(?:if|unless)\b[^.?!]{0,80}?\b(?:i|we)(?:'ll| will) (?:just )?(?:book|use|hire|go with|take) them\b/g,
  },
  // Following a stylist, a teacher or a vet who leaves: "I might just follow her", "I'll probably just follow
  // her" (tune4, tune45); the outcome "client considering following departing stylist".
  {
    kind: 'competitor',
    pattern:
      /\b(?:i|we)(?:'ll| will| might| may|'d| would| could)(?: just| probably| well| definitely| have to)* follow (?:her|him|them)\b(?! (?:up|through|on|around|about)\b)/g,
  },
  {
    kind: 'competitor',
    pattern: /\bconsidering following (?:the |her |his |their )?(?:departing|former|old|previous|leaving)\b/g,
    outcomeOnly: true,
  },
  // Trying the rival: "if ye cannae match it, I'll gie them a go", "I might give them a try next time", "he
  // would try them unless the price was matched" (tune46).
  {
    kind: 'competitor',
    pattern:
      /(?<=(?:'ll|\bwill|\bmight|\bmay|'d|\bwould|\bto|\bgonna)(?: just| probably| have to| well)* )(?:give|gie) (?:them|'em) a (?:go|try|shot|whirl)\b|\bwould try them\b/g,
  },
  {
    kind: 'chargeback-raised',
    pattern:
      /\b(?:i've|we've|i have|we have|already|has|have) disputed (?:the|this|that|it|a|his|her|their) (?:[\w$£€,.-]+ ){0,4}?(?:charge|payment|transaction|bill)s?\b/g,
  },
  // A standing service cancelled from a date ("cancelled her son's school transport from next month"), not one
  // booking; and another provider already lined up ("she has already arranged an alternative") (tune41), a
  // plan until she has gone (high: "I already found another school", tune35).
  {
    kind: 'cancellation',
    pattern: new RegExp(
      `\\b(?:cancell?ed|cancell?ing|cancels?) (?:her|his|their|my|our|the) (?:[\\w']+ ){0,3}?(?!${ONE_BOOKING_NOUN}\\b)[a-z]+ (?:from|as of|effective(?: from)?) (?:next (?:month|week|term|year)|the (?:end|start|first|\\d+(?:st|nd|rd|th)?)|january|february|march|april|may|june|july|august|september|october|november|december)\\b`,
      'g',
    ),
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:she|he|they|caller|customer|client|i|we)(?: has| have|'s|'ve)? already (?:arranged|found|sorted|organi[sz]ed|lined up|booked|got) (?:an alternative\b|another (?:provider|supplier|company|firm|school|driver|cleaner|service)\b|a (?:new|different) (?:provider|supplier|company|firm|service)\b)/g,
  },
  // Paying on stopped: "I'm not going to keep paying for something that isn't working".
  {
    kind: 'cancellation',
    pattern:
      /\b(?:not going to|not gonna|won't|will not|can't|cannot|refuse to) (?:keep|continue|carry on) (?:on )?paying\b/g,
    selfNegating: true,
  },
  // A council or a professional regulator brought in: "I'll be ringing the council", "writing to the General
  // Pharmaceutical Council", "he has reported the firm to the council", "I've been on to the council" (tune29),
  // "she will report the cattery to the council's animal licensing team" (tune45);
  // not a planning application that "had gone to the council" (tune21), nor the business's own errand "Contact
  // council about the permit extension" (tune36).
  {
    kind: 'legal',
    pattern:
      /\b(?:ring|ringing|rung|call|calling|contact|contacting|going to|go to|gone to|write to|writing to|written to|complain(?:ed|ing)? to|get onto|getting onto|(?:been|gone|got) on to|phone|phoning|report(?:ed|ing)? (?:it |this |you |them |(?:the|your) [a-z-]+ )?to) (?:the |di |da )?(?:[a-z]+ ){0,3}?(?<!\b(?:planning|plans?|drawings|application|submitted|submission)\b[^.!?]*)council\b(?!'s? (?:inspection|inspector|approval|consent|searches|planning|tip|website)| for (?:approval|consent|sign-off|planning)| (?:about|for|regarding|re) (?:the |a |an |her |his |their |our )?(?!your\b)(?:[\w-]+ )?(?:permits?|licen[cs]es?|extensions?|planning|parking|bins?|collections?|consent)\b)/g,
  },
  // From the tune12 writers. The custom ended in a sentence: "that's the last time I use you lot", "he would not
  // use the company again".
  {
    kind: 'leaving',
    pattern:
      /\b(?:the )?last time (?:i|we)(?:'ll|'m| will| am)? (?:ever )?(?:use|using|book|booking|order|ordering|deal with|dealing with|come here|coming here)\b|\b(?:would not|wouldn't|not going to|never going to) (?:be )?(?:use|using|order|ordering|book|booking|deal with|dealing with) (?:you|them|the company|the business|the shop|the practice|your company|this company)(?: lot| guys| people)? again\b/g,
    selfNegating: true,
  },
  // Moving away, and a new provider to be found there: "we will find a clinic there near the new flat".
  {
    kind: 'leaving',
    pattern:
      /\b(?:find|use|get|join|go to|register with|sign up with) (?:a|another|a new|some) (?:clinic|dentist|practice|doctor|gp|vet|salon|gym|barber|physio|provider|supplier|plumber|cleaner|groomer|studio|agency|accountant|school|nursery|pharmacy|chemist|garage|mechanic) (?:there|over there|up there|down there|out there|near (?:the|our|my) new|closer to (?:the|our|my) new)\b/g,
  },
  // A dispute lodged with a tenancy board or the like: "I'll be lodging a dispute with the RTB".
  {
    kind: 'legal',
    pattern:
      /\b(?:landlord and tenant|residential tenanc(?:y|ies)|rental|tenancy|tenancies) (?:board|tribunal|authority|branch)\b|\b(?:rtb|ltb)\b|\b(?:lodg|fil)(?:e|es|ed|ing) (?:a |an )?(?:formal )?dispute with (?:the )?(?!(?:the|my|our|a|bank|card|shop|store|company|business|supplier|courier|seller|manager)\b)[a-z]+/g,
  },
  // From the tune13 writers. Already going to a named rival ("I've started going to StyleHub", "she now goes
  // to StyleHub"), the rival now doing the work ("they're doing our annual service now").
  {
    kind: 'leaving',
    pattern:
      /\b(?:started|starting|now) (?:seeing|going to|ordering from|buying from|shopping at|getting (?:it|them) from) (?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Christmas|Easter)\b)[A-Z][\w&'-]+|\bnow (?:sees|goes to|orders from|buys from|shops at) (?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w&'-]+|\b(?:[Tt]hey're|[Tt]hey are|[Tt]hey'll be|[Tt]hey will be) (?:doing|handling|looking after) (?:our|my|the) (?:annual |regular |monthly |yearly )?(?:service|servicing|maintenance|books|accounts|cleaning|deliveries|orders) (?:now|from now on|going forward|instead)\b/g,
    caseSensitive: true,
  },
  // Letting the business go ("I'll be letting ye go, I'm afraid"), the engagement ended ("called to end the
  // firm's engagement"), the caller's own business closing ("I'm closing the shop at the end of June").
  {
    kind: 'leaving',
    pattern:
      /\b(?:be|been|decided to|have decided to|'ve decided to) (?:letting|let) (?:you|ye|yous|you guys|you all|y'all) go\b|\bend(?:ing)? (?:the |our |my |her |his |their )?(?:firm's |company's |practice's |agency's )?(?:engagement|retainer|relationship)\b|\b(?:i'm|we're|i am|we are|she's|he's|she is|he is) closing (?:the|my|our|her|his) (?:shop|business|store|practice|restaurant|caf[eé]|salon|studio|office|bakery|bar|pub)(?: down)? (?:for good|permanently|at the end of|end of|next month|this month|in (?:january|february|march|april|may|june|july|august|september|october|november|december))\b/g,
  },
  // From the tune15 writers. Not coming back, said as "hardly": "I'm hardly going to book ye again".
  {
    kind: 'leaving',
    pattern:
      /\b(?:hardly|not|never|no way i'm|no way am i) (?:going to|gonna) (?:book|use|order from|come back to|deal with|call|ring|hire|recommend) (?:you|ye|yous|you lot|you guys|them|the company|this place)(?: [\w']+){0,2}? again\b/g,
    selfNegating: true,
  },
  // Not using the business again, or for the next job: "we won't be using you again" (a decision); "they will not
  // use the firm for the bathroom unless the difference is taken off" (a threat, tune57).
  {
    kind: 'leaving',
    pattern:
      /\b(?:will not|won't|'ll not|would not|wouldn't) (?:be )?(?:use|using|book|booking|hire|hiring) (?:you|ye|yous|you lot|you guys|them|the company|this place|(?:the|your|this) (?:firm|business|shop|practice|company))(?: again\b| for (?:the|our|my|any|another|future|the next) [\w-]+)(?!')/g,
    selfNegating: true,
    ifConditional: 'competitor',
  },
  // Part of the work already moved to a named rival ("we have already shifted our payroll to PayGrid", "has moved
  // this season's chemical purchases to a competitor", tune56), a lease already signed elsewhere, a supplier
  // pulling out of the market ("all contracts down here end").
  {
    kind: 'leaving',
    pattern:
      /\b(?:already|have|has|had|[Ww]e've|I've|[Tt]hey've) (?:already )?(?:moved|shifted|switched|transferred) (?:our |my |the |their |its |all (?:our |my |the )?)?(?!(?:up|down|back|out|away|over|across|house|home|here|there|in|on|off|interstate|abroad|overseas)\b)[a-z']+(?: [a-z']+){0,3} (?:over |across )?to (?:(?:a|another) (?:competitor|rival)\b|(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Christmas|Easter)\b)[A-Z][\w&'-]+)/g,
    caseSensitive: true,
  },
  {
    kind: 'leaving',
    pattern:
      /\bsigned (?:a |an |the )?(?:new )?(?:lease|contract|agreement|deal|tenancy)? ?(?:somewhere else|elsewhere|with (?:someone|somebody) else)\b|\b(?:pulling|pulled|pull|pulls) out of (?:the |this |our )?(?:[\w-]+ ){0,2}?(?:market|area|region|state|country|territory)\b|\b(?:pulling|pulled|pulls) out of [\w-]+(?: [\w-]+)? (?:completely|entirely|altogether|for good)\b|\b(?:leaving|exiting|withdrawing from) the (?:[\w-]+ ){0,2}?(?:market|region|territory)\b|\ball (?:of )?(?:our |the )?contracts (?:[\w-]+ ){0,3}?(?:end|terminate|finish)\b/g,
  },
  // A supplier pulling out of a named place: "pulling out of Moray", "pulling oot of Moray altogether",
  // "pulling out of the Interlake route" (all 22 such in the tuning sets are on calls labelled critical).
  {
    kind: 'leaving',
    pattern:
      /\b(?:pulling|pulled|pulls) (?:out|oot) of (?:the )?(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w-]+/g,
    caseSensitive: true,
  },
  // A garage's customer taking the car to the dealer instead: "if it ain't right this time, I'm takin' it to
  // the dealer" (tune44), "I'm takin' it to the dealership" (tune23).
  {
    kind: 'competitor',
    pattern:
      /\b(?:i'm|i am|we're|he's|she's|i'll|we'll|he'll|she'll|would|will|gonna|going to) (?:be )?(?:taking|take) (?:it|her|him|them|the [\w-]+|my [\w-]+) (?:to|down to|over to) (?:the|a|another) dealer(?:ship)?\b/g,
  },
  // A switch, then its condition: "she would have to move to Bright Dental if the practice does not accept
  // it", "they would find another dairy if it happened again".
  {
    kind: 'competitor',
    pattern:
      /\b(?:would|will|'d|'ll) (?:have to |need to )?(?:move|switch|go|change) (?:over )?to (?:[A-Z][\w&'-]+|(?:another|a different|a new) (?:provider|supplier|company|vendor|firm|practice|clinic|dentist|doctor|vet|gym|agency|accountant|plumber|builder|cleaner|salon|school|system|platform|bank|insurer|dairy|carrier|courier|wholesaler|distributor|printer|roaster|bakery|butcher|laundry|lab|garage|mechanic|caterer|florist)s?)\b[^.?!]{0,60}?\b(?:if|unless)\b|\b(?:would|will|'d|'ll) (?:have to |need to )?(?:find|look for|get|use|go to) (?:another|a new|a different|other) (?:provider|supplier|company|vendor|firm|practice|clinic|dentist|doctor|vet|gym|agency|accountant|plumber|builder|cleaner|salon|school|system|platform|bank|insurer|dairy|carrier|courier|wholesaler|distributor|printer|roaster|bakery|butcher|laundry|lab|garage|mechanic|caterer|florist)s? (?:if|unless)\b|\b(?:[Ii]f|[Uu]nless)\b[^.?!]{0,80}?\b(?:would|will|'d|'ll) (?:have to |need to )?(?:move|switch|go|change) (?:over )?to (?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w&'-]+/g,
    caseSensitive: true,
  },
  // From the tune16 writers. Already joined a named rival ("I joined IronBarn down the road"); a class, course
  // or service the caller cannot continue ("Aditya will not be able to continue"); a cheaper vendor on
  // trial; a rival named as where the caller may go ("may go to SmileCare" after a price match refused).
  {
    kind: 'leaving',
    pattern:
      /\b(?:I|[Ww]e|[Ss]he|[Hh]e|[Tt]hey)(?:'ve| have| has)? (?:already |just |now )?joined (?!(?:Zoom|Teams|Meet|WhatsApp|Slack|LinkedIn|Facebook|Instagram)\b)[A-Z][\w&'-]+/g,
    caseSensitive: true,
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:will not|won't|wouldn't|would not|can't|cannot|not) be able to (?:continue|carry on|keep (?:coming|going))\b(?! (?:with (?:the )?(?:call|payment|form|booking)|today|this week))/g,
    selfNegating: true,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:trialling|trialing|testing|trying out|piloting) (?:a |an |another |a new |a different )?(?:cheaper |new |second |different )?(?:vendor|supplier|provider|distributor|wholesaler|roaster|mill|dairy|printer|carrier|courier|agency|platform|system)\b/g,
    agentToo: true,
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:match|matched|cheaper|offer|price|quote)\b[^.?!]{0,80}?\b(?:may|might) (?:just )?(?:go|switch|move) (?:over )?to (?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w&'-]+/g,
    caseSensitive: true,
    // "could not match it ... may go to SmileCare": the refusal is the point, not a negation of the threat.
    selfNegating: true,
  },
  // From the tune22 writers. Another source, on a condition, whatever the trade calls it: "it will find
  // another mill if delays recur", "if this happens again, I'll have to find another mill", "he will hire
  // another plumber if no one arrives then" (tune35).
  {
    kind: 'competitor',
    pattern: new RegExp(
      `\\b(?:would|will|'d|'ll) (?:have to |need to |just )?(?:find|look for|source from|go to|hire|call in|bring in) (?:another|a new|a different) ${NOT_ANOTHER_BUSINESS}[a-z-]+s? (?:if|unless|should)\\b|\\bif (?:this|that|it)\\b[^.?!]{0,60}?\\b(?:again|recurs?|continues?)\\b[^.?!]{0,30}?\\b(?:i|we)(?:'ll| will|'d| would) (?:have to |need to )?(?:find|look for|go to) (?:another|a new|a different) ${NOT_ANOTHER_BUSINESS}[a-z-]+`,
      'g',
    ),
  },
  // From the tune24 writers. Signing with a named rival: "if the number's the same, I'm signing with PayNest".
  {
    kind: 'leaving',
    pattern:
      /\b(?:I'm|I am|[Ww]e're|[Ww]e are|I'll|[Ww]e'll|I will|[Ww]e will|[Ss]he's|[Ss]he is|[Ss]he'll|[Hh]e's|[Hh]e is|[Hh]e'll|[Tt]hey're|[Tt]hey are|[Tt]hey'll) (?:just )?(?:signing|going to sign|sign) (?:up )?with (?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w&'-]+/g,
    caseSensitive: true,
    ifConditional: 'competitor',
  },
  // From the tune28 writers. Gone, as the recap's outcome files it: "Lead lost to competitor", "Client
  // leaving at end of September" (the outcome is read only by the rules marked for it).
  {
    kind: 'leaving',
    pattern:
      /\blost to (?:a |the |another )?(?:competitor|rival)\b|\b(?:customer|client|caller|tenant|patient|member|family) (?:is )?leaving(?=$|[.;,]| (?:at|in|on|after|before|from|for|once|when|us|by)\b)/g,
    outcomeOnly: true,
  },
  // From the tune34 writers. A purpose or outcome that files the call as the customer's departure: "Account
  // handover", "Move to another manager", "Records transfer to another clinic", "Switch to competitor"; not
  // within the business ("Transfer to another branch", "Key handover", "Student moving to new host family",
  // tune45).
  {
    kind: 'leaving',
    pattern:
      /^(?:(?:account|client|customer|file|files|records?|data|payroll|provider|management|it|books|accounts|portfolio) )?(?:hand-?over|handed over)\b(?! (?:of |the )?(?:keys?|shift|site|vehicle|car|project|property|home|unit|flat|house)\b| (?:on |this |next |by )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|\d))|\b(?:using|staying with|sticking with|going with|gone with|went with) (?:a |the )?(?:competitor|rival)\b|\b(?:customer|client|caller)s? (?:is |are )?(?:switching|changing) (?:suppliers?|providers?)\b|^switching (?:suppliers?|providers?)\b|\b(?:move[ds]?|moving|switch(?:ed|es|ing)?|transfer(?:red|s|ring)?|hand-?over|lost) to (?:another|a new|a different|new|a competitor|competitor|a rival|rival)\b(?! (?:branch|location|site|store|club|room|date|day|time|slot|class|team|department|technician|staff|stylist|instructor|therapist|tutor|teacher|driver|round|run|route|rota|rep|crew|account manager|plan|tier|package|unit|flat|house|address|property|home|studio|venue|court|pitch|rink|pool|cabin|cottage|chalet|suite|villa|apartment|caravan|bed|seat|table|ward|desk|locker|vehicle|car|van|truck|host famil(?:y|ie)|homestay|placement|group|coach|carer|mentor|dorm|kennel|stable|stall|paddock|level)s?\b)/g,
    outcomeOnly: true,
    ifConditional: 'competitor',
  },
  // An action item to replace the supplier: "Find a new egg supplier", "Source an alternative packaging
  // supplier" (61 of 61 such in the tuning sets are on calls labelled critical; "Get quotes from", "Line up a
  // backup" and "Look for" are still choosing: high or medium) (tune49).
  {
    kind: 'leaving',
    pattern:
      /^(?:start )?(?:find|source|sourcing|finding) (?:an? )?(?:new|alternative|replacement|another|different) (?:[\w-]+ ){0,3}?(?:supplier|wholesaler|distributor|vendor)s?\b/g,
  },
  // A purpose or outcome that files the call as the relationship ended: "Account closure", "Contract
  // termination", "Service ending" (all 63 such purposes in the tuning sets are on calls labelled critical);
  // "Supplier leaving region", "Supplier closing depot", "Supplier exit notice" (all 88 such, tune40),
  // "Supplier ending Aitutaki deliveries" (tune42).
  {
    kind: 'leaving',
    pattern:
      /^(?:(?:trade|supplier|customer|client|business|wholesale) )?(?:account|contract|service|membership|subscription|agreement|retainer) (?:closure|closing|termination|ending|end)\b(?! (?:dates?|query|question|enquiry|inquiry|policy|fees?|terms|clause|notice period)\b)|\b(?:supplier|distributor|wholesaler|merchant|vendor)s? (?:is |are )?(?:leaving|exiting|exit|closing|pulling out|withdrawing|ceasing|closure|ending)\b/g,
    outcomeOnly: true,
  },
  // A purpose or outcome that files the call as a withdrawal given, or a child leaving: "Withdrawal notice",
  // "Withdrawal notice accepted; last day the 29th", "Child leaving; last day 20th December" (tune43). Not
  // one considered ("Possible withdrawal", "parent considering withdrawal") or asked about ("Withdrawal notice
  // period"). A leaving date settled or a leaver called back: "Leaving date confirmed", "Leaver follow-up" (tune56).
  {
    kind: 'leaving',
    pattern:
      /(?<=^|; *)(?:withdrawal(?: notice)?(?: (?:given|accepted|confirmed|noted|processed|received|left by voicemail)\b|(?= *(?:[;,.]|$)))|(?:child|pupil|student) (?:is )?leaving\b|leaving date (?:confirmed|agreed|set|noted|fixed)\b|leaver (?:follow-?up|check-?in|call|notice)\b)/g,
    outcomeOnly: true,
  },
  // From the tune37 writers. An outcome or purpose that files the call as a legal or regulatory threat:
  // "Customer pursuing legal action", "Legal threat", "caller threatening small claims action", "family
  // reporting to regulator" (55 of the 60 outcomes and purposes in the tuning sets naming the law or a
  // regulator are on calls labelled critical; the others name a device or the business's own solicitor).
  {
    kind: 'legal',
    pattern:
      /\blegal (?:action|threat|notice|proceedings|claim|letter)s?\b|^legal$|\b(?:threaten(?:s|ed|ing)?|pursuing|taking|proceeding with|lodg(?:ed|ing)|fil(?:ed|ing)) (?:[\w-]+ ){0,3}?(?:legal|tribunal|court|small claims|ombudsman|regulator)\b|\b(?:report|reports|reporting|reported|escalate|escalates|escalating|escalated) (?:[\w-]+ ){0,2}?to (?:the )?(?:regulator|ombudsman|trading standards|tribunal)\b|\b(?:caller|customer|client|tenant|patient)(?:'s)? (?:solicitor|lawyer|attorney)\b/g,
    outcomeOnly: true,
  },
  // Threats a recap reports in its own words: "said they would move the account to Lumen Wholesale", "warned
  // that another late drop would mean changing supplier", "would reconsider using the firm next year".
  {
    kind: 'competitor',
    pattern:
      /\b(?:would|will|could|might|may|'d|'ll) (?:move|take|switch|transfer) (?:the|their|her|his|our|its|my) (?:account|business|custom|orders?|work|contract)s?(?: (?:over )?(?:to|elsewhere)\b|(?= (?:if|unless)\b))(?! (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|next|later|\d)| (?:the |a |an |my |our |his |her |their )?(?:new |other |same )?(?:card|address|e-?mail|direct debit|monthly|annual|quarterly|weekly|invoice|billing|paperless|online|app|portal|system|plan|tier|branch|name|number|bank)\b)|\b(?:would|will|could|might) mean (?:changing|switching|finding another|finding a new|looking for another|looking elsewhere|going elsewhere|leaving)\b|\breconsider(?:ing)? (?:using|working with|staying with|renewing (?:with )?|ordering from|buying from) (?:the|this|your|our|you|us|them)\b/g,
  },
  ...GONE_RULES,
  // A decision the agent could not change: "the caller was not persuaded to stay".
  {
    kind: 'leaving',
    pattern: /\b(?:not|n't|never) (?:be |been )?(?:persuaded|convinced|talked round|talked around) to stay\b/g,
    selfNegating: true,
  },
  // The custom moved to another business: "she is transferring all of the family's prescriptions to another
  // pharmacy", "having already transferred her care to another clinic".
  {
    kind: 'leaving',
    pattern: new RegExp(
      `\\b(?:transferring|transferred|moving|moved) (?:all (?:of )?)?(?:(?:my|our|her|his|their|the family's|the) )?(?:[\\w']+ ){0,3}?(?:prescriptions?|care|records|accounts?|business|custom|polic(?:y|ies)|pets?|children|kids|family|files)(?: over)? to (?:another|a different|a new) ${NOT_ANOTHER_BUSINESS}[a-z]+`,
      'g',
    ),
    ifConditional: 'competitor',
  },
  // A service to be moved away: "he wants to move the hosting over in September", "plans to move the payroll
  // at the renewal" (not one booking moved: "move the appointment over to Friday").
  {
    kind: 'competitor',
    pattern: new RegExp(
      `\\b(?:wants?|wanted|going|plans?|planning|looking|decided|thinking of|considering|ready) (?:to )?(?:move|moving|take|taking|shift|shifting) (?:the|our|my|their|his|her) (?!(?:[\\w-]+ ){0,2}?(?:${ONE_BOOKING_NOUN}|office|house|home|furniture|desks?|car|van|stock|boxes|kids|family|date|time)\\b)(?:[\\w-]+ ){0,2}?(?:over|across|elsewhere|away|at (?:the )?(?:[\\w-]+ )?renewal)\\b(?! (?:town|the (?:road|street|hall|room|way|corridor|yard)))`,
      'g',
    ),
  },
  // A board's or an owner's vote: "the board voted to bring IT support in-house".
  {
    kind: 'leaving',
    pattern:
      /\bvoted to (?:bring (?:[\w-]+ ){0,3}?in-house|cancel|end|leave|switch|terminate|move (?:to|over|elsewhere)|go with)\b/g,
  },
];
