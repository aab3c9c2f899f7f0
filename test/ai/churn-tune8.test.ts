// Churn rules from the tune8 writers' calls (scored unseen first): departures said in passing, threats said
// as "I'm off to ...", suppliers under review or put out to tender, a supplier closing a class of accounts,
// and the harmless look-alikes beside each (one appointment moved, a new bank, a routine tender, a stop
// lifted, one policy of several cancelled). Examples written for this file, not copied from the data.
import type { TranscriptLineInput } from '../../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsights, deriveCallInsightsWith } from '../../src/ai/derive';

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

describe('churn: from the tune9 writers (ordinary days, high stakes)', () => {
  it('what a recap reports as done: an account closed has left; "not closed" has not', () => {
    expect(deriveCallInsights({ recapSummary: 'Deposit refunded and the account closed.' }).churnRisk).toBe('critical');
    expect(
      deriveCallInsights({ recapSummary: 'The account was not closed: the customer kept it open.' }).churnRisk,
    ).not.toBe('critical');
  });

  it('a mind made up, or "it is decided", is a decision; made up about a product is not', () => {
    expect(churnOf("Sorry, I've made up my mind, we'll finish at the end of the term.")).toBe('critical');
    expect(churnOf('The partners met on Monday. It is decided, we stop after March.')).toBe('critical');
    expect(churnOf("I've made up my mind on these, I'll take the blue ones.")).toBe('low');
  });

  it('work taken in-house is leaving; thinking about it is a threat; doing it myself from now on is a plan', () => {
    expect(churnOf('Our new office manager will handle all the payroll in-house from January.')).toBe('critical');
    expect(churnOf("We're thinking of bringing the design work in-house next year.")).toBe('high');
    expect(churnOf("Honestly I'll probably just do it myself from now on.")).toBe('high');
    expect(churnOf("I'll do it myself, it's only a small hedge, see you next month.")).toBe('low');
  });

  it('a rival to be used next time, paying stopped, a car taken somewhere else', () => {
    expect(churnOf('Their man came the same day. Next time I will call Quickfix, sorry.')).toBe('critical');
    expect(churnOf("I'm not going to keep paying for lessons he doesn't enjoy.")).toBe('high');
    expect(churnOf("Frankly I'm minded to take the van somewhere else from now on.")).toBe('high');
  });

  it('a supplier whose account goes on stop, or whose supplies will be stopped, puts supply at risk', () => {
    expect(churnOf('If it is not paid by Friday the account goes on stop, I am sorry.')).not.toBe('low');
    expect(churnOf("Further supplies will be stopped from Monday unless it's paid.")).not.toBe('low');
  });

  it('a council or a regulator brought in is a regulatory threat; the council named harmlessly is not', () => {
    expect(churnOf("If the skip isn't gone by Friday I'll be ringing the council.")).toBe('critical');
    expect(churnOf("I'm writing to the General Medical Council about this.")).toBe('critical');
    expect(churnOf("The council's inspection is on the 12th, can your man be there?")).toBe('low');
    expect(churnOf("I've won a contract with the council so I need your insurance certificate.")).toBe('low');
  });

  it('care ended because the need has gone, a late-cancellation fee, a rent rise notice: no departure', () => {
    expect(
      deriveCallInsights({
        recapSummary: "Patient's knee has fully recovered; she asked to stop the weekly sessions and book a review.",
        transcriptLines: [caller("It's completely back to normal, so I can stop the weekly sessions, can't I?")],
      }).churnRisk,
    ).toBe('low');
    expect(
      deriveCallInsights({
        recapSummary: 'Client queried a late cancellation fee; she had cancelled in time and the fee was reversed.',
        recapOutcome: 'Fee reversed',
        transcriptLines: [caller('I cancelled two days before, by text.')],
      }).churnRisk,
    ).toBe('low');
    expect(
      deriveCallInsights({ recapSummary: 'Agent called to give notice that the rent will rise by $10 from May.' })
        .churnRisk,
    ).not.toBe('critical');
    expect(churnOf("I'd like to make a complaint to the guest relations team about the noise.")).not.toBe('critical');
  });
});

describe('churn: from the tune10 writers (shops, trades, business software)', () => {
  it('"if ..., we will be moving to <Rival>" is a threat, whatever follows the capital', () => {
    expect(churnOf('If the feature is not there by June, we will be moving to Bookwise.')).toBe('high');
  });

  it('going to a named rival from now on, a decision made, a contract signed elsewhere: left', () => {
    expect(churnOf("Forget it, I'm done. I'm going to Daily Grind from now on.")).toBe('critical');
    expect(churnOf('The partners met on Friday. The decision has been made.')).toBe('critical');
    expect(
      deriveCallInsights({
        recapSummary: 'Caller said the firm has signed a two-year contract with another payroll provider.',
      }).churnRisk,
    ).toBe('critical');
    expect(churnOf("I'm going to Brighton next week so can we move it?")).toBe('low');
  });

  it('going to market, or a board asking for options, is a review; a farmer going to the market is not', () => {
    expect(churnOf('The board has asked for options, so we will be going to market in April.')).toBe('high');
    expect(churnOf("I'm going to the market on Saturday, can the van come Monday?")).toBe('low');
  });

  it('ringing to cancel a standing service is a stated plan; ringing to cancel an appointment is not', () => {
    expect(churnOf("I'm ringing to cancel the window cleaning, I'm afraid.")).toBe('high');
    expect(churnOf("I'm ringing to cancel my appointment on Thursday, something's come up.")).toBe('low');
  });

  it('an order that had gone to the wrong branch is no departure', () => {
    expect(
      deriveCallInsights({
        recapSummary: 'Agent found the cake had gone to the High Road branch and had it driven over.',
      }).churnRisk,
    ).toBe('low');
  });

  it('a grievance held on to is negative to the rules, and the refund demand with it stays open', () => {
    // The rules' own reading (the learned combiner re-weighs it afterwards; churn reads the rules').
    const out = deriveCallInsightsWith(
      {
        transcriptLines: [
          caller("The carpet's worse than before. I want my three hundred and twenty dollars back."),
          caller("He'd better. Because I'm not letting this go."),
        ],
      },
      { ...DEFAULT_ENGINE, combiner: null },
    );
    expect(out.sentiment).toBe('negative');
    expect(out.churnRisk).toBe('high');
  });
});

describe('churn: from the tune11 writers (the general brief)', () => {
  it('"I\'m after moving over to" has moved; leaning toward switching, or booking them unless matched, is a threat', () => {
    expect(churnOf("Look, I'm after moving over to a new crowd in Athlone, sorry.")).toBe('critical');
    expect(churnOf("Honestly, we're leaning toward switching.")).toBe('high');
    expect(churnOf("If you can't match it, I'll book them.")).toBe('high');
  });

  it('a charge already disputed is a chargeback raised; a legal notice or the consumer court is a legal threat', () => {
    expect(churnOf("You'll get a letter from Visa. I've disputed the charge from the 12th.")).toBe('critical');
    expect(churnOf('If this is not redone I will be sending a legal notice.')).toBe('critical');
    expect(churnOf("I've already spoken to my lawyer about it.")).toBe('critical');
    expect(churnOf('Otherwise I will file a case in the consumer court.')).toBe('critical');
    expect(churnOf('I need to file a claim with my insurer for the water damage.')).toBe('low');
  });

  it('"not that I\'m thinking of moving" is no threat; thinking of moving is', () => {
    expect(churnOf("Not that I'm thinking of moving, mind, I've been with you fifteen years.")).toBe('low');
    expect(churnOf("Honestly I'm thinking of moving to another practice.")).not.toBe('low');
  });

  it('a weekly order to be cancelled is the relationship; one appointment named in the action items is not', () => {
    expect(churnOf("We're closing the office, so we'll have to cancel the weekly order after March.")).not.toBe('low');
    expect(
      deriveCallInsights({
        recapSummary: 'Client called to cancel her Friday 2:30 cut and blow-dry because she is sick.',
        recapActionItems: ['Cancel Friday 2:30 appointment'],
        transcriptLines: [caller('Can you cancel that for me, and I will ring next week to rebook.')],
      }).churnRisk,
    ).toBe('low');
    // No cancellation signal (the caller's tone alone may make it medium).
    expect(['low', 'medium']).toContain(churnOf("We'll have to cancel that one, he's got a match."));
  });
});
