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
