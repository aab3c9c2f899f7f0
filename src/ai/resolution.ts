// "Resolved" from Dialpad's recap outcome or disposition, and when neither says, from what the call
// itself shows. Outcomes are free text in practice ("Resolved", "Two users added", "Manager to call
// back", "Shipping not waived; no order placed"), so they are read with patterns: unresolved first
// ("resolved pending a callback" is not resolved yet), then resolved. The rules are in README.md.
import { normaliseText, splitSentences } from './text';

/**
 * The call never became a conversation: nothing can have been resolved or left unresolved. A missed visit or
 * goods dropped off ("ten bags dropped today") are not a missed or dropped call.
 */
const NO_CONVERSATION =
  /\b(?:voice ?mail|left (?:a )?message|no answer|not answered|unanswered|abandoned|(?<!\bif [^.;]{0,40})missed(?![- ](?:appointments?|visits?|sessions?|class(?:es)?|payments?|deliver(?:y|ies)|collections?|lessons?|fees?|doses?)\b)|busy|not reached|no contact|(?<!\b(?:items?|goods|parcels?|boxes|stock|orders?|deliver(?:y|ies)|prices?|charges?|fees?|claims?) )dropped(?! (?:off|at|to|in|round|over|today|tomorrow|this|on|by)\b)|wrong number)\b/i;

/**
 * Outcomes whose objective was not met: not done, declined, pending someone else's decision or action.
 * "No action needed" and "no further action" are the exception: nothing was left to do.
 */
const UNRESOLVED =
  /\b(?:unresolved|not (?:yet )?\w+|(?:unable|failed) to \w+|could(?:n't| not) (?:\w+)|can(?:'t|not) \w+|no (?!(?:further )?action\b|changes? (?:needed|required|necessary)\b|(?:[\w-]+ )?(?:charges?|fees?|cost)\b|longer\b|problems?\b|issues?\b)\w+|without (?!(?:an? |any )?(?:fees?|charges?|penalty|penalties|cost|costs|problems?|issues?|fuss)\b)\w+|(?:partial(?:ly)?|half of)(?![^;]*\b(?:agreed|issued|processed|approved|accepted|granted|given|paid|refunded|credited|waived)\b| (?:[\w-]+ )?(?:refund|credit)s?\b)|partly|unconfirmed|pending|awaiting|waiting (?:for|on)|follow[- ]?up (?:required|needed)|escalat\w*|call ?back|(?<!\b(?:refund|money|payment|funds|balance|deposit|amount|credit|files?|records?|ownership|refills?|place|booking|notes|documents?)s? (?:to be |will be |are |were |was |have been |has been )?)transferr(?:ed|ing)(?! (?:to (?:your|her|his|their|the (?:customer|client|caller)'?s?) (?:account|bank|card)))|in progress|ongoing|open(?:ed)?|under (?:investigation|review)|investigat\w*|ticket (?:raised|opened|created|logged)|needs? (?:approval|manager|\w+ approval)|undecided|considering|thinking (?:about|it over)|declined|denied|refused|rejected|disputed|referred|out of stock|unavailable|on (?:stop|hold)|may (?:stop|cancel|leave)|solicitor|chargeback|complaint (?:logged|raised|lodged|filed)|delayed|on (?:back-?)?order|threaten\w*|wait(?:-?list(?:ed)?|ing list)|(?:to|will) revert|(?:still|remains?) outstanding|(?<!\b(?:praise|compliments?|thanks|positive feedback|kind words) )passed (?:on )?to|request (?:to be )?(?:sent|forwarded) to|deferred|legal action|re-?inspect\w*|booked back in|rebooked for inspection|trading standards|attorney|ombudsman|(?:to|with) (?:the )?regulator|regulator complaint|to be (?:checked|inspected|assessed|diagnosed|investigated|reviewed|followed up)|(?:signed|went|gone) with (?:a |the )?(?:competitor|rival)|leaning (?:to|towards) (?:a |the )?(?:competitor|rival)|lost to|(?:reviewing|weighing|exploring) (?:their |her |his |our |my )?options|likely to (?:stop|cancel|leave|switch)|dissatisfied|under protest|(?:revised|reduced|new|updated|better|lower) (?:[\w-]+ )?(?:quote|proposal|offer|price|pricing)s? (?:due|to (?:be \w+|follow)|will be|pending|coming|requested)|intends? to (?:cancel|leave|switch|stop)|(?:charge|fee|increase|price|rise|deduction|invoice|rent|change|decision|policy|dispute)s? (?:upheld|stands)|at risk|(?:date|time|eta|cause|reason|fault|timescale|timeline)s? (?:still )?unknown|back-?ordered(?= *$)|back-?order placed|dispute (?:already )?(?:lodged|raised|filed|opened)|(?:refund|callback|call back|compensation|replacement)s? demanded|(?:caller|customer|client) disput(?:es|ing))\b/i;

/** Someone on our side still has to act or decide before the caller has what they called for. */
const PENDING_ON_US =
  /\b(?:agent|manager|supervisor|director|billing|accounts?|team|engineer|technician|office|rep|staff|sales|support|we|owner|specialist|head office|store|claims|warehouse|carrier|courier|lender|insurer|landlord|vendor|supplier|principal|bursar|doctor|dentist|coordinator|admin|finance|management|committee|board)\b(?: (?!(?:committed|agreed|promised|pledged|contacts?|details|numbers?)\b)\w+)? (?:to|will) (?!(?:enforce|fix|replace|repair|deliver|send|refund|credit|install|return|reimburse|waive|sort|address|email|post|dispatch|ship|apply|process|honou?r)\b)\w+/i;

/** Outcomes saying what was done: "booked", "waived", "set up", a remedy given ("20% discount"). */
const RESOLVED =
  /\b(?:resolved|fixed|solved|sorted|completed?|done|answered|provided|placed|processed|booked|confirmed|scheduled|issued|applied|accepted|successful(?:ly)?|sale|sold|paid|updated|retained|handled|satisfied|sent|set up|given|made|taken|kept|frozen|withdrawn|ready|no (?:further )?action|working (?:again|fine|normally)|back (?:online|up and running)|[a-z]{3,}ed|discount|credit|refund|replacement|to be \w+ed|(?:customer|caller|client|patient|member|tenant) (?:to|will) \w+|\w+ (?:to|will) (?:enforce|fix|replace|repair|deliver|send|refund|credit|install|return|reimburse|waive|sort)\b)\b/i;

export interface ResolutionReading {
  resolved: boolean | null;
  explanation: string | null;
  /** Which input decided: 'outcome', 'disposition', 'recap', 'transcript', or null. */
  basis: 'outcome' | 'disposition' | 'recap' | 'transcript' | null;
}

export interface CallForResolution {
  summary: string | null;
  /** Speech in call order, with speakers. */
  speech: ReadonlyArray<{ speaker: 'agent' | 'caller' | 'unknown'; text: string }>;
  /** Mean sentiment of the caller's last third (sentiment.ts), when the caller spoke. */
  callerEnding?: number | null;
}

export function readResolution(
  outcome: string | null | undefined,
  disposition: string | null | undefined,
  call?: CallForResolution,
): ResolutionReading {
  const sources: Array<['outcome' | 'disposition', string | null | undefined]> = [
    ['outcome', outcome],
    ['disposition', disposition],
  ];
  // No conversation (a voicemail, a missed call) decides first, the disposition before the outcome: a
  // voicemail was one-sided whatever its recap's outcome says ("Callback requested", "Delivery delay
  // notified"), so nobody on our side could meet or fail the caller's aim.
  for (const [label, raw] of [...sources].reverse()) {
    const text = typeof raw === 'string' ? normaliseText(raw) : '';
    const none = NO_CONVERSATION.exec(text);
    if (none)
      return {
        resolved: null,
        basis: label,
        explanation: `${label} "${text}" says there was no conversation ("${none[0]}"), so unknown.`,
      };
  }
  let seen: string | null = null;
  for (const [label, raw] of sources) {
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const text = normaliseText(raw);
    seen ??= `${label} "${text}"`;
    const reading = readOutcomeText(text);
    if (reading !== null)
      return { resolved: reading.resolved, basis: label, explanation: `${label} "${text}" ${reading.why}.` };
  }
  const fromCall = call ? readCall(call) : null;
  if (fromCall)
    return { ...fromCall, explanation: seen ? `${seen} says neither; ${fromCall.explanation}` : fromCall.explanation };
  // An outcome that names nothing left open, refused or pending ("Quarterly review", "New address on
  // file") records what the call achieved: resolved. A disposition is a call type ("Follow-up",
  // "Collections"), not a result, so it gets no such default.
  const outcomeText = typeof outcome === 'string' ? normaliseText(outcome) : '';
  if (outcomeText !== '')
    return {
      resolved: true,
      basis: 'outcome',
      explanation: `outcome "${outcomeText}" names nothing open, refused or pending, so resolved.`,
    };
  return {
    resolved: null,
    basis: null,
    explanation: seen ? `${seen} says neither resolved nor unresolved, so unknown.` : null,
  };
}

function readOutcomeText(text: string): { resolved: boolean; why: string } | null {
  // Each clause of "Refund request raised; pending head office" is read: any unresolved clause wins.
  const clauses = text.split(/\s*[;]\s*|\s*,\s*(?=[a-z])/i).filter((c) => c !== '');
  for (const clause of clauses) {
    const m = PENDING_ON_US.exec(clause) ?? UNRESOLVED.exec(clause);
    if (m) return { resolved: false, why: `reads as unresolved ("${m[0]}")` };
  }
  const m = RESOLVED.exec(text);
  return m ? { resolved: true, why: `reads as resolved ("${m[0]}")` } : null;
}

/** The agent saying it is done ("You're booked", "That's gone now", "I've refunded the second one"). */
const AGENT_DONE =
  /\b(?:(?:you're|you are|that's|it's|all|we're|you're all) (?:booked|done|sorted|set|sent|gone|fixed|cancelled|updated|confirmed|processed|through|in)|all (?:done|set|sorted)|(?:i've|i have|we've|we have) (?:just )?(?!(?:logged|raised|escalated|passed|forwarded|referred|flagged|noted|opened|asked)\b)(?:\w+ed|sent|put|taken|made|set|got you|given|done)|i'm (?:\w+ing) it (?:now|through)|(?:i'll|we'll) (?:refund|credit|replace|waive|book|sort)|fixes|should be (?:back|working|fixed)|(?:booked|sent|sorted|fixed) (?:in|for|now|it))\b/i;
/** The agent handing the problem on, or unable to help. */
const AGENT_PENDING =
  /\b(?:i'll (?:call|ring|check|ask|find out|chase|look into|escalate|get back|have someone|get someone)|(?:get|call|ring) (?:you )?back|someone will|i (?:can't|cannot|don't) (?:\w+ )?(?:change|do|help|make|roll|reverse|refund|waive)|not (?:something|able)|unable to)\b/i;
/** The caller confirming it works now. */
const CALLER_DONE =
  /\b(?:it's (?:back|working|fixed|sorted)|there it is|that's (?:sorted|fixed|done|working)|works now|got it now)\b/i;
/** Summaries narrating an agent's completed action, or one left pending. */
const RECAP_DONE =
  /\b(?:agent|rep|we|they|she|he|staff|team)\b[^.]*?\b(?:confirmed|booked|rebooked|issued|sent|emailed|processed|refunded|waived|arranged|fixed|sorted|resolved|explained|provided|updated|added|applied|cancelled|reset|unlocked|scheduled|set up|lodged|credited|replaced|dispatched|answered)\b/i;
const RECAP_PENDING =
  /\b(?:will (?:call|ring|follow|check|investigate|get back|confirm|look)|escalated|could not|couldn't|cannot|can't|unable|promised|pending|awaiting|declined|refused|had passed|no longer|not (?:possible|available|eligible)|no discount)\b/i;

/**
 * No outcome or disposition: the call itself may still show the caller got what they called for (the
 * agent saying "You're booked", the recap saying "Agent confirmed ...") or did not (the agent handing it
 * on, the caller leaving unhappy). A one-sided call (a voicemail) says nothing either way.
 */
function readCall(
  call: CallForResolution,
): (Omit<ResolutionReading, 'basis'> & { basis: 'recap' | 'transcript' }) | null {
  const agent = call.speech.filter((l) => l.speaker === 'agent');
  const caller = call.speech.filter((l) => l.speaker === 'caller');
  if (agent.length > 0 && caller.length > 0) {
    const lateAgent = agent.slice(-Math.max(2, Math.ceil(agent.length / 2)));
    const pending = lateAgent.map((l) => AGENT_PENDING.exec(l.text)).find((m) => m !== null);
    const done =
      lateAgent.map((l) => AGENT_DONE.exec(l.text)).find((m) => m !== null) ??
      caller
        .slice(-2)
        .map((l) => CALLER_DONE.exec(l.text))
        .find((m) => m !== null);
    if (pending && !done)
      return {
        resolved: false,
        basis: 'transcript',
        explanation: `no outcome; the agent said "${pending[0]}", so unresolved.`,
      };
    if (done)
      return { resolved: true, basis: 'transcript', explanation: `no outcome; "${done[0]}" was said, so resolved.` };
  }
  const recapReading = call.summary && !NO_CONVERSATION.test(call.summary) ? readRecap(call.summary) : null;
  if (recapReading) return recapReading;
  // A real conversation with nothing left pending: the caller got what they called for, unless they
  // ended it unhappy.
  // Unless the call had no request to meet: the caller only told us something (notice of a price rise,
  // a decision to leave).
  const noRequest =
    call.summary !== null &&
    /\b(?:will not renew|won't renew|not renewing|signed with|going with [^.]*? instead|decided to (?:go|leave|move|switch)|(?:called|rang) to (?:let|inform|notify|tell|give notice|advise)|to give notice)\b/i.test(
      call.summary,
    );
  if (
    !noRequest &&
    agent.length >= 2 &&
    caller.length >= 2 &&
    call.callerEnding !== undefined &&
    call.callerEnding !== null
  ) {
    return call.callerEnding <= -ENDED_UNHAPPY
      ? {
          resolved: false,
          basis: 'transcript',
          explanation: 'no outcome; the caller ended the call unhappy, so unresolved.',
        }
      : {
          resolved: true,
          basis: 'transcript',
          explanation: 'no outcome; a conversation with nothing left pending, so resolved.',
        };
  }
  return null;
}

/** How negative the caller's last third must be for an outcome-less call to read as unresolved. */
const ENDED_UNHAPPY = 0.3;

function readRecap(summary: string): (Omit<ResolutionReading, 'basis'> & { basis: 'recap' }) | null {
  {
    for (const sentence of splitSentences(summary).reverse()) {
      const pending = RECAP_PENDING.exec(sentence);
      if (pending)
        return {
          resolved: false,
          basis: 'recap',
          explanation: `no outcome; the recap says "${pending[0]}", so unresolved.`,
        };
      const done = RECAP_DONE.exec(sentence);
      if (done)
        return { resolved: true, basis: 'recap', explanation: `no outcome; the recap says "${done[0]}", so resolved.` };
    }
  }
  return null;
}

/** Reads a value Dialpad may send as a boolean or as text ("Resolved", "No"). */
export function parseProvidedResolved(value: boolean | string | null | undefined): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'y'].includes(v)) return true;
  if (['false', 'no', 'n'].includes(v)) return false;
  return readResolution(v, null).resolved;
}
