// Churn rules from the tune12 writers' calls (scored unseen twice before they were read): a custom ended in
// one sentence ("we won't be back", "the last time I use you lot"), a move away with a new provider to be
// found there, a tenancy board or a dispute lodged with a regulator, a switch the caller "will have to" make,
// and the look-alikes beside each. Examples written for this file, not copied from the data.
import type { TranscriptLineInput } from '../../src/ai/derive';
import { deriveCallInsights } from '../../src/ai/derive';

const caller = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'caller' });
const churnOf = (...lines: string[]) => deriveCallInsights({ transcriptLines: lines.map(caller) }).churnRisk;

describe('churn: a custom ended in one sentence', () => {
  it('"we won\'t be back" is a decision; "I won\'t be back until Tuesday" is a diary note', () => {
    expect(churnOf('Cancel the rest of the bookings please. We will not be back.')).toBe('critical');
    expect(churnOf("Honestly, after today, I won't be back, ever.")).toBe('critical');
    expect(churnOf("I won't be back until Tuesday, so leave the parcel with next door.")).toBe('low');
  });

  it('"the last time I use you" ends the custom; "the last time I used you" recalls a visit', () => {
    expect(churnOf("Fine, I'll pay it, but that's the last time I use you lot.")).toBe('critical');
    expect(
      deriveCallInsights({ recapSummary: 'The customer paid but said he would not use the company again.' }).churnRisk,
    ).toBe('critical');
    expect(churnOf('The last time I used you the fitter was brilliant, so same again please.')).toBe('low');
  });
});

describe('churn: moving away to a new provider', () => {
  it('a new clinic to be found where the family is moving is a departure; a clinic "there" for a visit is not', () => {
    expect(
      churnOf(
        "We're moving to Perth next month, so cancel the check-up, we'll find a dentist there near the new house.",
      ),
    ).toBe('critical');
    expect(churnOf('Is there a pharmacy near the clinic? I need to pick up the tablets after.')).toBe('low');
  });
});

describe('churn: a tenancy board or a dispute lodged with a regulator', () => {
  it('a tenancy board or the RTB is a regulatory threat; a dispute with a courier is not', () => {
    expect(churnOf("If the dryer isn't fixed this week I'm filing with the Landlord and Tenant Board.")).toBe(
      'critical',
    );
    expect(churnOf("If nobody comes by Friday I'll be lodging a dispute with the RTB.")).toBe('critical');
    expect(churnOf("I've lodged a dispute with the courier about the dented box, can you resend it?")).not.toBe(
      'critical',
    );
  });
});

describe('churn: a switch the caller will have to make', () => {
  it('"if you cannot match it I will have to shift to them" is a conditional threat', () => {
    expect(churnOf('They do free pickup. If you cannot do the same, I will have to shift to them.')).toBe('high');
    expect(churnOf('If the truck comes early I will have to shift the car to the street.')).toBe('low');
  });
});

describe('churn: a supplier giving notice of a price change', () => {
  it('"notice that milk will go up" is a price rise, not a supplier leaving', () => {
    expect(
      deriveCallInsights({
        recapSummary: 'Dairy supplier called to give notice that milk will go up 8p a litre; the order stands.',
      }).churnRisk,
    ).toBe('low');
    expect(
      deriveCallInsights({
        recapSummary: 'The supplier called to give notice; it will stop supplying the cafe in May.',
      }).churnRisk,
    ).toBe('critical');
  });
});

describe('churn (tune13 writers): gone to a named rival, the work done there now', () => {
  it('"I\'ve started going to StyleHub" is a departure; "started going to Pilates on Monday" is not about us', () => {
    expect(churnOf("Sorry, I've started going to StyleHub, it is near my new office.")).toBe('critical');
    expect(churnOf("I've started going to classes on Monday so can we move it to Tuesday?")).toBe('low');
  });

  it('a rival now doing the annual service is a departure; our own team doing it now is not', () => {
    expect(churnOf('DrainPro came out the same day. They are doing our annual service now and all.')).toBe('critical');
    expect(churnOf('Great, so your team is doing our annual service now? Lovely.')).toBe('low');
  });

  it('"switching to ShiftPal was the best decision we made" is a customer won, not one leaving', () => {
    expect(
      deriveCallInsights({
        recapSummary: 'Customer added a second site and said switching to ShiftPal was the best decision they made.',
      }).churnRisk,
    ).toBe('low');
    expect(churnOf("If the rota breaks again we're switching to ShiftPal.")).not.toBe('low');
  });
});

describe('churn (tune13 writers): lawyers instructed, the engagement ended, supply stopped', () => {
  it('a solicitor instructed or legal counsel brought in is a legal threat; a solicitor in the family is not', () => {
    expect(
      deriveCallInsights({ recapSummary: 'She said she has instructed a solicitor about the garden wall.' }).churnRisk,
    ).toBe('critical');
    expect(churnOf("I've already forwarded the contract to our legal counsel.")).toBe('critical');
    expect(churnOf('My husband is a solicitor, he will pop in to collect the keys on Friday.')).not.toBe('critical');
  });

  it('"I\'ll be letting ye go" and ending the engagement are decisions; "I\'ll let you go" closes a phone call', () => {
    expect(churnOf("I'm ringing to tell you I'll be letting ye go, I'm afraid. I'm closing the shop.")).toBe(
      'critical',
    );
    expect(
      deriveCallInsights({ recapSummary: "Client called to end the firm's engagement after the June accounts." })
        .churnRisk,
    ).toBe('critical');
    expect(churnOf("Right, I'll let you go, thanks for sorting the invoice.")).toBe('low');
  });

  it('a business closing for good ends the relationship; closing the shop early today does not', () => {
    expect(churnOf("I'm closing the shop at the end of June, so the bookkeeping stops then.")).toBe('critical');
    expect(churnOf("I'm closing the shop early today, can the courier come before three?")).toBe('low');
  });

  it('"we will not be supplying to you anymore" is a supplier leaving; "not supplying the blue ones" is stock', () => {
    expect(churnOf('We have decided, we will not be supplying to your cafe anymore.')).toBe('critical');
    expect(churnOf("We're not supplying the blue lids this week, only the black, is that okay?")).toBe('low');
  });

  it('"if that goes through we\'ll have to look for somewhere else" is a conditional threat', () => {
    expect(churnOf("If that rent rise goes through we'll have to look for somewhere else.")).toBe('high');
    expect(churnOf("If the van is parked there we'll have to look for somewhere else to unload.")).not.toBe('critical');
  });
});

describe('churn (tune15 writers): switches said late, supply pulled, a lease signed elsewhere', () => {
  const recap = (recapSummary: string) => deriveCallInsights({ recapSummary }).churnRisk;

  it('a switch with its condition after it is a threat: "would have to move to Bright Dental if ..."', () => {
    expect(recap('She said she would have to move to Bright Dental if the practice does not accept the plan.')).toBe(
      'high',
    );
    expect(recap('The owner said they would find another dairy if the milk came late again.')).toBe('high');
    expect(recap('He will move to a different desk if the new chairs arrive.')).toBe('low');
  });

  it('"look at other dairies" is a threat to the supply; "look at other dates" is scheduling', () => {
    expect(recap('The cafe owner said at that price she would have to look at other dairies.')).toBe('high');
    expect(recap('The customer will look at other dates for the tasting.')).toBe('low');
  });

  it('part of the work already moved to a named rival is a departure; moving up to Brisbane is not', () => {
    expect(churnOf('We have already shifted our payroll to PayGrid from this month.')).toBe('critical');
    expect(churnOf("I've moved up to Brisbane, so please send the invoices to the new address.")).toBe('low');
    expect(churnOf("We've moved the meeting to Thursday if that suits.")).toBe('low');
  });

  it('a lease signed elsewhere, or a supplier pulling out of the market, ends the relationship', () => {
    expect(churnOf("Actually we've already signed somewhere else. We're moving out end of June.")).toBe('critical');
    expect(churnOf("We're pulling out of the Tucson market. All contracts down here end June 30th.")).toBe('critical');
    expect(churnOf('Can you pull out the old fridge when you deliver the new one?')).toBe('low');
  });

  it('"I\'m hardly going to book ye again" is a decision; "I\'m not going to book it again till spring" is not', () => {
    expect(churnOf("I don't want a voucher, I'm hardly going to book ye again for anything, am I?")).toBe('critical');
    expect(churnOf("I'm not going to book the carpet clean again till spring, it's grand for now.")).toBe('low');
  });

  it("one booking cancelled (a dog's surgery) is not the relationship; 'you're moved to Saturday' is a rebooking", () => {
    expect(
      churnOf("I paid a deposit for Coco's dental surgery, but we cancelled it since the bloodwork was not good."),
    ).not.toBe('high');
    expect(
      deriveCallInsights({
        transcriptLines: [
          {
            type: 'transcript',
            content: "Okay, you are all set, you're moved to Saturday the 18th at eleven.",
            speaker: 'unknown',
          },
          { type: 'transcript', content: 'Great, thanks, bye.', speaker: 'unknown' },
        ],
      }).churnRisk,
    ).toBe('low');
  });
});

describe('churn (tune16 writers): joined a rival, cannot continue, a vendor on trial, a prospect looking', () => {
  it('"I joined IronBarn down the road" is a departure; "I joined Zoom late" is not', () => {
    expect(churnOf("Yeah nah, I joined IronBarn down the road, it's cheaper. No offence.")).toBe('critical');
    expect(churnOf('Sorry, I joined Zoom late, can you repeat the booking time?')).toBe('low');
  });

  it('"he will not be able to continue" ends the lessons; "not able to continue with the payment today" does not', () => {
    expect(churnOf('We are shifting to Pune next month, so Aditya will not be able to continue.')).toBe('critical');
    expect(churnOf('The card failed, so I was not able to continue with the payment today. Can I try again?')).toBe(
      'low',
    );
  });

  it('a cheaper vendor on trial is a threat to the supply; "trying out a new recipe" is not', () => {
    expect(
      deriveCallInsights({
        recapSummary: 'Agent said they are trialling a cheaper vendor and may move the whole line if quality holds.',
      }).churnRisk,
    ).toBe('high');
    expect(churnOf("We're trying out a new recipe with your flour next week, can you send two more sacks?")).toBe(
      'low',
    );
  });

  it('a rival named as where the caller may go after a price match is refused is a threat', () => {
    expect(churnOf('SmileCare is doing it at half price. Can you match that? Otherwise I may just go there.')).toBe(
      'high',
    );
    expect(
      deriveCallInsights({
        recapSummary: 'The clinic could not match the offer, and the patient said she may go to SmileCare.',
      }).churnRisk,
    ).toBe('high');
    expect(churnOf('We might go to Portugal in June, so can we move the cleaning?')).toBe('low');
  });

  it("a prospect looking around names someone else's place as theirs: no churn signal", () => {
    const prospect = deriveCallInsights({
      transcriptLines: [
        caller("Not that I'm unhappy with my current place or anything, I'm just looking around."),
        caller('How much is a balayage, and when is your next opening? Perfect, thanks so much.'),
      ],
    });
    expect(prospect.churnReasons.join(' ')).not.toMatch(/looking around/);
    expect(prospect.churnRisk).toBe('low');
    expect(churnOf("Honestly I'm looking around, your prices keep going up and the last cut was rushed.")).not.toBe(
      'low',
    );
  });

  it('an open refund demand from a caller whose mood swung is the high rung', () => {
    const insights = deriveCallInsights({
      recapOutcome: 'Full refund not agreed; manager to call back',
      transcriptLines: [
        { type: 'transcript', content: 'Lovely to speak to you, thanks for picking up so quickly.', speaker: 'caller' },
        {
          type: 'transcript',
          content: 'The cake collapsed. I want my eighty-five pounds back. All of it.',
          speaker: 'caller',
        },
        { type: 'transcript', content: 'I am absolutely furious, the party is ruined.', speaker: 'caller' },
      ],
    });
    expect(insights.churnRisk).toBe('high');
  });
});
