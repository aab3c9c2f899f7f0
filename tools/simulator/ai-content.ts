import type { Random } from './random';

/**
 * What Dialpad Ai would say about a call: a recap (summary, outcome, purposes, action items) and a
 * transcript whose tone matches it, so Navigator's own sentiment, churn and theme derivation has
 * something real to work on. The tone is recorded in the emitter's expected outcome.
 */
export type Tone = 'positive' | 'negative' | 'neutral' | 'mixed';
export type Outcome = 'Resolved' | 'Follow-up required' | 'Escalated' | 'Unresolved';

export interface AiRecapContent {
  summary: string;
  outcome: Outcome;
  purposes: { category: string; content: string }[];
  actionItems: string[];
  tone: Tone;
}

export interface TranscriptLine {
  type: 'transcript' | 'moment';
  content: string;
  name: string;
  /** ISO 8601 */
  time: string;
  user_id?: string;
  contact_id?: string;
}

interface Topic {
  category: string;
  content: string;
  moment: string;
  opener: string;
  complaint: string;
  praise: string;
  neutral: string;
  fix: string;
  noFix: string;
  action: string;
  /** Third person, for the recap summary. */
  problem: string;
  resolved: string;
  unresolved: string;
}

const TOPICS: readonly Topic[] = [
  {
    category: 'Delivery issue',
    content: 'Late order',
    moment: 'late_delivery',
    opener: 'my order still has not arrived',
    complaint: "This is the third time it's late and I'm really frustrated, we might have to look at other suppliers.",
    praise: 'Thanks, that is great news, really appreciate the quick help.',
    neutral: 'Okay, can you tell me when it will arrive?',
    fix: "I've expedited it and it will arrive Friday, and I've added a credit for the shipping.",
    noFix: "I can't see a new date yet; the carrier hasn't updated us.",
    action: 'Send delivery confirmation email',
    problem: 'their order had not arrived',
    resolved: 'expedited it for Friday delivery and credited the shipping fee',
    unresolved: 'had no new delivery date from the carrier',
  },
  {
    category: 'Billing',
    content: 'Invoice discrepancy',
    moment: 'billing_question',
    opener: 'the last invoice looks wrong',
    complaint: "We were overcharged again. Honestly this is unacceptable and I'm considering cancelling.",
    praise: 'Perfect, thank you so much for sorting that out.',
    neutral: 'Could you check the line items on invoice 4471?',
    fix: "You're right, I've issued a corrected invoice and refunded the difference.",
    noFix: 'I need to check with finance before I can change it.',
    action: 'Issue corrected invoice',
    problem: 'the last invoice looked wrong',
    resolved: 'issued a corrected invoice and refunded the difference',
    unresolved: 'needs finance to approve a correction',
  },
  {
    category: 'Order status',
    content: 'New order enquiry',
    moment: 'price_inquiry',
    opener: "I'd like to place a larger order this month",
    complaint: 'Your prices went up again and the lead times are terrible.',
    praise: 'Brilliant, that pricing works well for us, great service as always.',
    neutral: 'What would the lead time be for two hundred units?',
    fix: "I've reserved the stock and sent a quote with the volume discount.",
    noFix: "We don't have stock for that quantity at the moment.",
    action: 'Send volume quote',
    problem: 'they want to place a larger order',
    resolved: 'reserved the stock and sent a quote with a volume discount',
    unresolved: 'could not offer stock for that quantity',
  },
  {
    category: 'Technical support',
    content: 'Product not working',
    moment: 'technical_issue',
    opener: 'the unit you installed keeps shutting down',
    complaint: "It broke again, we've lost a whole day of work and nobody called us back.",
    praise: 'It works now, thank you, that was really helpful.',
    neutral: 'It shows error code E42 when it restarts.',
    fix: "I've walked you through the reset and booked an engineer for tomorrow to replace the part.",
    noFix: "I'll have to escalate this to our engineering team.",
    action: 'Book engineer visit',
    problem: 'an installed unit keeps shutting down',
    resolved: 'walked them through a reset and booked an engineer to replace the part',
    unresolved: 'escalated the fault to engineering',
  },
  {
    category: 'Cancellation',
    content: 'Contract renewal',
    moment: 'cancellation_risk',
    opener: 'our contract is up for renewal next month',
    complaint: "We're not happy with the service lately and we're thinking of cancelling the contract.",
    praise: "We're happy to renew, the team has been excellent.",
    neutral: 'Can you send the renewal terms?',
    fix: "I've offered a loyalty discount and the renewal paperwork is on its way.",
    noFix: "I'll need my manager to approve any change to the terms.",
    action: 'Send renewal terms',
    problem: 'their contract is up for renewal',
    resolved: 'offered a loyalty discount and sent the renewal paperwork',
    unresolved: 'needs a manager to approve new terms',
  },
  {
    category: 'Scheduling',
    content: 'Appointment change',
    moment: 'reschedule',
    opener: 'I need to move our appointment',
    complaint: "This is the second time you've rescheduled on us, it's very disappointing.",
    praise: 'Lovely, thanks for fitting us in so quickly.',
    neutral: 'Is Thursday morning possible instead?',
    fix: "Done, you're booked for Thursday at nine.",
    noFix: 'Thursday is full; the next slot is in two weeks.',
    action: 'Confirm new appointment',
    problem: 'they need to move an appointment',
    resolved: 'rebooked them for Thursday at nine',
    unresolved: 'could only offer a slot in two weeks',
  },
];

const OUTCOME_BY_TONE: Record<Tone, readonly (readonly [Outcome, number])[]> = {
  positive: [
    ['Resolved', 85],
    ['Follow-up required', 15],
  ],
  neutral: [
    ['Resolved', 55],
    ['Follow-up required', 45],
  ],
  mixed: [
    ['Resolved', 40],
    ['Follow-up required', 35],
    ['Escalated', 25],
  ],
  negative: [
    ['Escalated', 40],
    ['Unresolved', 35],
    ['Follow-up required', 25],
  ],
};

export interface ConversationAi {
  recap: AiRecapContent;
  transcript: TranscriptLine[];
}

export function generateAi(
  r: Random,
  p: {
    agentName: string;
    agentUserId: string;
    callerName: string;
    callerContactId: string | null;
    connectedAt: number;
    endedAt: number;
    internal: boolean;
  },
): ConversationAi {
  const [first, second] = r.shuffle([...TOPICS]) as [Topic, Topic];
  const topics = r.chance(0.3) ? [first, second] : [first];
  const tone = r.weighted([
    ['positive', 35],
    ['neutral', 30],
    ['negative', 20],
    ['mixed', 15],
  ] as const satisfies readonly (readonly [Tone, number])[]);
  const outcome = r.weighted(OUTCOME_BY_TONE[tone]);
  const solved = outcome === 'Resolved';

  const summary =
    `${p.callerName} called because ${first.problem}` +
    (topics.length > 1 ? ` and also asked about ${second.content.toLowerCase()}` : '') +
    `. ${p.agentName} ${solved ? first.resolved : `could not resolve it on the call and ${first.unresolved}`}.` +
    (tone === 'negative' ? ' The caller was frustrated.' : tone === 'positive' ? ' The caller was pleased.' : '');

  const lines: TranscriptLine[] = [];
  let t = p.connectedAt + 1000;
  const span = Math.max(10_000, p.endedAt - p.connectedAt);
  const step = () => {
    t = Math.min(p.endedAt - 500, t + Math.round(span / 9));
    return new Date(t).toISOString();
  };
  const agent = (content: string) =>
    lines.push({ type: 'transcript', content, name: p.agentName, time: step(), user_id: p.agentUserId });
  const caller = (content: string) =>
    lines.push({
      type: 'transcript',
      content,
      name: p.callerName,
      time: step(),
      ...(p.callerContactId ? { contact_id: p.callerContactId } : {}),
    });
  agent(`Thanks for calling, this is ${p.agentName.split(' ')[0]}, how can I help?`);
  caller(`Hi, ${first.opener}.`);
  lines.push({ type: 'moment', content: first.moment, name: '', time: new Date(t).toISOString() });
  caller(tone === 'negative' || tone === 'mixed' ? first.complaint : first.neutral);
  agent(solved ? first.fix : first.noFix);
  if (topics.length > 1) {
    caller(`While I have you, ${second.opener}.`);
    agent(second.fix);
  }
  caller(
    tone === 'positive' || tone === 'mixed'
      ? first.praise
      : tone === 'negative'
        ? 'Fine. I expect a call back.'
        : 'Okay, thanks.',
  );
  agent('Is there anything else I can help with today?');

  return {
    recap: {
      summary,
      outcome,
      purposes: topics.map((x) => ({ category: x.category, content: x.content })),
      actionItems: topics.map((x) => x.action).concat(solved ? [] : ['Call the customer back with an update']),
      tone,
    },
    transcript: lines,
  };
}

/** `summary_format` of GET /call/{id}/ai_recap. */
export function formatSummary(recap: AiRecapContent, format: 'short' | 'medium' | 'long' | 'bullet'): string {
  const first = recap.summary.split('. ')[0] ?? recap.summary;
  switch (format) {
    case 'short':
      return first.endsWith('.') ? first : `${first}.`;
    case 'medium':
      return recap.summary;
    case 'long':
      return `${recap.summary} Outcome: ${recap.outcome}. Next steps: ${recap.actionItems.join('; ')}.`;
    case 'bullet':
      return recap.summary
        .split('. ')
        .map((s) => `• ${s.replace(/\.$/, '')}`)
        .join('\n');
  }
}
