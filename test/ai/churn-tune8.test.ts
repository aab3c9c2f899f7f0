// Churn rules from the tune8 writers' calls (scored unseen first): departures said in passing, threats said
// as "I'm off to ...", suppliers under review or put out to tender, a supplier closing a class of accounts,
// and the harmless look-alikes beside each (one appointment moved, a new bank, a routine tender, a stop
// lifted, one policy of several cancelled). Examples written for this file, not copied from the data.
import type { TranscriptLineInput } from '../../src/ai/derive';
import { deriveCallInsights } from '../../src/ai/derive';

const caller = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'caller' });
const churnOf = (...lines: string[]) => deriveCallInsights({ transcriptLines: lines.map(caller) }).churnRisk;

describe('churn: gone or going, said in passing', () => {
  it('work already moved over to a named rival is a departure; a meeting moved to Friday is not', () => {
    expect(churnOf('To be fair we moved most of the printing over to Papercraft back in May.')).toBe('critical');
    expect(churnOf('We shifted all the payroll across to Ledgerly last quarter, nothing personal.')).toBe('critical');
    expect(churnOf('We moved the site meeting over to Friday, is that still okay?')).toBe('low');
  });

  it('"I\'m off to <rival>" under a condition is a threat', () => {
    expect(churnOf('If the van is late again tomorrow, I am off to Swiftline, no more chances.')).toBe('high');
    expect(churnOf("I'm off to Lisbon next week so can we do it after?")).toBe('low');
  });

  it('a business closing for good, or a supplier closing a class of accounts, has ended the relationship', () => {
    expect(churnOf("We're shutting down for good at the end of the month, so stop the weekly order.")).toBe('critical');
    expect(
      deriveCallInsights({
        recapSummary: 'The distributor said it is closing all small trade accounts from March, this one included.',
      }).churnRisk,
    ).toBe('critical');
    expect(churnOf('The shop is closing early today, can the driver come before four?')).toBe('low');
  });

  it('a standing order is a service: cancelling all of it is cancelling the relationship', () => {
    expect(churnOf('I need to cancel our standing order, every line of it.')).not.toBe('low');
    expect(churnOf('Can you cancel the order I placed this morning? I doubled it by mistake.')).toBe('low');
  });
});

describe('churn: suppliers reviewed or put out to tender', () => {
  it('every supplier under review before renewal is a threat to the contract', () => {
    expect(churnOf('The directors are doing a review of all our suppliers before the contracts renew.')).toBe('high');
  });

  it('a tender held out for next time is a threat; a routine tender is not', () => {
    expect(churnOf('If the invoices are wrong again we will be putting the cleaning out to tender.')).toBe('high');
    expect(churnOf("We're putting the grounds contract out to tender in June, so please send your insurance.")).toBe(
      'low',
    );
  });
});

describe('churn: harmless look-alikes', () => {
  it('one appointment cancelled and rebooked, or a search for another time, is no threat', () => {
    expect(
      deriveCallInsights({
        recapSummary: "Caller asked to cancel her daughter's check-up on Monday; agent rebooked it for Wednesday.",
        recapOutcome: 'Appointment rebooked',
        transcriptLines: [caller("Hiya, I need to cancel Ava's check-up on Monday, she's got a school trip.")],
      }).churnRisk,
    ).toBe('low');
    expect(churnOf("Can't make Thursday, I'll need to find another day, sorry.")).toBe('low');
    expect(
      deriveCallInsights({ recapSummary: 'Client cancelled his massage appointment on Friday and will call back.' })
        .churnRisk,
    ).not.toBe('critical');
  });

  it('a new bank is not a new supplier', () => {
    expect(churnOf('Oh sorry, we moved to a new bank in June and forgot the debit.')).toBe('low');
    expect(churnOf("We've already moved to a new supplier for the coffee, sorry.")).toBe('critical');
  });

  it('one policy cancelled while the others stay is not leaving', () => {
    expect(
      deriveCallInsights({
        recapSummary: 'Customer sold his van and asked to cancel the van policy; his home policy is unaffected.',
        recapOutcome: 'Van policy cancelled; refund due',
        transcriptLines: [caller('Sold the van at last, so cancel that one. The house insurance stays as it is.')],
      }).churnRisk,
    ).toBe('low');
  });

  it('a stop on the account lifted on the call no longer stands', () => {
    expect(
      deriveCallInsights({
        recapSummary:
          'Merchant said the account was put on stop for an overdue balance; paid on the call and the stop was lifted.',
        recapOutcome: 'Stop lifted after payment',
      }).churnRisk,
    ).not.toBe('critical');
    expect(
      deriveCallInsights({ recapSummary: 'Merchant said the account was put on stop until the balance is cleared.' })
        .churnRisk,
    ).not.toBe('low');
  });

  it("a rival's quote matched for a content caller is a mention; left open it is a threat", () => {
    const matched = deriveCallInsights({
      recapSummary:
        'Customer asked us to match a competitor quote for the new tyres; agent matched it and booked the fitting.',
      recapOutcome: 'Price matched; fitting booked',
      transcriptLines: [
        caller('Brightway quoted me less for the same tyres. I would rather stay with you though.'),
        caller('Brilliant, thank you so much, that is great, really appreciate it.'),
      ],
    });
    expect(matched.churnRisk).toBe('low');
    const open = deriveCallInsights({
      recapSummary: 'Customer brought a competitor quote for the tyres; agent could not match it.',
      recapOutcome: 'Price match declined',
    });
    expect(open.churnRisk).toBe('high');
  });

  it('switching to paying the year upfront is no cancellation', () => {
    expect(
      deriveCallInsights({
        recapSummary:
          'Parent asked to switch from monthly payments to paying the year upfront; agent will cancel the monthly debit once the transfer arrives.',
        recapOutcome: 'Switching to annual payment',
      }).churnRisk,
    ).toBe('low');
  });
});
