// Churn rules from the tune17 writers' calls (scored unseen once before they were read), each beside its
// look-alike: a reschedule is not a move away, a bill that "should have gone to" an insurer is not a
// departure, a decision said in the future progressive, a recap's "client leaving", and switches said
// under "if not" or "if you can't match it". Examples written for this file, not copied from the data.
import type { TranscriptLineInput } from '../../src/ai/derive';
import { deriveCallInsights } from '../../src/ai/derive';

const caller = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'caller' });
const churnOf = (...lines: string[]) => deriveCallInsights({ transcriptLines: lines.map(caller) }).churnRisk;
const recapChurn = (recapSummary: string, recapOutcome?: string) =>
  deriveCallInsights({ recapSummary, recapOutcome: recapOutcome ?? null }).churnRisk;

describe('churn look-alikes: a booking moved, a bill misdirected', () => {
  it('a session moved to a weekday or another slot is a reschedule; moved to a rival is a departure', () => {
    expect(recapChurn('The class was overbooked and moved to a weekday; the member took the new time.')).toBe('low');
    expect(recapChurn("The caller's lesson was moved to an earlier slot at her request.")).toBe('low');
    expect(
      recapChurn('The customer was unhappy that her delivery window moved to 10:45-12:00, after opening.'),
    ).not.toBe('critical');
    expect(churnOf("We've moved to FreshCo for our produce, so this is our last order.")).toBe('critical');
  });

  it('a bill that "should have gone to" the insurer is misdirected; a customer who has gone to a rival has left', () => {
    expect(recapChurn('The invoice should have gone to the landlord, not the tenant; the agent re-sent it.')).toBe(
      'low',
    );
    expect(churnOf("Honestly we've gone to Brightline now, they were cheaper.")).toBe('critical');
  });
});

describe('churn: a decision said in passing', () => {
  it('"she will be taking her business to another salon" is a decision; "taking her dog to the vet" is not', () => {
    expect(recapChurn('The client said she will be taking her business to another florist from May.')).toBe('critical');
    expect(recapChurn('The caller said she will be taking her dog to the vet on Friday and needs a late pickup.')).toBe(
      'low',
    );
  });

  it('a recap\'s "client leaving" is a departure; a client leaving a message or a review is not', () => {
    expect(recapChurn('Discount declined, client leaving at the end of the month.', 'Discount declined')).toBe(
      'critical',
    );
    expect(recapChurn('Client leaving a message about her order.', 'Message taken')).toBe('low');
    expect(recapChurn('Customer leaving a review after the job.', 'Review link sent')).toBe('low');
  });
});

describe('churn: a switch under a condition', () => {
  it('"if not, we\'re probably moving over" and "if you can\'t match it I\'m going with them" are threats', () => {
    expect(churnOf('Can you get closer on price? If not, we are probably moving over at renewal.')).toBe('high');
    expect(churnOf("Their quote is lower. If you can't match it I'm going with them, simple as that.")).toBe('high');
  });

  it('the same words with no rival or move are no threat', () => {
    expect(churnOf("If you can't make Tuesday I'm going with Wednesday instead, that's fine.")).toBe('low');
    expect(churnOf("If not, we're probably going to the park after, so text me.")).toBe('low');
  });
});

describe('churn: a chargeback held out (from the tune18 writers, after it became tuning data)', () => {
  it('"I\'ll be raising it with my card company then" is a chargeback threat', () => {
    expect(churnOf("I'd like my money back. I'll be raising it with my card company then, I think.")).toBe('high');
    expect(churnOf("Otherwise I'm going to take this up with the bank.")).toBe('high');
  });

  it('raising something with a manager, or having raised it with the bank, is not', () => {
    expect(churnOf("Fine, I'll be raising it with my manager at the review, thanks.")).toBe('low');
    expect(churnOf('I raised it with my bank and they said the transfer is pending, so all good.')).toBe('low');
  });
});
