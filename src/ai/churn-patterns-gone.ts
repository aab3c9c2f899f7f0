// Churn phrasings added from the tune47, tune48, tune51, tune58 to tune60 writers' calls, read in this order
// inside PLAN_RULES of churn-patterns-plans.ts (which spreads them there): a customer already buying from a
// rival, a plan to get the goods from one, a child taken out of classes, a rival's quote accepted, a threat to
// turn others away from the business, a price match asked for or the goods bought from the rival instead, the
// custom taken there, a supply the caller will source for themselves, someone else used from now on, and other
// mills priced out.
import { NOT_ANOTHER_BUSINESS, type SignalRule } from './churn-rules';

export const GONE_RULES: readonly SignalRule[] = [
  // Already buying from a rival: "I buy from Kenema Moto Spares now", "he now buys most of his parts from
  // Kenema Moto Spares" (not "now and then"); a plan to: "I'll probably just get me veg from the Co-op".
  {
    kind: 'leaving',
    pattern:
      /\b(?:I|[Ww]e|[Hh]e|[Ss]he|[Tt]hey) (?:now (?:buys?|gets?|orders?|sources?)|(?:buys?|gets?|orders?|sources?)(?= [^.?!]{0,50}? now\b(?! and then)))(?: (?:most|all|some|the rest|half) of (?:my|our|his|her|their) [\w-]+| (?:my|our|his|her|their) [\w-]+| everything)? from (?:the )?[A-Z][\w&'-]*/g,
    caseSensitive: true,
    ifConditional: 'competitor',
  },
  {
    kind: 'competitor',
    pattern:
      /\b(?:I'll|[Ww]e'll|I will|[Ww]e will|I'm gonna|I'm going to)(?: (?:probably|just))*(?: [^.?!,;]{1,30}? and)? (?:get|buy|order) (?:me|my|our|the) [\w-]+(?: [\w-]+)? from (?:the )?[A-Z][\w&'-]*/g,
    caseSensitive: true,
  },
  // A child taken out after this term, or not re-enrolled: "we're going to take them out after this term".
  {
    kind: 'leaving',
    pattern:
      /\b(?:take|taking|pull|pulling) (?:them|him|her|(?:the|my|our) (?:kids|children|boys|girls|twins|son|daughter)) out (?:after|at the end of|from) (?:this|the|next) (?:term|month|year|season|block|semester)\b|\bnot (?:be )?re-?enrol(?:l?ing|l?ed)?\b/g,
    selfNegating: true,
    ifConditional: 'competitor',
  },
  // A rival's quote taken: "they have accepted a cheaper quote from Greenway Gardens" (tune51). Not a quote
  // from us, and not one only mentioned.
  {
    kind: 'leaving',
    pattern:
      /\b(?:accepted|taken|took|gone with|went with|signed) (?:a |an |the |their |his |her )?(?:cheaper|lower|better|rival|competing|competitor's|another|other) (?:[\w-]+ )?(?:quote|offer|bid|estimate|tender|price)s? (?:from|with|by) (?!(?:you|us)\b)/g,
  },
  // A decision to take the booking or the custom to another business: "they have decided to take their annual
  // caravan site at another park next season" (tune53).
  {
    kind: 'leaving',
    pattern: new RegExp(
      `\\bdecided to (?:go|move|take (?:[\\w'-]+ ){0,5}?)(?:to|at|with) (?:another|a different|a new|a cheaper) ${NOT_ANOTHER_BUSINESS}[a-z]+`,
      'g',
    ),
  },
  // Turning others away: "I'm telling everybody in Kronum not to bring you even a handkerchief", "threatened
  // to warn people in her area away from the business".
  {
    kind: 'competitor',
    pattern:
      /\b(?:tell(?:ing)?|warn(?:ing)?) (?:every(?:one|body)|people|all (?:my|our|the) (?:friends|neighbou?rs|family|customers|members)|the whole (?:street|town|village|estate|island|parish|county))(?: [\w']+){0,3}? (?:not to (?:use|bring|come|go|book|buy|deal|shop|touch|call)|to (?:stay away|avoid)|away from|off)\b|\bwarn(?:ed|ing)? (?:(?:other|all the|all) )?(?:people|others|everyone|everybody|folk|neighbou?rs|parents|customers|families|friends)(?: [\w']+){0,4}? away\b/g,
  },
  // "Match it, or she would buy it there instead"; "otherwise I'll just drive over to Ballarat" (a town named,
  // not Mum's or a weekday).
  {
    kind: 'competitor',
    pattern:
      /\bor (?:he|she|they|i|we|the (?:caller|customer|client|member))(?: would|'d| will|'ll)(?: just| simply)? (?:buy|get|order|shop|go|take)(?: (?:it|them|one|the [\w-]+|(?:his|her|their|my|our) (?:business|custom|order)))? (?:there|from them|with them|elsewhere)(?: instead)?\b/g,
  },
  {
    kind: 'competitor',
    pattern:
      /\b[Oo]therwise,? (?:I|[Ww]e)(?:'ll| will| would|'d| gonna| am going to| are going to)?(?: just| simply)? (?:run|go|head|drive|pop|nip|shoot|take (?:it|them|my business|our business))(?: (?:over|down|up|across|out|back))? to (?!(?:Mum|Mom|Mam|Dad|Nan|Nana|Gran|Granny|Grandma|Grandad|Grandpa|Auntie|Aunt|Uncle|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Christmas|Easter|A&E|ER|Church|Mass)\b)[A-Z][\w&'-]*/g,
    caseSensitive: true,
  },
  // "Take her future camping business there": decided, leaving; under a condition, a threat (not business cards).
  {
    kind: 'leaving',
    pattern:
      /\b(?:take|taking|move|moving) (?:my|our|his|her|their) (?:future |other )?(?:[\w-]+ ){0,2}?(?:business|custom|trade)(?! cards?\b) (?:there|to them|over there)(?: instead)?\b/g,
    ifConditional: 'competitor',
  },
  // "Will source his own feed supply if the price rises again": the supply taken elsewhere (not grown at home).
  {
    kind: 'competitor',
    pattern:
      /\b(?:arrange|arranging|source|sourcing|sort out|sorting out|organi[sz]e|organi[sz]ing|find|finding|get|getting) (?:my|his|her|their|our) own (?:[\w-]+ )?(?:supply|supplies|supplier|suppliers)\b/g,
  },
  // Done with the business, said as who comes next: "I'm done, I'll be using someone else from now on" (not
  // "someone else's car"); "she said she will no longer use the firm" (tune60).
  {
    kind: 'leaving',
    pattern:
      /\b(?:i'll|i will|we'll|we will|he'll|he will|she'll|she will|they'll|they will|i'm|we're|i am|we are)(?: just)? (?:be )?(?:using|use|going (?:to go )?with|go with|trying|try) (?:someone|somebody) else\b(?!')/g,
    ifConditional: 'competitor',
  },
  {
    kind: 'leaving',
    pattern:
      /\b(?:will|'ll|would|'d|is going to|are going to) no longer (?:be )?(?:us(?:e|ing)|book(?:ing)?|deal(?:ing)? with|order(?:ing)? from|buy(?:ing)? from|shop(?:ping)? (?:at|with)) (?:you|ye|yous|you lot|them|us|the (?:firm|company|business|shop|service|practice|salon|garage|clinic)|(?:their|your|our) services?)\b/g,
    selfNegating: true,
    ifConditional: 'competitor',
  },
  // A business shopping for a rival supplier: "I'm gonna have to price out a couple other mills" (tune60; not
  // "price out the other colours"). "Get quotes from two other insurers" is still choosing: all 3 such in the
  // tuning sets are on calls labelled medium.
  {
    kind: 'competitor',
    pattern:
      /\bpric(?:e|ing) out (?:a couple (?:of )?|a few |some |two |three |several )?other (?!(?:options?|colou?rs?|sizes?|models?|styles?|designs?|versions?|packages?|plans?|items?|products?|ones?|bits?|parts?|jobs?|rooms?)\b)[\w-]+/g,
  },
];
