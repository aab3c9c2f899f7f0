// The rules added for calls nobody tuned for: a flat-spoken grievance, switches said as likely or under a
// condition, stopping a standing service, a supplier's final demand, and themes that name a topic (a
// service verb's noun) rather than a time, a person or a vague word. Examples written for this file.
import type { TranscriptLineInput } from '../../src/ai/derive';
import { DEFAULT_ENGINE, deriveCallInsights, deriveCallInsightsWith } from '../../src/ai/derive';
import type { CallInsightsInput } from '../../src/ai/derive';
import { deriveThemes } from '../../src/ai/themes';
import { isNegatedAt } from '../../src/ai/text';

const caller = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'caller' });
const agent = (content: string): TranscriptLineInput => ({ type: 'transcript', content, speaker: 'agent' });

// Churn from the caller's lines alone, or from a recap alone.
const churnOf = (...lines: string[]) => deriveCallInsights({ transcriptLines: lines.map(caller) }).churnRisk;
const recapChurn = (recapSummary: string, recapOutcome: string | null = null) =>
  deriveCallInsights({ recapSummary, recapOutcome }).churnRisk;
// Resolved from a recap's outcome, beside a summary that decides nothing.
const outcomeResolved = (recapOutcome: string, recapSummary = 'Caller rang about it.') =>
  deriveCallInsights({ recapSummary, recapOutcome }).resolved;

// The rules' own reading (the learned combiner re-weighs it afterwards: sentiment-combiner.test.ts).
const rulesOnly = (input: CallInsightsInput) => deriveCallInsightsWith(input, { ...DEFAULT_ENGINE, combiner: null });
/** The churn rules' own reading: the learned churn check off. */
const withoutChurnModel = (input: CallInsightsInput) =>
  deriveCallInsightsWith(input, { ...DEFAULT_ENGINE, churnModel: null });
/** The churn risk the rules read, the learned churn check off. */
const churnByRules = (input: CallInsightsInput) => withoutChurnModel(input).churnRisk;

describe('sentiment rules: a grievance said flatly', () => {
  it('a claim at the small claims court, in calm words, is negative', () => {
    const out = rulesOnly({
      transcriptLines: [
        agent('Northside Heating, Tom speaking.'),
        caller('Hi Tom. I am ringing about the hall radiator invoice.'),
        agent('I can look at it on Thursday.'),
        caller('I will be lodging a claim at the small claims court on Monday. Send whatever you like to my email.'),
      ],
    });
    expect(out.sentiment).toBe('negative');
    expect(out.explanation.sentiment).toMatch(/legal/);
  });

  it('the same call without the claim stays neutral', () => {
    const out = rulesOnly({
      transcriptLines: [
        agent('Northside Heating, Tom speaking.'),
        caller('Hi Tom. I am ringing about the hall radiator invoice.'),
        agent('I can look at it on Thursday.'),
        caller('Send whatever you like to my email.'),
      ],
    });
    expect(out.sentiment).toBe('neutral');
  });

  it('a repeat problem that ends warmly is not made negative', () => {
    const out = rulesOnly({
      transcriptLines: [
        caller('The radiator has stopped working again, this is the third time I have called about it.'),
        agent('I am so sorry. I have booked our senior engineer for this afternoon, at no charge.'),
        caller('Oh that is wonderful, thank you so much, you have been absolutely brilliant.'),
      ],
    });
    expect(out.sentiment).not.toBe('negative');
  });
});

describe('churn: switches said as likely or under a condition', () => {
  it('"we will most likely go with them" is a threat (high), not a calm call', () => {
    const out = deriveCallInsights({
      transcriptLines: [
        caller('Our cleaning contract is up for renewal in May. Brightway quoted us fifteen percent less.'),
        caller("Honestly, unless you can get closer to that, we'll most likely go with them."),
      ],
    });
    expect(out.churnRisk).toBe('high');
  });

  it('"unless the invoices get fixed, we shall be taking their offer" is a threat', () => {
    const out = deriveCallInsights({
      transcriptLines: [caller('Unless the invoices get fixed this month, we shall be taking their offer.')],
    });
    expect(out.churnRisk).toBe('high');
  });

  it('"we will go with the blue one" is a choice of product, not a switch', () => {
    const out = deriveCallInsights({
      transcriptLines: [caller("If it comes in navy we'll go with the navy, otherwise the blue is fine.")],
    });
    expect(out.churnRisk).toBe('low');
  });

  it('stopping a standing service is a cancellation', () => {
    const out = deriveCallInsights({
      transcriptLines: [
        caller("I'm moving abroad in June, so I need to stop the weekly window cleaning visits from then."),
      ],
    });
    expect(['high', 'critical']).toContain(out.churnRisk);
  });

  it("a supplier's final notice puts the supply at risk", () => {
    const out = deriveCallInsights({
      transcriptLines: [
        caller('Hi, accounts receivable at Coastal Paper here. This is a final notice on the March invoice.'),
        agent('Understood, I will chase it today.'),
      ],
    });
    expect(out.churnRisk).toBe('high');
  });
});

describe('churn: one booking is not the relationship, and more ways of saying a threat', () => {
  it('cancelling an appointment, a table or a lesson is not churn', () => {
    expect(churnOf("I need to cancel my son's appointment on Friday, he has the flu.")).toBe('low');
    expect(churnOf('Could you cancel our table for six tonight? We will book again soon.')).toBe('low');
    expect(churnOf("I'd like to cancel this week's lesson, I'm away.")).toBe('low');
  });

  it('...but cancelling the membership still is', () => {
    expect(['high', 'critical']).toContain(churnOf('I want to cancel my membership, please.'));
  });

  it('"I\'m leaving Sunday" is travel, "we\'re leaving" alone is not', () => {
    expect(churnOf("Can you do it now? I'm leaving Sunday for work.")).toBe('low');
  });

  it('a lawyer brought in to read the contract, or a regulator, is a legal threat', () => {
    expect(churnOf("I'm going to have my lawyer look at the delay clause.")).toBe('critical');
    expect(churnOf("I've filled in the form for environmental health and I'm sending it today.")).toBe('critical');
  });

  it('"otherwise we\'ll move over at renewal" is a threat', () => {
    expect(churnOf('Can you match their price? Otherwise we will move over at renewal.')).toBe('high');
  });

  it('already registered with another practice has left; a chargeback held out as the next step is a threat', () => {
    expect(churnOf("Please send the dog's records to Northgate Vets. We've registered there now.")).toBe('critical');
    expect(churnOf("If nobody rings me by Friday I'll have to ask my bank to look at it.")).toBe('high');
    expect(churnOf('Honestly, if you cannot get closer on price I will probably just get it done there.')).toBe('high');
  });

  it('cancelling a consult or a move, or moving an appointment, is not churn', () => {
    expect(churnOf('I cancelled my consult for next Wednesday, can I get the deposit back?')).toBe('low');
    expect(churnOf('Can I move my appointment to Tuesday afternoon?')).toBe('low');
  });

  it("a supplier's credit hold, and its decision to discontinue a route, put the supply at risk", () => {
    expect(churnOf('As of Monday your account goes on credit hold until the invoice is paid.')).toBe('high');
    expect(churnOf("We've made the decision to discontinue our Thursday route, so the last pickup is the 30th.")).toBe(
      'critical',
    );
  });
});

describe('themes: topics, not times, people or vague words', () => {
  const themesOf = (texts: string[]) =>
    deriveThemes({ purposes: [], moments: [], texts, recapCount: 0 }).themes.map((t) => t.toLowerCase());

  it('a service verb gives its noun: "it was delivered to the wrong flat" is about a delivery', () => {
    expect(themesOf(['The parcel was delivered to the wrong flat on Tuesday night.']).join(' | ')).toMatch(/delivery/);
  });

  it('a purpose is filed in the singular: "Late deliveries" is found as delivery', () => {
    const themes = deriveThemes({ purposes: ['Late deliveries'], moments: [], texts: [], recapCount: 0 }).themes;
    expect(themes).toEqual(['Late delivery']);
  });

  it('a purpose written as words keeps its hyphens ("No-show fee"); a slug label becomes words', () => {
    const themes = deriveThemes({
      purposes: ['No-show fee collection', 'Book check-up'],
      moments: ['late-delivery', 'price_increase'],
      texts: [],
      recapCount: 0,
    }).themes;
    expect(themes).toEqual(['No-show fee collection', 'Book check-up', 'Late delivery', 'Price increase']);
  });

  it('"booked" and "charged" file the call under booking and charge', () => {
    const themes = themesOf(['I booked the spa day for Saturday and you charged my card twice for it.']).join(' | ');
    expect(themes).toMatch(/booking/);
    expect(themes).toMatch(/charge/);
  });

  it('a time, an ordinal, a person or a vague word is never a theme on its own', () => {
    const themes = themesOf([
      'The blokes came at noon on the fifteenth, no idea why, and the boiler service still is not done.',
      'Honestly the lads were waiting around all weekend, mind you, heaps of news about the boiler service.',
    ]);
    for (const vague of ['blokes', 'noon', 'fifteenth', 'idea', 'lads', 'waiting', 'weekend', 'mind', 'heaps', 'news'])
      expect(themes).not.toContain(vague);
    expect(themes.join(' | ')).toMatch(/boiler service/);
  });

  it('a pro-form, a chance or a hit is no topic, whatever qualifies it ("the black leather ones", "a huge hit")', () => {
    const themes = themesOf([
      'Any chance the black leather ones are back in stock? The last recliners were a huge hit, it makes sense.',
      'Tough luck on the type, but the recliner delivery is what I need sorted.',
    ]).join(' | ');
    expect(themes).not.toMatch(/\bones\b|chance|\bhit\b|luck|sense|\btype\b/);
    expect(themes).toMatch(/recliner/);
  });
});

describe('themes: trade words in names, modifiers that change the thing, vague heads', () => {
  const themes = (input: CallInsightsInput) => (deriveCallInsights(input).themes ?? []).map((t) => t.toLowerCase());

  it('a trade word inside a business name is the topic when it is also said in lower case', () => {
    const out = themes({
      recapSummary: 'Agent called to offer a grooming appointment for the dog.',
      transcriptLines: [
        agent("Hi, it's Chloe from Waggy Tails Grooming, ringing about Teddy's next visit."),
        caller("Oh lovely, we've been meaning to call you."),
      ],
    });
    expect(out.join(' | ')).toMatch(/grooming/);
    // ... but a name said only with a capital stays out.
    expect(out.join(' | ')).not.toMatch(/waggy|tails|chloe/);
  });

  it('a capitalised word never said in lower case is still a name', () => {
    const out = themes({
      recapSummary: 'Caller asked about the invoice for the boiler service.',
      transcriptLines: [caller('Yes, this is about the Hartwell boiler service invoice, Hartwell is my surname.')],
    });
    expect(out.join(' | ')).not.toMatch(/hartwell/);
  });

  it('after "Water damage", "water heater" is filed whole, not as "Heater"', () => {
    const out = deriveThemes({
      purposes: ['Water damage'],
      moments: [],
      texts: ['The new water heater leaked in the basement.', 'The water heater is only a week old.'],
      recapCount: 1,
    }).themes;
    expect(out).toContain('Water heater');
    expect(out).not.toContain('Heater');
  });

  it('...while a longer phrase still keeps only its new word ("Water damage cleanup" adds "Cleanup")', () => {
    const out = deriveThemes({
      purposes: ['Water damage'],
      moments: [],
      texts: ['The company will cover the water damage cleanup today.', 'Water damage cleanup is booked.'],
      recapCount: 1,
    }).themes;
    expect(out).toContain('Cleanup');
    expect(out).not.toContain('Water damage cleanup');
  });

  it('a new modifier joins the theme that names its head, even after a covered word ("Late bread delivery")', () => {
    const out = deriveThemes({
      purposes: ['Late deliveries'],
      moments: [],
      texts: ['Caller complained about repeated late bread deliveries to his cafe.'],
      recapCount: 1,
    }).themes;
    expect(out[0]).toBe('Late bread delivery');
  });

  it('a phrase headed by a vague noun is no topic ("following week"), one headed by a topic noun is ("opening times")', () => {
    const out = deriveThemes({
      purposes: [],
      moments: [],
      texts: ['Caller moved the carpet cleaning to the following week.', 'She also asked about the opening times.'],
      recapCount: 2,
    }).themes.map((t) => t.toLowerCase());
    expect(out.join(' | ')).not.toMatch(/following week/);
    expect(out.join(' | ')).toMatch(/opening times/);
    expect(out.join(' | ')).toMatch(/cleaning/);
  });
});

describe('churn: what B2B and healthcare callers say, and what is not leaving', () => {
  it('being moved to another room, or an invoice gone to an old email, is not leaving', () => {
    expect(churnOf("Yesterday I was told I'd be moved to the other side of the building.")).not.toBe('critical');
    expect(churnOf("Oh, it must have gone to our old billing email. I'll pay it now.")).toBe('low');
    // ... while having moved to a named competitor still is.
    expect(churnOf("We've moved to FreshCo for our linen as of this month.")).toBe('critical');
  });

  it('cancelling one party or event is not churn', () => {
    expect(churnOf('I need to cancel our holiday party on the fifteenth, the budget got cut.')).toBe('low');
  });

  it('already taking the custom elsewhere, or having started with another provider, has left', () => {
    expect(churnOf("Actually I've been going to Spoke and Chain since the spring, it's closer.")).toBe('critical');
    expect(churnOf("Honestly I've started seeing a chiro near work, can you cancel the rest?")).toBe('critical');
    // Under a condition it is a plan, not a decision.
    expect(churnOf("If it keeps clashing I'll probably start seeing a physio near work.")).toBe('high');
  });

  it('whether to carry on under review, alternatives or a named competitor under evaluation, is a threat', () => {
    expect(churnOf('After today my management will be asking whether we continue with PayStream.')).toBe('high');
    expect(churnOf("At that price we'll have to look at what else is out there.")).toBe('high');
    expect(churnOf('I should tell you upfront, we are also evaluating Zentrix.')).toBe('high');
    // A review of something else is not.
    expect(churnOf('Our accountant is reviewing whether the invoice total is right.')).toBe('low');
  });

  it("on a supplier's call, the business's own threat to look at other growers counts", () => {
    const out = deriveCallInsights({
      transcriptLines: [
        caller('Bad news, the Ecuador roses are stuck in customs until Saturday.'),
        agent(
          "This is the third time this month. If it happens again I'm going to have to start looking at other growers.",
        ),
      ],
    });
    expect(out.churnRisk).toBe('high');
  });

  it('records sent on to another practice, or a supplier closing the account, has ended the relationship', () => {
    expect(recapChurn('Patient asked for his x-rays and records to be transferred to Bright Smiles Dental.')).toBe(
      'critical',
    );
    expect(churnOf('Head office have made a decision to close all trade accounts spending under five thousand.')).toBe(
      'critical',
    );
    expect(recapChurn('Practice told its lens lab it is moving its lens work to Precision Optics from 1 March.')).toBe(
      'critical',
    );
  });

  it('notice given to leave has left; notice asked about, or given on one service, is a plan to cancel', () => {
    expect(recapChurn('Parent gave notice that her daughter will leave on 19 December for school.')).toBe('critical');
    expect(churnOf('Okay, so if I give notice at the end of January to cancel my membership I am fine?')).toBe('high');
    expect(
      deriveCallInsights({
        recapSummary: 'Client asked to end the marketing retainer because the board cut the budget.',
        recapOutcome: 'Notice accepted; retainer ends end of April',
        disposition: 'Resolved',
      }).churnRisk,
    ).toBe('critical');
  });

  it('"I want my deposit back", said angrily and left open, is a refund demand', () => {
    expect(
      churnOf(
        'This is ridiculous, third time it has been postponed.',
        'I am not mucking around, I want my deposit back, all of it.',
      ),
    ).toBe('high');
  });
});

describe('themes: who was on the call, and purposes that name no topic', () => {
  it('a phrase headed by a role ("office manager") ranks below the topic said as often', () => {
    const out = deriveThemes({
      purposes: [],
      moments: [],
      texts: [
        'The office manager asked about the catering invoice.',
        'The office manager said the catering invoice was wrong.',
      ],
      recapCount: 2,
    }).themes;
    expect(out.indexOf('Catering invoice')).toBeGreaterThanOrEqual(0);
    expect(out.indexOf('Catering invoice')).toBeLessThan(out.indexOf('Office manager'));
  });

  it('"General enquiry" or "Follow up" waits for a free slot; a purpose that names a topic does not', () => {
    const texts = [
      'Caller asked about the gutter cleaning quote.',
      'She wants the roof inspection and the downpipe repair booked.',
      'The skylight flashing and the ridge capping were also discussed.',
    ];
    const vague = deriveThemes({ purposes: ['General enquiry'], moments: [], texts, recapCount: 3 }).themes;
    expect(vague[0]).not.toBe('General enquiry');
    const topical = deriveThemes({ purposes: ['Gutter cleaning'], moments: [], texts, recapCount: 3 }).themes;
    expect(topical[0]).toBe('Gutter cleaning');
  });
});

describe('churn: moved to us, one booking, near-misses, and decisions said in passing', () => {
  it('moving to this clinic, or over to ye, is coming to us; went to Walmart is an errand', () => {
    expect(recapChurn('She mentioned she moved to this clinic from a practice in Hattiesburg last year.')).toBe('low');
    expect(churnOf('Not one problem since we moved over to ye, to be fair.')).toBe('low');
    expect(['low', 'medium']).toContain(churnOf('My wife says I went to Walmart three times yesterday for nothing.'));
    // ... while going with another company has left.
    expect(churnOf('Yeah, awkward, sorry. We actually went with another company.')).toBe('critical');
  });

  it('an outcome that cancelled one class says a bare "I need to cancel" was about it', () => {
    const out = deriveCallInsights({
      transcriptLines: [caller('I need to cancel, sorry, not the membership, just Thursday spin.')],
      recapOutcome: 'Class booking cancelled',
    });
    expect(out.churnRisk).toBe('low');
    // ... but an outcome that cancelled the membership has not.
    const left = deriveCallInsights({
      transcriptLines: [caller('I need to cancel my membership, please.')],
      recapOutcome: 'Membership cancelled',
      disposition: 'Resolved',
    });
    expect(left.churnRisk).toBe('critical');
  });

  it('nearly disputing it with the bank, a complaint to the manager, a pet switched to another drug: no threat', () => {
    expect(['low', 'medium']).toContain(
      recapChurn('Caller was frustrated and said he nearly disputed it with his bank. Agent refunded it.'),
    );
    expect(recapChurn('Dr. Olsen switched the dog to a different drug, so she asked to return the old box.')).toBe(
      'low',
    );
    const out = deriveCallInsights({
      recapSummary: 'Caller asked about the pool timetable.',
      recapActionItems: ['Pass the complaint to the manager'],
    });
    expect(out.churnRisk).not.toBe('critical');
  });

  it('an attorney asked to review the charge, a board vote to go in-house, a cheaper firm already booked: critical', () => {
    expect(recapChurn('She has asked her attorney to review a $2,400 charge she was never told about.')).toBe(
      'critical',
    );
    expect(churnOf('So our board met last Tuesday, and they voted to bring IT in-house next year.')).toBe('critical');
    expect(churnOf("Found someone a fair bit cheaper and I've already booked them. Cancel it.")).toBe('critical');
    expect(churnOf("Sorry, should've let you know. We've booked with Kayak Kiwi in the end.")).toBe('critical');
    expect(recapChurn('She has already bought a car from Brightwater Motors after waiting two weeks.')).toBe(
      'critical',
    );
  });

  it('the next job made conditional, a child to be taken out, a partner set on the cheaper quote: a threat', () => {
    expect(
      churnOf("We've got the business move booked with you. If this isn't sorted properly, that's not happening."),
    ).toBe('high');
    expect(churnOf("Please. Because otherwise that's it, I'll have to take him out of the club.")).toBe('high');
    expect(churnOf('My partner reckons we should just go with them, it is nearly three grand less.')).toBe('high');
    // ... but "we should go with the blue one" is a choice of product.
    expect(churnOf('I think we should go with the blue one for the hallway.')).toBe('low');
  });
});

describe('sentiment: swings a recap narrates', () => {
  it('praise, then something that will not work, is a swing', () => {
    const out = rulesOnly({
      recapSummary:
        'Customer praised the new AC install and the crew, but said the smart thermostat will not connect to the app.',
    });
    expect(out.sentiment).toBe('mixed');
    // ... and praise alone stays positive.
    expect(rulesOnly({ recapSummary: 'Customer praised the new AC install and the crew.' }).sentiment).toBe('positive');
  });

  it('a caller "initially curt" who ends pleased went both ways', () => {
    const out = rulesOnly({
      recapSummary: 'Customer was initially curt; agent booked the warranty repair for tomorrow.',
      transcriptLines: [
        caller('Yes. Finally. I called Friday.'),
        caller("Oh, that's great, thank you. I appreciate you calling back."),
      ],
    });
    expect(out.sentiment).toBe('mixed');
  });
});

describe('themes: how the call went waits for the topics', () => {
  const texts = [
    'Caller asked about the gutter cleaning quote.',
    'She wants the roof inspection and the downpipe repair booked.',
    'The skylight flashing and the ridge capping were also discussed.',
  ];

  it('a named competitor, a callback asked for, or a voicemail takes a slot only after the topics', () => {
    const out = deriveThemes({
      purposes: [],
      moments: [],
      texts: [...texts, 'She left a voicemail too.', 'Could someone call me back about it?'],
      recapCount: 4,
      churnSignals: ['competitor'],
    }).themes;
    expect(out).toHaveLength(5);
    expect(out).not.toContain('Competitor');
    expect(out).not.toContain('Callback request');
    expect(out).not.toContain('Voicemail');
  });

  it('...and is still shown when the call names fewer topics', () => {
    const out = deriveThemes({
      purposes: [],
      moments: [],
      texts: ['Caller asked about the gutter quote.', 'Could someone call me back?'],
      recapCount: 1,
      churnSignals: ['competitor'],
    }).themes;
    expect(out).toContain('Competitor');
    expect(out).toContain('Callback request');
  });
});

describe('churn: gone elsewhere, said afterwards; one booking named in the recap; a standing order', () => {
  it('"I\'d not have been bringing it back to you anyway", "has since used another plumber": left', () => {
    expect(churnOf("I sold that car. After the brake job I'd not have been bringing it back to you anyway.")).toBe(
      'critical',
    );
    expect(recapChurn('Nobody attended her drain booking and she has since used another plumber.')).toBe('critical');
    expect(recapChurn('Pub manager said they have switched their house lager to Hopwell Brewing.')).toBe('critical');
    expect(recapChurn('Rep called about the missing orders; the lager line was lost to Hopwell.')).toBe('critical');
    // ... while "I would have come back sooner" is no departure.
    expect(churnOf('Honestly I would have come back sooner if I had known.')).toBe('low');
  });

  it('a recap that names the one booking cancelled says what "I cancelled it" was about', () => {
    const out = deriveCallInsights({
      recapSummary: 'Customer asked for her deposit back after cancelling the move more than 14 days in advance.',
      transcriptLines: [caller('The buyer pulled out, so I cancelled it last week. Just checking about the deposit.')],
      recapOutcome: 'Deposit refunded',
      disposition: 'Resolved',
    });
    expect(out.churnRisk).toBe('low');
  });

  it('the rest of the lessons is the series, not one booking; booked in with another school has left', () => {
    const out = deriveCallInsights({
      transcriptLines: [
        caller("I want to cancel the rest of Finn's lessons."),
        caller("No, thanks. We've already booked him in with another school from next week."),
      ],
      recapOutcome: 'Lessons cancelled; $330 refunded',
      disposition: 'Cancelled',
    });
    expect(out.churnRisk).toBe('critical');
  });

  it('a standing order cancelled is the relationship, not one order', () => {
    expect(
      recapChurn(
        'Office manager cancelled the standing Friday lunch catering order from next month due to budget cuts.',
        'Standing order cancelled from 1 March',
      ),
    ).toBe('critical');
  });
});

describe('churn: what a busy week of calls says (tune7 writers)', () => {
  it('a threat after a negated condition is still a threat; calling the bank to dispute is one', () => {
    expect(churnOf("But if you can't get closer I'm going with QuickInk, plain and simple.")).toBe('high');
    expect(churnOf("If that's not back on my card by Friday I'm calling my bank and disputing the whole thing.")).toBe(
      'high',
    );
    // ... but "this close to calling my bank and disputing it" is not.
    expect(['low', 'medium']).toContain(churnOf('I was this close to just calling my bank and disputing it.'));
  });

  it("the business's own attorney, and moving to a smaller unit, are no threat", () => {
    expect(recapChurn('Paralegal booked a call with the attorney for 4 PM today.')).not.toBe('critical');
    expect(recapChurn('Caller said she moved to a smaller unit in September.')).toBe('low');
  });

  it('a dispute the bank reported, files and prescriptions moved on, no longer needed, taken there: left', () => {
    expect(
      recapChurn('The bank reported a dispute on the retainer charge and the client refused to withdraw it.'),
    ).toBe('critical');
    expect(churnOf("Honestly, at this point, I'd like my file sent to me. I'll find somebody else.")).toBe('critical');
    expect(recapChurn('Their prescriptions have already been transferred to MedExpress Rx mail order.')).toBe(
      'critical',
    );
    expect(churnOf("We're shutting up shop, so we won't need the bookkeeping after June.")).toBe('critical');
    expect(churnOf("So I'm fetching my bike today and taking it to them.")).toBe('critical');
    // Under a condition, taking it elsewhere is a threat.
    expect(churnOf("If I don't hear from someone by Friday, I'm taking the account elsewhere.")).toBe('high');
  });

  it('a cancellation form sent in, or "cancel away", with the plan cancelled, has left', () => {
    expect(
      deriveCallInsights({
        recapSummary: 'Optician called about the cancellation form she submitted for her monthly contact lens plan.',
        recapOutcome: 'Contact lens plan cancelled from August',
        transcriptLines: [caller('Not at all, so cancel away. Sorry now!')],
      }).churnRisk,
    ).toBe('critical');
  });
});

describe("themes: dropped g's", () => {
  it('"gettin\'", "comin\'" are verbs, never themes; the fencing wire still is one', () => {
    const out = deriveThemes({
      purposes: [],
      moments: [],
      texts: ["Them heifers gettin' out again, crew comin' tomorrow.", 'I need more fencing wire on the truck.'],
      recapCount: 0,
    }).themes.map((t) => t.toLowerCase());
    expect(out.join(' | ')).not.toMatch(/gettin|comin/);
    expect(out.join(' | ')).toMatch(/fencing wire/);
  });
});

describe('themes: who and where count half on their own (tune12 and earlier writers)', () => {
  const themesOf = (texts: string[]) =>
    deriveThemes({ purposes: [], moments: [], texts, recapCount: 0 }).themes.map((t) => t.toLowerCase());

  it('the refund the caller came about ranks above the shop said more often', () => {
    const themes = themesOf([
      'I was in the shop on Monday and the shop said the refund would be back on my card.',
      'Went back to the shop today and still no refund, which is daft.',
    ]);
    expect(themes.indexOf('refund')).toBeGreaterThanOrEqual(0);
    expect(themes.indexOf('refund')).toBeLessThan(themes.indexOf('shop'));
  });

  it('inside a phrase the place still says which one: "shop window" is kept whole', () => {
    const themes = themesOf(['The shop window was cracked by your van, and the shop window needs replacing.']);
    expect(themes).toContain('shop window');
  });
});

describe('themes: praise, size and goodbyes are not topics (tune15 writers)', () => {
  const themesOf = (texts: string[]) =>
    deriveThemes({ purposes: [], moments: [], texts, recapCount: 0 }).themes.map((t) => t.toLowerCase());

  it('"cracking job", "not a massive deal", "thanks, lovelies", "ta-ra" never become themes; the invoices do', () => {
    const themes = themesOf([
      'Not a massive deal, but our invoices have not synced since Friday.',
      'Cracking job on the invoices, thank you. Thanks again, lovelies. Ta-ra.',
    ]);
    for (const bad of ['massive deal', 'cracking job', 'lovely', 'lovelies', 'ta-ra'])
      expect(themes).not.toContain(bad);
    expect(themes).toContain('invoices');
  });

  it('a deal or a job that names a topic is still one: "package deal", "roofing job"', () => {
    const themes = themesOf(['I wanted the package deal for the roofing job, the package deal from the flyer.']);
    expect(themes.join(' | ')).toMatch(/package deal/);
  });
});

describe('resolved: a voicemail is one-sided (tune19 writers)', () => {
  const voicemail = (recapOutcome: string): CallInsightsInput => ({
    recapSummary: 'The supplier left a voicemail saying tomorrow morning will be late because a van broke down.',
    recapOutcome,
    disposition: 'Voicemail',
    transcriptLines: [caller('Morning, message for the kitchen, the van broke down so we will be late tomorrow.')],
  });

  it('whatever its outcome says ("Callback requested", "Delay notified"), a voicemail is neither resolved nor not', () => {
    for (const outcome of ['Callback requested', 'Delivery delay notified']) {
      const out = deriveCallInsights(voicemail(outcome));
      expect(out.resolved).toBeNull();
      expect(out.explanation.resolved).toMatch(/disposition "voicemail" says there was no conversation/i);
    }
  });

  it('the same outcomes on a call that was answered still decide', () => {
    const answered = (recapOutcome: string) => ({ ...voicemail(recapOutcome), disposition: null });
    expect(deriveCallInsights(answered('Callback requested')).resolved).toBe(false);
    expect(deriveCallInsights(answered('Delivery delay notified')).resolved).toBe(true);
  });
});

describe('churn: "if not" means otherwise', () => {
  it('"If not I\'m going to take this up with the bank" is the chargeback threat "otherwise" makes it', () => {
    expect(churnOf("Sort it by Friday. If not I'm going to take this up with the bank.")).toBe('high');
    expect(churnOf("Sort it by Friday. Otherwise I'm going to take this up with the bank.")).toBe('high');
  });

  it('a plain "not" before the threat still negates it', () => {
    expect(churnOf("Sort it by Friday. I'm not going to take this up with the bank.")).toBe('low');
  });
});

describe('churn: moving within the service, a refund granted, "I\'ll not continue" (tune19 and tune17 writers)', () => {
  it('"thinking of moving down a size" (a smaller unit) or "moving house" is no switch; "moving to another provider" is', () => {
    expect(churnOf("I've got unit B14. I'm thinking of moving down a size?")).toBe('low');
    expect(churnOf("We're thinking of moving house in spring, so can you note the new address?")).toBe('low');
    expect(churnOf("I'm thinking of moving to another provider.")).toBe('high');
  });

  it('"I have decided, I\'ll not continue" is a decision to leave; "not continue with the call" is not', () => {
    expect(churnOf("No, no, I have decided, I'll not continue. Maybe next year.")).toBe('critical');
    expect(churnOf("We won't be continuing with the call now, ring me later.")).toBe('low');
  });

  it('a refund granted on the call, with no demand heard, keeps the learned check from reading it as leaving', () => {
    // A learned check that reads every recap as leaving: the guard, not the weights of the day, must hold.
    const alwaysLeaving = {
      ...DEFAULT_ENGINE,
      churnModel: { ...DEFAULT_ENGINE.churnModel!, bias: [0, 0, 0, 9], words: {} },
    };
    const out = deriveCallInsightsWith(
      {
        recapSummary:
          "Guest could not reach the cottage for next weekend's stay because flooding has closed the access road. He chose a full refund over new dates, to be returned to his card within three to five business days.",
        recapOutcome: 'Full refund processed',
        recapPurposes: ['Booking cancellation due to flooding', 'Refund request'],
        recapActionItems: ['Email refund confirmation to guest'],
        transcriptLines: [
          agent('Good morning, Wollumbin Cottages, Kirsty speaking.'),
          caller(
            "Morning, it's Paul Hendricks. We had the cottage booked for next weekend but, um, with the road closures from the flooding we can't get in.",
          ),
          agent(
            "Yes, we've been ringing guests, sorry, I hadn't got to you yet. The road's closed till at least the twentieth.",
          ),
          caller('Right. So, what happens with our money? We paid in full.'),
          agent("We're giving everyone affected a full refund, or you can move the dates if you'd rather."),
          caller("Ah, refund I think. We're not sure when we'd come back up."),
          agent("No problem. It'll go back to the card you paid with, usually three to five business days."),
          caller('Okay. Good. Thanks.'),
          agent("I'll email the confirmation now."),
          caller('Great. Hope you guys are okay up there.'),
          agent("We're fine, thanks, just a lot of mud."),
        ],
      },
      alwaysLeaving,
    );
    expect(out.churnRisk).toBe('low');
    expect(out.explanation.churnRisk).toMatch(/a calm or granted refund/);
  });
});

describe('churn: who moved, to what, and whom a complaint goes to (tune20 writers)', () => {
  it('a complaint passed to the transport in-charge is internal; one to the ombudsman is a regulator', () => {
    expect(recapChurn('The office could only promise to pass the complaint to the transport in-charge.')).not.toBe(
      'critical',
    );
    expect(recapChurn('She said she has made a complaint to the ombudsman about the bus.')).toBe('critical');
  });

  it('a family moved to a new schedule has not left; moved to a new provider has', () => {
    expect(recapChurn('The refund was issued after the family moved to a new schedule.')).toBe('low');
    expect(recapChurn('The refund was issued after the family moved to a new provider.')).toBe('critical');
  });

  it('other parents who have gone over to a rival are not the caller leaving', () => {
    expect(churnOf('A couple of the other mums have gone over to TutorNest, the app thing.')).not.toBe('critical');
    expect(churnOf('We have gone over to TutorNest, the app thing.')).toBe('critical');
  });
});

describe('churn: a non-renewal under a condition, a dispute through a named bank, notice given (tune20 writers)', () => {
  it('"if that price stands, we won\'t be renewing" is a threat (high); said plainly, a decision (critical)', () => {
    expect(churnOf("I'll be honest with you, love, if that price stands, we won't be renewing.")).toBe('high');
    expect(churnOf("I'll be honest with you, love, we won't be renewing.")).toBe('critical');
  });

  it('"I\'m calling Chase and disputing it", or disputing with "her credit card company", is a chargeback threat', () => {
    expect(churnOf("If that money's not back on my card by Friday, I'm calling Chase and disputing it.")).toBe('high');
    expect(
      recapChurn('The caller said she will dispute the charge with her credit card company if the money is not back.'),
    ).toBe('high');
    expect(churnOf("I'm calling Chase and asking about my balance.")).toBe('low');
    expect(churnOf("I'm calling you back and disputing the invoice, it's wrong.")).not.toBe('high');
  });

  it('"Consider this my notice" is notice given', () => {
    expect(churnOf('Fine. Consider this my notice. End of the month.')).toBe('critical');
  });
});

describe('churn: a repeat fault fixed, the caller relieved or pleased (tune20 writers)', () => {
  const call = (opening: string, ending: string): CallInsightsInput => ({
    recapSummary:
      'Caller said her fridge stopped cooling again four days after it was repaired. The agent booked a same-day return visit at no charge.',
    recapOutcome: 'Warranty revisit booked for today',
    transcriptLines: [
      caller(opening),
      agent("I'm so sorry. I can get the technician back to you this afternoon, no charge."),
      caller(ending),
    ],
  });

  it('relieved after being fed up (mixed), with the second failure said, is still a repeat problem: medium', () => {
    const out = deriveCallInsights(
      call(
        "Honestly I'm really fed up. The fridge you fixed on Monday has stopped cooling again, that's the second time, and I've lost all the food in it.",
        "Oh thank goodness. Thank you so much, that's a relief.",
      ),
    );
    expect(out.sentiment).toBe('mixed');
    expect(out.churnRisk).toBe('medium');
  });

  // The rules' reading: the learned combiner re-weighs the caller's mood (sentiment-combiner.test.ts).
  it('pleased at the end of a calm call, it is not', () => {
    const out = rulesOnly(
      call(
        "Hi, it's Dana. The fridge you fixed on Monday has stopped cooling again. That's the second time.",
        "Oh thank goodness. Thank you so much, that's a relief.",
      ),
    );
    expect(out.sentiment).toBe('positive');
    expect(out.churnRisk).toBe('low');
  });
});

describe('sentiment rules: a threat to cancel, said flatly, is a grievance (tune20 writers)', () => {
  const pestCall = (ending: string) =>
    rulesOnly({
      transcriptLines: [
        caller('Hi Jordan. I am calling about my quarterly service. Erin Walsh.'),
        agent('I can send someone out on Thursday to re-treat it, no charge.'),
        caller(ending),
      ],
    });

  it('"if I see ants after that, I\'m cancelling" makes a matter-of-fact caller negative', () => {
    const out = pestCall("Okay. One more go. But if I see ants after that, I'm cancelling.");
    expect(out.churnRisk).toBe('high');
    expect(out.sentiment).toBe('negative');
    expect(out.explanation.sentiment).toMatch(/cancellation \(churn evidence\)/);
  });

  it('the same call without the threat stays neutral', () => {
    const out = pestCall('Okay. One more go. Thursday works.');
    expect(out.sentiment).toBe('neutral');
  });
});

describe('churn: phrasings from the tune21 writers', () => {
  it('a planning application that "had gone to the council" is neither leaving nor a legal threat', () => {
    const planning = recapChurn(
      'Client called to check whether the planning application for his kitchen extension had gone to the council. The architect confirmed it was submitted on Monday.',
      'Status confirmed',
    );
    expect(planning).toBe('low');
    // The counter-case: a caller who has gone to the council about the business still is.
    const complaint = recapChurn(
      'Caller said she has gone to the council about the noise from the workshop.',
      'Status confirmed',
    );
    expect(complaint).toBe('critical');
  });

  it('"she chose to move him to art week" moves a booking, "she chose to move to KidsCamp" leaves', () => {
    const moved = 'Her son’s nature week was cancelled. She chose to move him to art week instead.';
    expect(recapChurn(moved, 'Resolved')).toBe('low');
    const left = 'Her son’s nature week was cancelled. She chose to move to KidsCamp instead.';
    expect(recapChurn(left, 'Resolved')).toBe('critical');
  });

  it("a dropped g still reads: \"I'm filin' with Residential Tenancies and keepin' my rent\" is a legal threat", () => {
    const out = deriveCallInsights({
      transcriptLines: [
        caller("It's been four days without heat. It was minus twelve last night."),
        agent('The part comes Monday.'),
        caller("Listen, if it's not on by tomorrow I'm filin' with Residential Tenancies and I'm keepin' my rent."),
      ],
    });
    expect(out.churnRisk).toBe('critical');
    expect(out.churnReasons.join(' ')).toMatch(/Residential Tenancies/);
  });

  it('"I\'m callin\' my lawyer" is "calling my lawyer", quoted as said', () => {
    const call = (ending: string) =>
      deriveCallInsights({
        transcriptLines: [
          caller('The fence you put up has fallen over again.'),
          agent('We can come out next week.'),
          caller(ending),
        ],
      });
    const out = call("Next week. Right. I'm callin' my lawyer.");
    expect(out.churnRisk).toBe('critical');
    expect(out.churnReasons.join(' ')).toMatch(/callin' my lawyer/);
    expect(call("Next week. Right. I'm callin' my brother.").churnRisk).not.toBe('critical');
  });

  it('future work taken elsewhere is a decision to leave', () => {
    const risk = recapChurn(
      'Caller complained that her menus will not be ready until Thursday. She said she will take all future printing to TopPrint.',
      'Current order to be expedited; customer moving future work',
    );
    expect(risk).toBe('critical');
  });

  it('a booking cancelled and moved to another weekend is one booking, not leaving', () => {
    const out = deriveCallInsights({
      recapSummary: 'Caller needed to cancel his June cottage booking and asked to move it rather than lose it.',
      recapOutcome: 'Booking moved to last weekend of August; deposit transferred',
      transcriptLines: [
        caller("I've the cottage booked for the June bank holiday weekend. I'm afraid I need to cancel that."),
        agent("I'm sorry. I'll move the deposit across. What were you thinking?"),
        caller('Would the last weekend in August be free? Brilliant, that is very decent of you.'),
      ],
    });
    expect(out.churnRisk).toBe('low');
  });
});

describe('themes: a verb with its particle is not a head noun (tune21 writers)', () => {
  it('"how the tent held up in the rain" files the tent, not a "Tent held"', () => {
    const out = deriveCallInsights({
      recapSummary:
        "Caller left a voicemail thanking the company for the tent and chairs rented for her parents' anniversary party, praising how the tent held up in the rain.",
      recapOutcome: 'Thank-you message',
      transcriptLines: [],
    });
    expect(out.themes).not.toContain('Tent held');
    expect((out.themes ?? []).map((t) => t.toLowerCase())).toContain('tent');
  });
});

describe('sentiment rules: praise, then a fault the recap narrates (tune21 writers)', () => {
  const call = (summary: string) =>
    rulesOnly({
      recapSummary: summary,
      recapOutcome: 'Ticket logged',
      transcriptLines: [
        caller('So first off, the new calendar sync? Love it.'),
        agent('Glad to hear it. What else can I help with?'),
        caller('Okay. Do you know when the other thing will be fixed?'),
      ],
    });

  it('"praised ... but reported that the export has been failing" is a swing: mixed', () => {
    const out = call(
      'The customer praised the new calendar sync feature but reported that CSV export of bookings has been failing since the update.',
    );
    expect(out.sentiment).toBe('mixed');
  });

  it('"she loves the colour but her stylist was 40 minutes late" is too', () => {
    expect(call('Caller said she loves the colour but her stylist was 40 minutes late.').sentiment).toBe('mixed');
  });

  it('praise alone is not', () => {
    expect(call('The customer praised the new calendar sync feature.').sentiment).toBe('positive');
  });
});

describe('sentiment rules: a recap that says the caller recommends or referred others (tune21 writers)', () => {
  const recapOnly = (summary: string) =>
    rulesOnly({ recapSummary: summary, recapOutcome: 'Feedback noted', transcriptLines: [] });

  it.each([
    'Caller left a voicemail thanking the carpet company for getting out a stain and saying she has referred two neighbors.',
    'She said she would recommend them to her friends; the agent processed the request.',
    'Member called to say last week’s networking event was the best one yet and booked a meeting room.',
  ])('%s → positive', (summary) => {
    expect(recapOnly(summary).sentiment).toBe('positive');
  });

  it('a technician who recommended a part is not the caller recommending anyone', () => {
    expect(recapOnly('The technician recommended replacing the filter and booked a visit.').sentiment).toBe('neutral');
  });
});

describe('churn: another supplier preferred', () => {
  it('"his new head chef prefers another produce supplier" is a threat to the supply (high)', () => {
    const out = deriveCallInsights({
      recapSummary:
        'The restaurant owner said his new head chef prefers another produce supplier and asked for the final statement.',
      recapOutcome: 'Final statement requested',
      recapPurposes: ['Ending supply'],
      transcriptLines: [],
    });
    expect(['high', 'critical']).toContain(out.churnRisk);
    expect(out.churnReasons.join(' ')).toMatch(/prefers another produce supplier/);
  });
});

describe('churn and resolution: phrasings from the tune22 writers', () => {
  it('a caller who had made up her mind to cancel and was kept is a plan to cancel (high), not leaving', () => {
    const call = (ending: string, outcome: string) =>
      deriveCallInsights({
        recapSummary: 'Caller rang to cancel her gym membership after the fee went up.',
        recapOutcome: outcome,
        transcriptLines: [
          caller("I want to cancel my membership. I've made up my mind, the fee went up again."),
          agent('Before you go, I can move you to the off-peak plan at half the price.'),
          caller(ending),
        ],
      });
    expect(
      call("Oh, half? Okay, then don't cancel it. Put me on that.", 'Membership retained on off-peak plan').churnRisk,
    ).toBe('high');
    // Not kept: the decision stands.
    expect(call('No, thanks, just cancel it please.', 'Cancellation request noted').churnRisk).toBe('critical');
  });

  it('"retained a solicitor" is a legal threat, not a customer kept', () => {
    const risk = recapChurn(
      'Caller said the builder left her roof open in the rain and she has retained a solicitor about the damage.',
      'Complaint logged',
    );
    expect(risk).toBe('critical');
  });

  it('a customer back from a rival is not at risk; one leaving for a rival is', () => {
    const back = recapChurn(
      'Caller said she had switched to competitor QuickPrint for cheaper flyers, had a bad experience and is coming back. She ordered 2,000 flyers.',
      'Flyer order placed',
    );
    expect(back).toBe('low');
    const gone = recapChurn(
      'Caller said she has switched to competitor QuickPrint for cheaper flyers.',
      'Account noted',
    );
    expect(['high', 'critical']).toContain(gone);
  });

  it('"these shops never return money" is not "never return"; "I will never return" is leaving', () => {
    const doubt = deriveCallInsights({
      recapSummary: 'Agent called to confirm the refund for the returned chairs was sent.',
      recapOutcome: 'Refund confirmed',
      transcriptLines: [
        agent('Your refund for the two chairs went out this morning.'),
        caller('Really? My friend said these places never return money. That is very good, thank you.'),
      ],
    });
    expect(doubt.churnRisk).toBe('low');
    expect(churnOf('The service was a disgrace. I will never return.')).toBe('critical');
  });

  it('a threat to find another source on a condition is high, whatever the trade calls its supplier', () => {
    const out = deriveCallInsights({
      recapSummary:
        'The shop chased a late delivery of yarn. The supplier promised it for Friday; the owner warned she will find another spinner if it is late again.',
      recapOutcome: 'Delivery promised for Friday',
    });
    expect(out.churnRisk).toBe('high');
    // Read by the rules, not only by the learned check on the recap's words.
    expect(out.churnReasons.join(' ')).toMatch(/the recap says "will find another spinner if"/);
    expect(
      churnOf("Fine. But if this happens again, we'll have to find another bakery. We can't open without bread."),
    ).toBe('high');
    // Another time or day is a booking, not a supplier.
    expect(churnOf("If that slot goes again, I'll have to find another day to come in. No bother.")).toBe('low');
  });

  it('an outcome of a refund or payment transferred is resolved; a call transferred is not', () => {
    const resolvedBy = (outcome: string) => outcomeResolved(outcome, 'Caller asked about a refund.');
    expect(resolvedBy('Refund transferred to customer')).toBe(true);
    expect(resolvedBy('Call transferred to accounts')).toBe(false);
  });
});

describe('negation: "no" before a noun ends at "and" (tune22 writers)', () => {
  it('"no pain and praised the dentist" is praise, not "not praised"', () => {
    const out = deriveCallInsights({
      recapSummary:
        'Caller said her knee has healed with no swelling and praised the physiotherapist. She booked a final check.',
      recapOutcome: 'Final check booked',
    });
    expect(out.explanation.sentiment).not.toMatch(/not praised/);
    expect(out.sentiment).toBe('positive');
    // "not" still reaches across: "did not like the colour and asked for a redo" stays a complaint.
    expect(isNegatedAt('she did not like and praised', 'she did not like and '.length)).toBe(true);
  });
});

describe('praise slang and irregular participles (tune22 writers)', () => {
  it('"tell the crew they killed it" is praise, not a killing', () => {
    const out = rulesOnly({
      transcriptLines: [
        caller('The new deck is finished and it looks unreal.'),
        agent('Good to hear.'),
        caller('Tell the crew they nailed it. Honestly, the lads were class.'),
      ],
    });
    expect(out.sentiment).toBe('positive');
    expect(rulesOnly({ transcriptLines: [caller('Tell the crew they killed it.')] }).sentiment).toBe('positive');
  });

  it('an outcome of a membership frozen or a request withdrawn is resolved, whatever the transcript leaves open', () => {
    const resolvedBy = (outcome: string) =>
      deriveCallInsights({
        recapOutcome: outcome,
        transcriptLines: [
          caller("Your app's crashed every day this week, it's shocking."),
          agent("I'll check with the manager and get back to you."),
          caller('Fine. But that app is a disgrace, honestly.'),
        ],
      }).resolved;
    expect(resolvedBy('Membership frozen for six weeks')).toBe(true);
    expect(resolvedBy('Cancellation request withdrawn')).toBe(true);
  });
});

describe('churn: a supplier account on stop, credit terms changed (tune22 writers)', () => {
  it('an account put on stop until it is paid is the supply-stop rung (high), not leaving', () => {
    const out = deriveCallInsights({
      recapSummary:
        "The electrical wholesaler's credit controller said the contractor's account had been put on stop because two invoices are 75 days overdue. Nothing more will be released until they are paid.",
      recapOutcome: 'Account on stop; payment date not agreed',
    });
    expect(out.churnRisk).toBe('high');
    // Handed to collectors, the supplier has left the relationship.
    const gone = recapChurn(
      'The wholesaler said the overdue balance has been passed to a debt collection agency.',
      'Debt with collectors',
    );
    expect(gone).toBe('critical');
  });

  it('an account moved to cash-on-delivery terms is a change of terms, not a move to a rival', () => {
    const out = deriveCallInsights({
      recapSummary:
        "The paint supplier's accounts team said the account has moved to cash-on-delivery terms while an invoice is overdue. The owner proposed paying half on Friday.",
      recapOutcome: 'Payment plan proposed; account on COD',
    });
    // The rules no longer read "moved to" as leaving (the learned check may still weigh the recap's words).
    expect(out.churnReasons.join(' ')).not.toMatch(/says "moved to"/);
    expect(recapChurn('The customer said she has moved to BrightPaints for all her orders.', 'Account noted')).toBe(
      'critical',
    );
  });
});

describe('churn: repeat failures, done with the company, a mixed caller left unresolved (tune22 writers)', () => {
  it('"had again failed to collect", "the second missed collection" are a repeat problem (medium)', () => {
    const out = deriveCallInsights({
      recapSummary:
        'Caller said the recycling firm had again failed to collect the boxes from his garage on the agreed day, the second missed collection. Collection was rebooked for Monday morning.',
      recapOutcome: 'Collection rebooked for Monday morning',
    });
    expect(out.churnRisk).toBe('medium');
    expect(out.churnReasons.join(' ')).toMatch(/repeat problem/);
  });

  it('"she is done with the company if it is not fixed" is a conditional threat (high)', () => {
    const risk = recapChurn(
      'Caller is angry that the plumber did not turn up again. Agent rebooked for Friday; she said she is done with the company if it is not fixed then.',
      'Visit rebooked for Friday',
    );
    expect(risk).toBe('high');
    expect(
      recapChurn('Caller said she is done with the company and wants her file closed.', 'File closure noted'),
    ).toBe('critical');
  });

  it('a caller whose mood swung over a complaint the call left open is medium, not low', () => {
    const out = deriveCallInsights({
      recapSummary:
        'Caller loved the wedding cake but was upset to find a delivery charge she had not agreed to. The agent could not remove it and asked the owner to review it.',
      recapOutcome: 'Charge under review; owner to call back',
      transcriptLines: [
        caller('The cake was absolutely gorgeous, everyone loved it, thank you so much.'),
        agent('Oh, that is lovely to hear!'),
        caller("But then I saw a forty pound delivery charge I never agreed to. I'm really annoyed about that."),
        agent("I can't remove it myself, I'm afraid. I'll ask the owner to review it and call you back."),
        caller('Okay, thank you, that would be great. You have been lovely.'),
        agent('Of course.'),
        caller('Honestly the cake made the day. Thanks again, brilliant service, we are so happy.'),
      ],
    });
    expect(out.sentiment).toBe('mixed');
    expect(out.resolved).toBe(false);
    expect(out.churnRisk).toBe('medium');
  });
});

describe('churn: phrasings from the tune23 writers', () => {
  it('"I will not rent from you lot again", "done with wunna" are a decision to leave (critical)', () => {
    expect(churnOf('The van broke down twice. I will not rent from you lot again, that is it.')).toBe('critical');
    expect(churnOf('I am done with wunna, next time I book somewhere else.')).toBe('critical');
    expect(churnOf('We will not hire you again.')).toBe('critical');
  });

  it('"no longer wants the shop to repair it" is about one repair, "no longer needs the service" is leaving', () => {
    const oneRepair = churnOf(
      'It failed again. I no longer want the garage to repair it, I will send it to the maker.',
    );
    expect(oneRepair).not.toBe('critical');
    expect(churnOf('We no longer need the cleaning service after this month.')).toBe('critical');
  });

  it('a threat named as what the caller did not do ("instead of sending a lawyer letter") is not one', () => {
    const risk = churnOf("I'm ringing you myself instead of sending a lawyer letter. Pay the balance by Monday.");
    expect(risk).not.toBe('critical');
    expect(churnOf('I am sending a lawyer letter on Monday.')).toBe('critical');
  });

  it('a chargeback already in ("you are disputing my chargeback", "the chargeback\'s in") is critical', () => {
    expect(churnOf('Your people are disputing my chargeback, I got the letter from the card company.')).toBe(
      'critical',
    );
    expect(churnOf("The chargeback's in, the bank will sort it out.")).toBe('critical');
  });

  it('reporting the school or the clinic to an office is a regulatory threat (critical)', () => {
    expect(churnOf('If that charge stays, I will report this school to the education office.')).toBe('critical');
  });

  it('environmental health is a threat when the caller brings it in, not as the inspector who praised her', () => {
    expect(churnOf('Environmental health were in on Monday and gave us five stars, so thank you, lovely work.')).toBe(
      'low',
    );
    expect(churnOf('I need the bait stations and the paperwork for environmental health, please.')).toBe('low');
    expect(churnOf("If the mice are back again I'm calling environmental health.")).toBe('critical');
  });

  it('a supplier that will not be able to supply you until paid puts supply at risk (high)', () => {
    const risk = churnOf("If the invoices aren't cleared by Friday we won't be able to supply you, I'm sorry.");
    expect(risk).toBe('high');
  });
});

describe('themes: a head noun the call says in the plural is filed in the plural', () => {
  it('a purpose in the singular ("Exam fee") takes the plural the call says ("the fees went up")', () => {
    const { themes } = deriveThemes({
      purposes: ['Exam fee'],
      moments: [],
      texts: ['Parent asked why the fees went up for next term.'],
      recapCount: 1,
    });
    expect(themes[0]).toBe('Exam fees');
  });

  it('a singular-only call keeps the singular, and "-ies" plurals are not made', () => {
    const { themes } = deriveThemes({
      purposes: ['Delivery'],
      moments: [],
      texts: ['The invoice for the delivery was wrong; the deliveries are fine.'],
      recapCount: 0,
    });
    expect(themes).toContain('Delivery');
    expect(themes.some((t) => /Invoices/.test(t))).toBe(false);
  });
});

describe('themes: generic purposes wait, pronoun slang is no theme (tune23 writers)', () => {
  it('"Positive feedback" takes a slot only after the call\'s own topics', () => {
    const { themes } = deriveThemes({
      purposes: ['Positive feedback', 'New order'],
      moments: [],
      texts: ['Caller loved the christening cake and ordered another cake with a lamb on top.'],
      recapCount: 1,
    });
    expect(themes[0]).toBe('New order');
    expect(themes.indexOf('Positive feedback')).toBeGreaterThan(themes.findIndex((t) => /cake/i.test(t)));
  });

  it('"allyuh", "wunna", "yinz" (you all) are never themes', () => {
    const { themes } = deriveThemes({
      purposes: [],
      moments: [],
      texts: ['Allyuh fixed the screen so fast, wunna are the best, yinz saved me.'],
      recapCount: 0,
    });
    expect(themes.map((t) => t.toLowerCase())).not.toEqual(expect.arrayContaining(['allyuh']));
    expect(themes.some((t) => /allyuh|wunna|yinz/i.test(t))).toBe(false);
  });

  it('"nowt", "owt", "summat" (nothing, anything, something) are never themes', () => {
    const { themes } = deriveThemes({
      purposes: [],
      moments: [],
      texts: ['Nowt against you, the bait boxes were fine. Owt else? Summat about the price, that is all.'],
      recapCount: 0,
    });
    expect(themes.some((t) => /nowt|owt|summat/i.test(t))).toBe(false);
  });
});

describe('churn and resolution: phrasings from the tune24 writers', () => {
  it('"his lawyer would be in touch" is a legal threat (critical)', () => {
    const risk = recapChurn(
      'Customer said his car came back scratched and that his lawyer would be in touch about the repair bill.',
      'Owner to review photos',
    );
    expect(risk).toBe('critical');
  });

  it('"I\'m signing with PayNest" is leaving, and a threat when said on a condition', () => {
    expect(churnOf("We've decided. I'm signing with PayNest on Monday.")).toBe('critical');
    expect(churnOf("If the price is the same next month, I'm signing with PayNest.")).toBe('high');
    expect(churnOf("I'm signing with you for another year, don't worry.")).toBe('low');
  });

  it('a service named after a possessive ("need to stop Sofea\'s lessons") is still the service', () => {
    const out = deriveCallInsights({
      recapSummary: "Caller is moving away and stopped her daughter's lessons from next month.",
      recapOutcome: 'Lessons cancelled',
      transcriptLines: [
        caller("We're moving away at the end of the month, so we need to stop Sofea's lessons from next month."),
        agent("Oh, we'll miss her. I'll cancel them from the first."),
        caller('Thank you, she loved her teacher.'),
      ],
    });
    expect(out.churnRisk).toBe('critical');
  });

  it('an outcome that is delayed, on backorder, on a waiting list or waiting for someone to revert is not resolved', () => {
    for (const outcome of [
      'Repair delayed; part on backorder',
      'Added to waiting list',
      'Principal to revert on sibling discount',
      'Supervisor visit promised; caller threatening formal complaint',
    ]) {
      expect(outcomeResolved(outcome)).toBe(false);
    }
    // A backordered item with a delivery date is a result, and a partner added is a change made.
    for (const outcome of [
      'Backordered panels delivering Tuesday 7am with 5% off',
      'Partner added to joint membership',
    ]) {
      expect(outcomeResolved(outcome)).toBe(true);
    }
  });
});

describe('churn, resolution and themes: phrasings from the tune25 writers', () => {
  it("a neighbour who has gone over to a rival is not the caller leaving; the caller's own switch still is", () => {
    expect(
      churnOf(
        "My neighbour's gone over to that Kernow Crate lot and she's on at me to do the same.",
        "No, I'm staying put, your veg is proper.",
      ),
    ).toBe('low');
    expect(churnOf("We've gone over to Kernow Crate, so cancel the Thursday box please.")).toBe('critical');
  });

  it('billing that moved to another company of the supplier is no customer leaving', () => {
    const risk = recapChurn(
      'Practice manager asked why VAT appears on the invoice. The agent explained billing moved to the UK company, so VAT applies and can be reclaimed.',
      'Invoice changes explained',
    );
    expect(risk).not.toBe('critical');
    expect(risk).not.toBe('high');
  });

  it('a supplier pulling out of a place completely is the relationship ending (critical)', () => {
    expect(
      churnOf(
        "We're closing the Oahu warehouse at the end of next month. The company's pulling out of Hawaii completely.",
      ),
    ).toBe('critical');
    expect(churnOf('Mind the kerb when you are pulling out of the driveway, it is steep.')).toBe('low');
  });

  it('a prospect "just shopping around" for what we have is not leaving us', () => {
    const out = deriveCallInsights({
      transcriptLines: [
        agent('Hi, thanks for calling Puget Lock and Store, this is Shelby.'),
        caller("Hey, I'm moving next month and I need a unit, just kinda shopping around, what do you have?"),
        agent("Ten by ten would probably do it, a hundred and thirty-nine a month. Gate's open six to ten."),
        caller("Okay, that works. Cool, I'll probably just reserve online then."),
      ],
    });
    expect(out.churnRisk).toBe('low');
    expect(out.explanation.churnRisk).not.toMatch(/competitor/);
    // A customer told to shop around by a partner still is.
    expect(churnOf('My partner reckons we should shop around, the fees went up again.')).not.toBe('low');
  });

  it('an outcome that fixed the fault at no charge, or has it working again, is resolved', () => {
    expect(outcomeResolved('Fault fixed; no callout charge')).toBe(true);
    expect(outcomeResolved('Booking form emails working again')).toBe(true);
    expect(outcomeResolved('No replacement available')).toBe(false);
  });

  it('a request passed to the owner, a refund still outstanding or a customer lost to a rival is not resolved', () => {
    for (const outcome of [
      'Refund request passed to owner',
      'Deposit refund still outstanding; passed to owners',
      'Homeowner signed with competitor',
    ]) {
      expect(outcomeResolved(outcome)).toBe(false);
    }
    expect(outcomeResolved('Refund issued to card')).toBe(true);
  });

  it('a courtesy purpose ("Thank-you") and a currency ("US$" of "US$480") are never themes', () => {
    const themes =
      deriveCallInsights({
        recapSummary:
          'Caller thanked the vet but was upset the final bill of US$480 was almost double the US$250 estimate.',
        recapPurposes: ['Thank-you', 'Final bill dispute'],
        transcriptLines: [
          caller('The bill says US$480 and the estimate was US$250. Thank you for looking after her though.'),
        ],
      }).themes ?? [];
    expect(themes.length).toBeGreaterThan(0);
    expect(themes.some((t) => /\$|^thank/i.test(t))).toBe(false);
    expect(themes).toContain('Final bill dispute');
  });
  it('a modifier already in the theme in another form is not added again ("Younger young sister")', () => {
    const themes =
      deriveCallInsights({
        recapSummary:
          'Caller asked to enrol her younger sister, who has just got a provisional licence, in the driving lessons.',
        recapPurposes: ['New student enrolment'],
        transcriptLines: [
          caller('My young sister wants to start driving lessons now, she just got her provisional.'),
          agent('We can book her.'),
          caller('My young sister is nervous, so go easy.'),
        ],
      }).themes ?? [];
    // Either form the call used, once ("Younger sister" from the recap, "Young sister" from the caller).
    expect(themes.filter((t) => /^(?:younger|young) sister$/i.test(t))).toHaveLength(1);
    expect(themes.some((t) => /younger young|young younger/i.test(t))).toBe(false);
  });
});

describe('churn and resolution: phrasings from the tune26 writers', () => {
  it('a colleague who moved to another city is not the customer leaving', () => {
    expect(
      churnOf(
        "This month's invoice shows two desks. We only have one since July, my colleague moved to Kigali.",
        'Okay, that works, just send both on email.',
      ),
    ).toBe('low');
    expect(churnOf("We've moved to Kigali Cowork, so close the account please.")).toBe('critical');
  });

  it('one visit cancelled while the regular service continues is one booking, not leaving', () => {
    const out = deriveCallInsights({
      recapSummary: "Regular customer cancelled next Tuesday's window clean only, as the family is away.",
      recapOutcome: 'One clean cancelled; regular service continues',
      transcriptLines: [
        agent('Crystal Clear Windows, Lee speaking.'),
        caller("I need to cancel, er, just next Tuesday's. We're away and the side gate will be locked."),
        agent('Just the one, yeah? Not cancelling altogether?'),
        caller('God no, just the one.'),
      ],
    });
    expect(out.churnRisk).toBe('low');
  });

  it('a caller who would rather stay, and whose price was matched, is not read as leaving', () => {
    const out = deriveCallInsights({
      recapSummary:
        'Existing customer said another pest control firm quoted much less for a quarterly contract. She said she would rather stay and asked if the price could be matched. The agent matched the quote for the next year.',
      recapOutcome: 'Price matched for 12 months',
      recapPurposes: ['Contract price', 'Competitor quote'],
      transcriptLines: [
        caller('I got a quote from PestAway, a hundred and eighty a quarter. We pay two sixty with yous.'),
        caller("And look, I'd rather stay with yous, the lads are great. But can you do anything on the price?"),
        agent('I can match the one eighty for the next twelve months.'),
        caller("Ah go way, really? That's grand so."),
      ],
    });
    expect(['low', 'medium']).toContain(out.churnRisk);
  });

  it('a deposit refunded in full is a refund given, not a customer leaving', () => {
    const out = deriveCallInsights({
      recapSummary:
        'Caller had to cancel a two-night stay because her husband was injured. The owner refunded the whole deposit as a goodwill gesture and the caller said they would rebook.',
      recapOutcome: 'Full deposit refunded',
      recapPurposes: ['Booking cancellation', 'Deposit refund'],
      transcriptLines: [
        caller("My husband's had a fall and we can't travel. I understand if the deposit's gone."),
        agent("I'll refund the full deposit. Come down when he's on his feet."),
        caller("Oh we will, that's so kind. Thank you so much."),
      ],
    });
    expect(out.churnRisk).toBe('low');
  });

  it('an outcome about a missed appointment is still a conversation, and its result is read', () => {
    expect(outcomeResolved('Missed-appointment fee waived')).toBe(true);
    expect(outcomeResolved('Complaint noted; cancellation threatened if next visit missed')).toBe(false);
    expect(outcomeResolved('Missed call')).toBeNull();
  });

  it('a customer still weighing options, likely to stop, dissatisfied or paying under protest is not resolved', () => {
    for (const outcome of [
      'Parent weighing options; likely to stop at term end',
      'Client reviewing options; reduced proposal to be sent',
      'Re-screening agreed; client dissatisfied',
      'Charge upheld; customer paid under protest',
    ]) {
      expect(outcomeResolved(outcome)).toBe(false);
    }
    expect(outcomeResolved('Options explained; customer chose the annual plan')).toBe(true);
  });
});

describe('resolution: phrasings from the tune27 writers', () => {
  it('a revised or reduced quote still to come, or a customer who intends to cancel, is not resolved', () => {
    for (const outcome of [
      'Revised quote due Wednesday',
      'Revised proposal to be sent before renewal decision',
      'Customer intends to cancel; reduced quote to be emailed',
    ]) {
      expect(outcomeResolved(outcome)).toBe(false);
    }
    expect(outcomeResolved('Revised quote accepted; work starts Monday')).toBe(true);
  });

  it('done without a fee is done; without what was asked for is not', () => {
    expect(outcomeResolved('Reservation cancelled without fee')).toBe(true);
    expect(outcomeResolved('Order closed without replacement')).toBe(false);
  });
});

describe('themes: the plural a call files itself under (tune28 writers)', () => {
  it('a topic the themes hold only as a modifier ("Lesson price increase") is a theme of its own in the plural the call says', () => {
    const { themes } = deriveThemes({
      purposes: ['Lesson price increase'],
      moments: [],
      texts: [
        'Parent asked why the driving lessons cost more from next month.',
        "The lessons went up in March as well, and I've booked ten lessons for him.",
      ],
      recapCount: 1,
    });
    expect(themes[0]).toBe('Lesson price increase');
    expect(themes).toContain('Lessons');
  });

  it('not when the call says the singular more often, nor when a theme already holds the plural', () => {
    const singular = deriveThemes({
      purposes: ['Refund request'],
      moments: [],
      texts: ['Caller wants a refund for the cake.', 'I want the refund today, I have had refunds from you before.'],
      recapCount: 1,
    }).themes;
    expect(singular).not.toContain('Refunds');
    const held = deriveThemes({
      purposes: ['Records request'],
      moments: [],
      texts: ['Caller asked for the dog’s vaccination records.', 'Can you email the records over?'],
      recapCount: 1,
    }).themes;
    expect(held).not.toContain('Records');
  });
});

describe('churn: gone as the outcome files it, not persuaded to stay, the custom moved (tune28 writers)', () => {
  it('an outcome that files the caller as lost or leaving is a decision to leave; one that logged a request is not', () => {
    expect(recapChurn('The florist followed up the wedding enquiry.', 'Lead lost to competitor')).toBe('critical');
    expect(recapChurn('Caller rang about her colour appointment.', 'Client leaving at end of September')).toBe(
      'critical',
    );
    expect(recapChurn('Caller rang about her colour appointment.', 'Client leaving feedback form sent')).not.toBe(
      'critical',
    );
    // The outcome is read by these rules alone: a request logged is not the caller's threat.
    expect(recapChurn('Caller asked about the plan.', 'Cancellation request logged')).toBe('low');
  });

  it('a caller the agent could not persuade to stay has decided; one persuaded to stay has not', () => {
    expect(recapChurn('The agent apologised, but the caller was not persuaded to stay.')).toBe('critical');
    expect(recapChurn('The agent apologised and the caller was persuaded to stay.')).not.toBe('critical');
  });

  it('prescriptions or care transferred to another business is leaving; under a condition, a threat; to another day, neither', () => {
    expect(recapChurn("She is transferring all of the family's prescriptions to another pharmacy today.")).toBe(
      'critical',
    );
    expect(churnOf("If it happens again I'm moving my prescriptions to another pharmacy.")).toBe('high');
    expect(recapChurn('She is moving the appointment to another day.')).toBe('low');
  });
});

describe('churn: the council brought in after the fact, a cancelled booking the caller will book again (tune29 writers)', () => {
  it('a firm reported to the council, or the council already contacted, is a regulatory complaint', () => {
    expect(recapChurn('The tenant said she has reported the company to the council over the damp.')).toBe('critical');
    expect(churnOf("I've been on to the council about your licence, they can deal with you.")).toBe('critical');
    // The council as a place the work went through is no threat.
    expect(recapChurn('The builder said the plans had gone to the council for approval.')).toBe('low');
  });

  it('a cancellation is one booking when the caller will book again, and still a threat when they will not', () => {
    const refunded = (said: string) =>
      deriveCallInsights({
        recapSummary: 'Agent confirmed the refund for her cancelled spa package had gone back to her card.',
        recapOutcome: 'Full refund confirmed',
        transcriptLines: [
          agent('The full refund went back to your card this morning.'),
          caller(`Oh wow, thank you. ${said}`),
        ],
      }).churnRisk;
    expect(refunded("I'll book again when I'm back in August, for sure.")).toBe('low');
    expect(refunded("But I won't book again after the way it was handled.")).not.toBe('low');
  });
});

describe('themes and churn from the tune9 and tune29 writers: a verb as a compound modifier, a customer moving away', () => {
  it('a bare verb form between a determiner (a time, a possessive) and a noun modifies it ("spin class")', () => {
    const spin = deriveCallInsights({
      transcriptLines: [
        caller('The 6pm spin class was cancelled again.'),
        caller('That is the third time the spin class has gone this month.'),
      ],
    }).themes;
    expect(spin).toContain('Spin class');
    expect(
      deriveCallInsights({ recapSummary: "Owner said her cat's spay incision had opened two days after surgery." })
        .themes,
    ).toContain('Spay incision');
  });

  it('a customer relocating or moved out has left, whatever the call cancelled; a move-out clean is a service', () => {
    expect(recapChurn('The couple are relocating to Toronto and cancelled the June hall booking.')).toBe('critical');
    expect(recapChurn('Customer who moved out of her unit on the 12th asked for a refund of the unused days.')).toBe(
      'critical',
    );
    expect(recapChurn('Caller said the cleaners skipped the oven during her move-out clean.')).not.toBe('critical');
    expect(churnOf("If the price goes up again we're relocating the account elsewhere.")).toBe('high');
  });
});

describe('churn from the tune30 writers: a device called a regulator, a policy explained, one day off, a car taken elsewhere', () => {
  it('a regulator is an authority only as one ("the dental regulator", "regulator complaint"), not a gas fitting', () => {
    expect(recapChurn('Customer asked if the shop stocks a low-pressure gas regulator for his caravan heater.')).toBe(
      'low',
    );
    expect(recapChurn('Caller said he would take the matter to the state plumbing regulator.')).toBe('critical');
    expect(recapChurn('Client has lodged a regulator complaint over the unpaid bond.')).toBe('critical');
  });

  it('a cancellation policy explained while booking is no plan to cancel; asking about it still is', () => {
    expect(
      recapChurn('Caller booked a sunset cruise for four; the agent explained the storm cancellation policy.'),
    ).toBe('low');
    expect(churnOf('Before I renew, what is your cancellation policy exactly?')).toBe('high');
  });

  it('cancelling one day of a regular service is not leaving it', () => {
    expect(churnOf('Just ringing to cancel this Friday, we have visitors staying, keep me on for the rest.')).toBe(
      'low',
    );
    expect(churnOf('I want to cancel the whole service, I am done with you.')).not.toBe('low');
  });

  it('a threat to take the work to another business is a competitor threat', () => {
    expect(
      churnOf("Two weeks now and nothing. If it's not fixed by Friday I'll take the van to another mechanic."),
    ).toBe('high');
    expect(recapChurn('Agent said they would move the booking to another day.')).toBe('low');
  });
});

describe('themes from the tune30 writers: a trade named in a greeting, dialect and foreign courtesies', () => {
  it('a word of the business greeted by name that the call also says in lower case is its trade, not a person', () => {
    const themes = deriveCallInsights({
      transcriptLines: [
        agent('Good morning, Harbour Kayak Rentals, Tom speaking.'),
        caller('Hi Tom, the kayak I hired on Sunday had a split seam, the kayak took on water.'),
        agent('Sorry about that, I will refund the kayak hire.'),
      ],
    }).themes;
    expect(themes?.some((t) => /kayak/i.test(t))).toBe(true);
    // A name introduced as one stays a name, even when the word is also common.
    const named = deriveCallInsights({
      transcriptLines: [
        caller("Hi, it's Rose, about the rose bouquet for the wedding."),
        agent('Hi Rose, the rose bouquet is ready.'),
      ],
    }).themes;
    expect(named?.some((t) => /^rose$/i.test(t))).toBe(false);
  });

  it('spoken contractions, Krio and Guyanese function words and thanks in another language are never themes', () => {
    const themes = deriveCallInsights({
      transcriptLines: [
        caller('Lemme tell you, wetin una do to my fridge? Gimme my money back.'),
        agent('Murakoze for calling. Asante. The fridge compressor is under warranty.'),
        caller('Okay, fuh real, the fridge compressor warranty then.'),
      ],
    }).themes;
    expect(themes?.join(' | ')).not.toMatch(/\b(?:lemme|gimme|wetin|una|murakoze|asante|fuh)\b/i);
    expect(themes?.some((t) => /fridge|compressor|warranty/i.test(t))).toBe(true);
  });
});

describe('churn from the tune31 writers: food gone to mush, a service to be moved away at renewal', () => {
  it('something "gone to mush" or "gone to pieces" is no customer gone to a rival', () => {
    expect(
      churnOf('The courier left the cake on the wall in the rain and the icing had gone to mush.', 'Second time now.'),
    ).not.toBe('critical');
    expect(churnOf("We've gone to Brightwave for the broadband, it was cheaper.")).toBe('critical');
  });

  it('a service the caller (or the boss) wants moved away is a threat; one booking or an office moved is not', () => {
    expect(
      churnOf("We're quite happy really, but unless you match their price my manager wants to move the payroll over."),
    ).toBe('high');
    expect(
      recapChurn('Caller said the owner plans to move the bookkeeping at the March renewal unless the fee is cut.'),
    ).toBe('high');
    expect(churnOf('Could we move the lesson over to Thursday instead?')).toBe('low');
    expect(churnOf("We're planning to move the office across town next spring, just so you know.")).toBe('low');
  });
});

describe('themes from the tune31 writers: names with letters beyond Latin-1, words cut off mid-speech', () => {
  it('a name wink splits at a letter such as Ċ, Ł or Ż is one word, and still a name', () => {
    const themes = deriveCallInsights({
      transcriptLines: [
        agent('Good morning, Ċikkulata Boutique, Marija speaking.'),
        caller('Hi, Łukasz Żebrowski here, my refund for the returned dresses is still not in.'),
        agent('Sorry Łukasz, the refund for the dresses is pending with Ċikkulata accounts.'),
      ],
    }).themes;
    expect(themes?.some((t) => /refund|dress/i.test(t))).toBe(true);
    expect(themes?.join(' | ')).not.toMatch(/ikkulata|ukasz|ebrowski/i);
  });

  it('a word cut off with a dash keeps no dash, and a Norfolk "thass" is no theme', () => {
    const themes = deriveCallInsights({
      transcriptLines: [
        caller('The payment went to the wrong card, thass the problem.'),
        agent('I see, there was an issue with the payment provider-'),
        caller('The payment provider again? Thass twice now.'),
      ],
    }).themes;
    expect(themes?.join(' | ')).not.toMatch(/-(?:\s|\||$)|thass/i);
    expect(themes?.some((t) => /payment provider/i.test(t))).toBe(true);
  });
});

describe('churn from the tune32 writers: one class cancelled, named by its outcome', () => {
  it('an outcome "... booking cancellation" says a bare "I need to cancel" was that booking; a membership is not one', () => {
    const input = (recapOutcome: string) => ({
      recapSummary: 'Member left a message about the Tuesday pilates session.',
      recapOutcome,
      transcriptLines: [
        caller("Hi, it's Dana, I'm down for the Tuesday seven o'clock pilates. I need to cancel, my shift got moved."),
        caller("Pass my spot on to someone else. I'll be there next week."),
      ],
    });
    expect(deriveCallInsights(input('Class booking cancellation')).churnRisk).toBe('low');
    expect(deriveCallInsights(input('Session cancellation')).churnRisk).toBe('low');
    expect(deriveCallInsights(input('Membership cancellation')).churnRisk).not.toBe('low');
  });
});

describe('churn from the tune32 writers: a mixed call whose recap says it was put right', () => {
  const kitchen = (recapSummary: string) =>
    deriveCallInsights({
      recapSummary,
      recapOutcome: 'Replacement door ordered',
      transcriptLines: [
        caller('The kitchen looks amazing, honestly we love it, the fitters were brilliant.'),
        agent('That is lovely to hear. Anything else we can help with?'),
        caller("Well, the corner cupboard door is scratched, and that's really annoying after all that money."),
        agent("I'm so sorry about that. We'll order a replacement door and fit it free on Monday."),
        caller("Monday then. Honestly it's a real pain, I'm not happy about it at all."),
      ],
    });
  it('praise, a complaint and a remedy the recap reports is a complaint resolved by the end (low)', () => {
    const put = kitchen(
      'Customer loved the new kitchen but was upset that a cupboard door arrived scratched. The agent apologised and ordered a replacement door, to be fitted free on Monday.',
    );
    expect(put.sentiment).toBe('mixed');
    expect(put.churnRisk).toBe('low');
  });
  it('the same remedy with the caller left unhappy stays dissatisfaction (medium)', () => {
    const left = kitchen(
      'Customer loved the new kitchen but was upset that a cupboard door arrived scratched. The agent ordered a replacement door for Monday, though the customer remained unhappy.',
    );
    expect(left.sentiment).toBe('mixed');
    expect(left.churnRisk).toBe('medium');
  });
});

describe('themes: one word left of a phrase a theme already holds', () => {
  it('waits for a free slot ("Starting" of "payment plan starting" after "Payment plan request")', () => {
    const themes = deriveCallInsights({
      recapSummary:
        "Caller asked to spread the cost of her cat's dental surgery. Agent set up a three-month payment plan starting next Friday.",
      recapPurposes: ['Payment plan request'],
      transcriptLines: [
        agent('Good afternoon, Riverside Vets.'),
        caller("Hi, I've had the invoice for the dental surgery and I can't pay it all at once."),
        agent('No problem, we can do a payment plan over three months, no interest.'),
        caller("That would really help. The insurance won't cover dental, you see."),
        agent("I'll set up the first payment for next Friday and email the agreement."),
      ],
    }).themes;
    expect(themes).not.toContain('Starting');
    expect(themes).toEqual(expect.arrayContaining(['Payment plan request', 'Dental surgery', 'Insurance', 'Invoice']));
  });
});

describe('themes: a cleaner\'s job said with its verb ("a deep clean")', () => {
  it('is a theme after a determiner or modifier; a clean house is not', () => {
    // The phrase step alone: the learned topic may still file a call about a clean house under "Cleaning" (a
    // cleaner's customer), which is a topic, not the phrase "clean house".
    const themesOf = (...lines: string[]) =>
      deriveCallInsightsWith({ transcriptLines: lines.map(caller) }, { ...DEFAULT_ENGINE, topics: null }).themes ?? [];
    expect(
      themesOf('Can I book an end of tenancy clean for the flat? The tenancy clean needs doing by Friday.'),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/clean$/i)]));
    expect(themesOf('Our fortnightly clean is on Monday, could the clean move to Tuesday?').join(' ')).toMatch(
      /clean\b/i,
    );
    expect(themesOf('The house is very clean now, thanks, and the kitchen is clean too.').join(' ')).not.toMatch(
      /clean/i,
    );
  });
});

describe('churn: a rival found nearer', () => {
  it('"I found a place closer to home" after cancelling every booking is leaving; a nearer car park is not', () => {
    expect(
      churnOf('Could you cancel Thursday?', 'No, sorry, cancel the other ones too. I found a place closer to home.'),
    ).toBe('critical');
    expect(recapChurn('The client cancelled her future bookings, saying she has found a salon nearer her work.')).toBe(
      'critical',
    );
    expect(churnOf('I found a car park closer to the shop, so parking is fine now. See you Thursday.')).toBe('low');
  });
});

describe('churn from the tune33 writers: look-alikes of leaving', () => {
  it('"I\'m leaving you a five-star review" is praise; "I\'m leaving you guys" is not', () => {
    expect(churnOf('Best haircut in years. I am leaving you a five-star review tonight, promise.')).toBe('low');
    expect(churnOf("We're leaving glowing feedback on your page, the kids loved it.")).toBe('low');
    expect(churnOf("That's it, I'm leaving you guys. Third time the van hasn't shown.")).not.toBe('low');
  });
  it('one class cancelled while the membership is kept is no cancellation of the membership', () => {
    const call = (recapSummary: string) =>
      deriveCallInsights({
        recapSummary,
        recapOutcome: 'Tuesday spin class moved to Thursday',
        transcriptLines: [
          caller("Hiya, I need to cancel, not my membership, just Tuesday's spin class. Family thing."),
        ],
      }).churnRisk;
    expect(call('Member cancelled her Tuesday 6 pm spin class for a family event and is keeping her membership.')).toBe(
      'low',
    );
    expect(call('Member cancelled her membership and her Tuesday 6 pm spin class.')).not.toBe('low');
  });
  it('goods, a booking or a house moved are no customer moved to a rival', () => {
    expect(churnOf("Your pallets are stuck at the depot, we're moving them to another truck this afternoon.")).toBe(
      'low',
    );
    expect(
      churnOf('The family has decided to move the party to the following Saturday, so keep the hall for then.'),
    ).toBe('low');
    expect(
      churnOf("Hi, I'm moving from Eastfield out to Kingsbury next month. Can you quote for a three bedroom?"),
    ).toBe('low');
    expect(churnOf("We're moving our account over to Brightline, the invoices are a mess.")).toBe('critical');
    expect(recapChurn('He said he has decided to move his business to another freight agent.')).not.toBe('low');
  });
  it('a child already enrolled at another centre has left', () => {
    expect(recapChurn('Parent withdrew her son from coaching and has already enrolled him at another centre.')).toBe(
      'critical',
    );
  });
});

describe('themes: a filler verb said as a greeting', () => {
  it('"all holding up?" and "dang" give no theme; the deposit and the mixer stay', () => {
    const themes =
      deriveCallInsights({
        transcriptLines: [
          agent('Morning Kev, all holding up?'),
          caller('Yeah good. The dang cement mixer you hired me packed in, and I want my holding deposit back.'),
        ],
      }).themes ?? [];
    expect(themes.join(' ')).not.toMatch(/\b(?:holding|dang)\b(?! deposit)/i);
    expect(themes.join(' ')).toMatch(/cement mixer/i);
    expect(themes.join(' ')).toMatch(/deposit/i);
  });
});

describe('churn from the tune34 writers', () => {
  it('an inspector due to visit is no regulator brought in; one called in is', () => {
    expect(churnOf('Can you send the pest certificate? The health inspector is coming on Friday.')).toBe('low');
    expect(churnOf("If the mice aren't gone by Friday I'm calling the health inspector myself.")).not.toBe('low');
  });
  it('"I\'ll be asking my bank to reverse it" is a chargeback threat', () => {
    expect(
      churnOf(
        'The tour was cancelled by you, not us. I want my money back, not a voucher.',
        "If it isn't refunded by Monday I'll be asking my bank to reverse it.",
      ),
    ).toBe('high');
  });
  it("a purpose that files the call as the customer's departure is leaving; a branch transfer is not", () => {
    const withPurposes = (recapPurposes: string[]) =>
      deriveCallInsights({
        recapSummary:
          'Owner confirmed the remaining flats go to the new agent on the first; keys and leases to follow.',
        recapOutcome: 'Keys and leases to be sent',
        recapPurposes,
      }).churnRisk;
    expect(withPurposes(['Account handover', 'Move to another manager'])).toBe('critical');
    expect(withPurposes(['Transfer to another branch'])).not.toBe('critical');
    expect(withPurposes(['Key handover'])).not.toBe('critical');
  });
});

describe('churn: threats a recap reports in its own words', () => {
  it('moving the account to a rival, another failure meaning a new supplier, reconsidering the firm', () => {
    expect(
      recapChurn('The rep agreed to replace the batch after the owner said they would move the account to Brightway.'),
    ).toBe('high');
    expect(recapChurn('The owner warned that one more late delivery would mean changing supplier.')).toBe('high');
    expect(recapChurn('The client declined the credit and said she would reconsider using the firm next year.')).toBe(
      'high',
    );
    expect(recapChurn('The roaster announced a price rise; the owner said she will sample other roasters.')).toBe(
      'high',
    );
    expect(recapChurn('The customer asked us to move the account to the new card from next month.')).toBe('low');
  });
});

describe('churn: a public health report, and a series of lessons moved', () => {
  it('a caller who has reported the café to public health has brought in a regulator', () => {
    expect(
      recapChurn(
        'Caller said her daughter reacted to a cake sold as egg-free. She has reported it to Leeds Public Health.',
      ),
    ).toBe('critical');
  });
  it('lessons moved to another day are kept, not cancelled', () => {
    const lessons = (recapOutcome: string) =>
      deriveCallInsights({
        recapSummary: 'Parent rang to cancel her son’s swimming lessons because Monday now clashes with football.',
        recapOutcome,
        transcriptLines: [caller('Hi, I need to cancel Ollie’s lessons, Mondays are football now.')],
      }).churnRisk;
    expect(lessons('Lessons moved to Wednesday')).toBe('low');
    expect(lessons('Lessons cancelled from next week')).not.toBe('low');
  });
});

describe('churn and sentiment from the tune35 writers', () => {
  it('hiring another tradesman if nobody comes is a threat to switch', () => {
    // The rules' own reading: the learned check alone already raised this recap.
    expect(
      withoutChurnModel({
        recapSummary:
          'Caller reported that the water heater installed last week is leaking for a second time. The earliest technician slot is 8 a.m. tomorrow, and the caller said he will hire another plumber if no one arrives then.',
      }).churnRisk,
    ).toBe('high');
    expect(recapChurn('Caller asked whether the firm will hire another apprentice next year.')).toBe('low');
  });
  it('going through the bank for the money is a chargeback threat; going through bank statements is not', () => {
    expect(
      churnOf("If it's not there Friday I want my money back, and I'll go through my bank for it if I have to."),
    ).toBe('high');
    expect(
      recapChurn('Customer wants a full refund if the gallery is late and will go through her bank if necessary.'),
    ).toBe('high');
    expect(churnOf("I'll go through my bank statements tonight and send you the reference.")).toBe('low');
  });
  it('a request or a complaint that has gone to the owner is passed on, not a customer gone to a rival', () => {
    const boat = (tail: string) =>
      recapChurn(
        `Customer rejected the voucher for the cancelled boat trip and demanded a refund, saying she will ask her bank to reverse the payment if she has not heard by Friday; ${tail}`,
      );
    expect(boat('the request has gone to the owner.')).toBe('high');
    expect(boat('the complaint has gone to the manager.')).toBe('high');
    expect(recapChurn('Customer said she has gone to Harbour Tours for the rest of the season.')).toBe('critical');
  });
  it('a purpose that files the call as the account closed or the contract terminated is leaving; an end date asked about is not', () => {
    const withPurposes = (recapPurposes: string[], recapOutcome = 'Final invoice to follow') =>
      withoutChurnModel({
        recapSummary: 'Client explained the practice has been bought by a larger group; final invoice to follow.',
        recapOutcome,
        recapPurposes,
      }).churnRisk;
    expect(withPurposes(['Account closure'])).toBe('critical');
    expect(withPurposes(['Contract termination'])).toBe('critical');
    expect(withPurposes(['Contract query'], 'Contract end date confirmed')).toBe('low');
    expect(withPurposes(['Contract end date query'])).toBe('low');
  });
  it('"Oh, it was great" after a night without heat is sarcasm', () => {
    const night = (line: string) =>
      rulesOnly({
        transcriptLines: [
          agent('Northeast Propane, Seth speaking.'),
          caller(line),
          agent('I can get a delivery out to you by three.'),
          caller('Fine. By three.'),
        ],
      }).sentiment;
    expect(
      night(
        'It was nine below last night. The furnace quit around two a.m. Oh, it was great. Really great way to spend a night.',
      ),
    ).toBe('negative');
    expect(night('The new furnace has been running all week. Oh, it was great to have heat again.')).not.toBe(
      'negative',
    );
  });
});

describe('churn from the tune36 writers', () => {
  const rules = withoutChurnModel;
  it('"will buy from them in future" moves the custom to the rival; "already booked and paid another" has left', () => {
    expect(
      rules({
        recapSummary:
          'He pointed out that Vaitele Tyre Mart had his size on the shelf and said he will wait this time because he has paid a deposit, but will buy from them in future.',
      }).churnRisk,
    ).toBe('critical');
    expect(
      rules({
        recapSummary:
          'Winston agreed a full refund; she said the family has already booked and paid another rental company for next month.',
      }).churnRisk,
    ).toBe('critical');
    expect(rules({ recapSummary: 'He said he will buy from them again once the new stock lands.' }).churnRisk).toBe(
      'low',
    );
  });
  it("the business's own errand to the council about a permit is no regulator brought in", () => {
    const skip = (recapActionItems: string[]) =>
      rules({
        recapSummary: 'Caller complained her skip was not collected on Monday; a priority collection is booked today.',
        recapOutcome: 'Priority collection booked for today',
        recapActionItems,
      }).churnRisk;
    expect(skip(['Contact council about the permit extension'])).not.toBe('critical');
    expect(skip(['Respond to Trading Standards complaint'])).toBe('critical');
  });
  it('"I don\'t want to be cancelling the whole thing" is no cancellation', () => {
    expect(
      churnOf(
        "Listen, I have to cancel Tuesday, there's a funeral.",
        "I don't want to be cancelling the whole thing now, I still want to keep going. Just the Tuesday.",
      ),
    ).toBe('low');
    expect(churnOf("Honestly, I want to be cancelling the whole thing now, I'm not coming back.")).not.toBe('low');
  });
  it('a cabin stay cancelled is one booking, not the relationship', () => {
    expect(
      recapChurn(
        "Brad called to cancel next weekend's cabin stay because of wildfire smoke, and chose a credit valid for a year.",
        'Booking converted to credit',
      ),
    ).toBe('low');
  });
});

describe('churn from the tune37 writers', () => {
  const rules = withoutChurnModel;
  it('an outcome or purpose that files a legal or regulatory threat is critical; a propane regulator is not', () => {
    const photos = (recapOutcome: string) =>
      rules({
        recapSummary: 'Bride complained that her wedding photographs are still outstanding four months on.',
        recapOutcome,
      }).churnRisk;
    expect(photos('Customer pursuing legal action; full image set demanded by Friday')).toBe('critical');
    expect(photos('Complaint logged; family reporting to regulator')).toBe('critical');
    expect(photos('Propane regulator held for pickup')).not.toBe('critical');
    expect(photos('Attorney call booked for 4 PM today')).not.toBe('critical');
  });
  it('prescriptions moved to another pharmacy, whoever they belong to, have left', () => {
    expect(
      rules({
        recapSummary:
          "He turned down an emergency supply and said he is moving his and his wife's prescriptions to another pharmacy today.",
      }).churnRisk,
    ).toBe('critical');
  });
  it('a guest moved to a different cabin is no customer moved to a rival', () => {
    expect(
      rules({
        recapSummary: 'The agent moved the guest straight away to a cabin with a new air conditioning unit.',
        recapOutcome: 'Moved to a different cabin; one night waived',
      }).churnRisk,
    ).toBe('low');
    expect(
      rules({ recapSummary: 'The client is unhappy with the service.', recapOutcome: 'Moved to a new provider' })
        .churnRisk,
    ).toBe('critical');
  });
});

describe('churn from the tune38 and tune39 writers', () => {
  const rules = withoutChurnModel;
  it("a threat of the magistrate's or the county court is a legal threat", () => {
    expect(churnOf("Pay me by Friday or I'm going straight to the magistrate.")).toBe('critical');
    expect(recapChurn('She said she will take the builder to the county court if the deposit is not returned.')).toBe(
      'critical',
    );
  });
  it('an appointment cancelled that the patient will rebook is one booking, not leaving', () => {
    const eyes = (recapSummary: string) =>
      rules({ recapSummary, recapOutcome: 'Eye check cancelled', recapPurposes: ['Cancel appointment'] }).churnRisk;
    expect(eyes('She asked to cancel her eye check, which she will rebook when she is back from Perth.')).toBe('low');
    expect(eyes('The scheduler will call back to rebook. She asked to cancel her plan and is not coming back.')).toBe(
      'critical',
    );
  });
  it('"I should\'ve just gone to" a rival is regret, not a customer gone', () => {
    expect(churnOf("Honestly, I should've just gone to Harvey Norman in the first place.")).not.toBe('critical');
    expect(churnOf("Honestly, I've just gone to Harvey Norman, so cancel it.")).toBe('critical');
  });
  it('moved to a standing order or a plan with us is no customer moved away', () => {
    const beans = (recapSummary: string) => rules({ recapSummary, recapOutcome: 'Standing order set up' }).churnRisk;
    expect(beans('The owner accepted the new price and moved to a 10 kg weekly standing order.')).toBe('low');
    expect(beans('The owner said the café has moved to Bean Brothers and wants no more deliveries.')).toBe('critical');
  });
  it('"I\'d rather stay with you, but" before a conditional threat keeps the threat', () => {
    const quote = (line: string) =>
      rules({
        recapSummary: 'Caller said a rival quoted less and asked for a better price.',
        transcriptLines: [caller(line), caller("If you can't come down, we'll have to switch this year.")],
      }).churnRisk;
    expect(quote("I'd rather stay with you, you've been good, but the money's the money.")).toBe('high');
    expect(churnOf("Fine, I'll stay with you, you've been good to us.")).toBe('low');
  });
  it('stock put on hold for the customer to collect is no supply stopped', () => {
    expect(recapChurn('Twenty bags of cement were put on hold for him to pick up on Saturday.')).toBe('low');
    expect(recapChurn('The supplier said the account will be put on hold if the invoice is not paid by Friday.')).toBe(
      'high',
    );
  });
  it('a switch the caller was about to make, told once she was won over, is no threat', () => {
    const lines = [
      caller('My colour came out orange and the wedding is on Saturday, I am so upset.'),
      agent("I'm so sorry. We'll redo it free on Wednesday with our colour lead."),
      caller(
        'Oh, really? I was about ready to just go somewhere else. Thank you, that is wonderful, I feel much better.',
      ),
    ];
    expect(
      rules({ recapOutcome: 'Free colour correction booked for Wednesday', transcriptLines: lines }).churnRisk,
    ).toBe('low');
    expect(churnOf("I'm so upset. I'm ready to just go somewhere else.")).not.toBe('low');
  });
  it('leaving said under a condition, or as a maybe in the outcome, is a threat, not the decision', () => {
    expect(
      recapChurn('She said if nobody calls back today she will not be using the company again.', 'Callback requested'),
    ).toBe('high');
    expect(recapChurn('He said he will not be using the company again.', 'Complaint logged')).toBe('critical');
    const glass = (recapOutcome: string) =>
      rules({ recapSummary: 'The windscreen job was postponed a third time.', recapOutcome }).churnRisk;
    expect(glass('No date yet; customer may switch to competitor')).toBe('high');
    expect(glass('Customer switched to competitor')).toBe('critical');
  });
  it('asking what notice not renewing takes is a plan, not the decision', () => {
    expect(recapChurn('Client asked how much notice is needed not to renew the cleaning contract.')).toBe('high');
    expect(recapChurn('Client said the firm is not renewing the cleaning contract.')).toBe('critical');
  });
});

describe('churn from the tune40 writers', () => {
  const rules = withoutChurnModel;
  it("the business asked to contact the caller's solicitor on a sale is no legal threat; the caller's own is", () => {
    expect(
      recapChurn('The vendor accepted the offer and asked the agent to go ahead and contact her solicitor.'),
    ).not.toBe('critical');
    expect(recapChurn('The tenant said she will contact her solicitor about the deposit.')).toBe('critical');
  });
  it('relocating here, or relocating and needing a home, is a newcomer, not a customer leaving', () => {
    expect(churnOf("I'm relocating from Darwin for a new job, so I'd need a place by March.")).toBe('low');
    expect(recapChurn('She is relocating for work and needs a rental by January; she asked for viewings.')).toBe('low');
    expect(recapChurn('She is relocating to Perth next month, so the cleaning will stop.')).not.toBe('low');
  });
  it('"wanna cancel the standing appointments", or recurring ones cancelled, is the service cancelled', () => {
    expect(churnOf('So I wanna cancel the, the standing appointments, money is tight.')).not.toBe('low');
    expect(recapChurn('Caller cancelled the recurring fortnightly cleaning visits for the winter.')).not.toBe('low');
    expect(churnOf('I wanna cancel the appointment on Friday, I have a funeral.')).toBe('low');
  });
  it('a customer likely to buy from an overseas builder, or leaning towards a rival, is a threat', () => {
    expect(recapChurn('The customer said the club is likely to buy from an overseas builder.')).toBe('high');
    expect(recapChurn('The club has leaned towards buying from Harbour Marine.')).toBe('high');
    expect(recapChurn('The customer said the club is likely to buy next month.')).toBe('low');
  });
  it('an outcome or purpose that files the supplier as leaving the region is critical', () => {
    const fish = (recapOutcome: string) =>
      rules({ recapSummary: 'The fish merchant called about the month-end orders.', recapOutcome }).churnRisk;
    expect(fish('Supplier leaving region; final orders arranged')).toBe('critical');
    expect(fish('Supplier closing depot')).toBe('critical');
    expect(fish('Supplier price list sent')).toBe('low');
  });
  it('an account put on hold to prevent collections is a courtesy, not a supply stopped', () => {
    expect(
      recapChurn('The agent put the account on hold to prevent collections while the insurer re-processes the claim.'),
    ).not.toBe('high');
    expect(recapChurn('The supplier said he will put the account on hold if the invoice is not paid by Friday.')).toBe(
      'high',
    );
  });
});

describe('churn from the tune41 writers', () => {
  it('friends who moved to a rival, or a due date moved to the 1st, are not the customer leaving', () => {
    expect(
      churnByRules({ recapSummary: 'She said two of her friends have moved to Peak Gym; the trainer will call her.' }),
    ).not.toBe('critical');
    expect(
      churnByRules({ recapSummary: 'The parent had missed that the due date moved to the 1st; he will pay today.' }),
    ).not.toBe('critical');
    expect(churnByRules({ recapSummary: 'She said she has moved to Peak Gym.' })).toBe('critical');
  });
  it('a threat reported as not made is no threat', () => {
    expect(churnByRules({ recapSummary: 'He complained about the delays, without saying he would leave.' })).not.toBe(
      'high',
    );
    expect(churnByRules({ recapSummary: 'He complained about the delays and said he would leave.' })).toBe('high');
  });
  it('the customer getting prices from other suppliers is a threat; a note to compare prices is not', () => {
    expect(
      churnByRules({ recapSummary: 'The owner said she will get prices from other roasters before ordering.' }),
    ).toBe('high');
    expect(
      churnByRules({
        recapSummary: 'The mill called about a price rise.',
        recapActionItems: ['Compare prices from other mills'],
      }),
    ).not.toBe('high');
  });
  it('a complaint the recap files the call under and the call left open is an unresolved complaint', () => {
    const taxi = (recapPurposes: string[]) =>
      churnByRules({
        recapSummary: 'Caller rang about the airport taxi on Friday.',
        recapOutcome: 'Owner to call back',
        recapPurposes,
      });
    expect(taxi(['No-show complaint'])).toBe('medium');
    expect(taxi(['Booking query'])).toBe('low');
  });
  it('a card dispute already opened, or a payment reversed with the bank, is a chargeback raised', () => {
    expect(
      churnByRules({ recapSummary: 'She said she has already opened a card dispute with her bank over the order.' }),
    ).toBe('critical');
    expect(churnByRules({ recapSummary: 'Caller said the bank has already opened the dispute.' })).toBe('critical');
    expect(
      churnByRules({ transcriptLines: [caller("I'm ringing to say I have reversed the payment with my bank.")] }),
    ).toBe('critical');
    expect(
      churnByRules({ recapSummary: 'He will dispute the $900 card charge if the claim is not answered by Friday.' }),
    ).toBe('high');
  });
  it('a complaints commission brought in is a legal threat', () => {
    expect(
      churnByRules({
        recapSummary: 'He said he would take it to the Legal Complaints Commission if the bill does not add up.',
      }),
    ).toBe('critical');
  });
  it('a standing service cancelled from a date, another provider already arranged, further deliveries held', () => {
    expect(
      churnByRules({
        recapSummary:
          "Caller cancelled her daughter's bus service from next month; she has already arranged an alternative.",
        recapOutcome: 'Bus service cancelled from next month',
      }),
    ).toBe('critical');
    expect(churnByRules({ recapSummary: 'She said she has already arranged an alternative.' })).toBe('high');
    expect(churnByRules({ recapSummary: 'The agent has already arranged an alternative driver.' })).toBe('low');
    expect(
      churnByRules({ recapSummary: 'The supplier will hold further deliveries until the overdue invoice is paid.' }),
    ).toBe('high');
  });
});

describe('themes from the tune41 writers', () => {
  it('a Scots negation ("doesnae") is no theme', () => {
    const themes = deriveCallInsights({
      transcriptLines: [
        caller("I got the invoice. If the breakdown doesnae add up I'll be back on the phone."),
        caller('The breakdown doesnae show the extra hours, and the invoice doesnae match the estimate.'),
        agent("I'll send an itemised breakdown today."),
      ],
    }).themes;
    expect(themes?.join(' ')).not.toMatch(/doesnae/i);
    expect(themes?.join(' ')).toMatch(/invoice/i);
  });
});

describe('churn from the tune42 writers', () => {
  it('a caller from the health department is no legal threat; calling the health department is', () => {
    expect(
      churnByRules({
        transcriptLines: [caller("Hi, it's Ana from the health department, I need three rooms in May.")],
      }),
    ).toBe('low');
    expect(
      churnByRules({ transcriptLines: [caller("I'll be calling the health department about this kitchen.")] }),
    ).toBe('critical');
  });
  it('a pass cancelled is the service; an outcome that froze it instead is the customer kept', () => {
    expect(churnByRules({ recapSummary: 'Caller asked to cancel her swim pass because of her new shifts.' })).toBe(
      'high',
    );
    expect(
      churnByRules({
        recapSummary: 'Caller asked to cancel her gym membership because of her new shifts.',
        recapOutcome: 'Membership frozen for two months instead of cancelled',
        recapPurposes: ['Cancellation request'],
      }),
    ).toBe('high');
  });
  it('shipments already moved to another courier, or a supplier ending its deliveries, is the custom gone', () => {
    expect(churnByRules({ recapSummary: 'He said he has already moved his shipments to another courier.' })).toBe(
      'critical',
    );
    expect(
      churnByRules({
        recapSummary: 'The dairy called about the island run.',
        recapOutcome: 'Supplier ending island deliveries; final order offered',
      }),
    ).toBe('critical');
  });
  it('leaving said under an if ("if it fades again she will not be back") is a threat, not the decision', () => {
    expect(churnByRules({ recapSummary: 'She said that if the colour fades again she will not be back.' })).toBe(
      'high',
    );
    expect(churnByRules({ recapSummary: 'She said she will not be back.' })).toBe('critical');
  });
  it('an angry demand for the full cost back, left open, is the refund rung', () => {
    expect(
      churnByRules({
        recapSummary: 'Caller was furious that his table was ruined and demanded the full cost of the table back.',
        recapOutcome: 'Claim passed to manager',
      }),
    ).toBe('high');
  });
  it('a fault started again, or having to come back twice, is a repeat problem', () => {
    expect(churnByRules({ recapSummary: 'Caller said the new screen has started flickering again.' })).toBe('medium');
    expect(churnByRules({ recapSummary: 'Caller said she has had to come back twice about the hinge.' })).toBe(
      'medium',
    );
    expect(churnByRules({ recapSummary: 'Caller said the new screen is working again.' })).toBe('low');
  });
});

describe('themes from the tune42 writers', () => {
  it('a state word is not spliced beside its opposite ("Wrong correct colour")', () => {
    const themes = deriveCallInsights({
      recapSummary: 'Customer received the wrong colour of wool and wants the correct colour sent.',
      recapPurposes: ['Wrong colour'],
      transcriptLines: [
        caller('The wool came in the wrong colour. I need the correct colour for the jumper.'),
        caller('Can you send the correct colour this week?'),
      ],
    }).themes;
    expect(themes).toContain('Wrong colour');
    expect(themes?.join(' ')).not.toMatch(/wrong correct/i);
  });
});

describe('churn from the tune43 writers', () => {
  it('going to the bank to get the payment reversed, if the money is not back, is a chargeback threat', () => {
    expect(
      churnOf("If the deposit isn't back by Monday I'm going to my bank and getting it reversed, simple as that."),
    ).toBe('high');
    expect(recapChurn('The caller said she would go to her bank to reverse the payment if no refund came.')).toBe(
      'high',
    );
  });
  it('asking whether something has to go elsewhere is no threat; saying it will go elsewhere is', () => {
    expect(churnByRules({ transcriptLines: [caller('So then I would have to take it somewhere else?')] })).toBe('low');
    expect(churnByRules({ transcriptLines: [caller("Fine, then I'll take it somewhere else.")] })).toBe('high');
  });
  it('an outcome or purpose filing a withdrawal given, or a child leaving, is the customer gone', () => {
    expect(churnByRules({ recapSummary: 'Parent rang the nursery.', recapPurposes: ['Withdrawal notice'] })).toBe(
      'critical',
    );
    expect(
      churnByRules({
        recapSummary: 'Parent rang the nursery.',
        recapOutcome: 'Report to follow; child leaving at end of term',
      }),
    ).toBe('critical');
    expect(
      churnByRules({ recapSummary: 'Parent rang the nursery.', recapPurposes: ['Withdrawal notice period'] }),
    ).toBe('low');
  });
  it('an invoice cancelled and reissued is a correction, not a service cancelled', () => {
    expect(
      churnByRules({
        recapSummary: 'Tax was doubled on the bill.',
        recapActionItems: ['Cancel and reissue the hosting invoice'],
      }),
    ).toBe('low');
    expect(churnByRules({ recapSummary: 'He asked us to cancel the hosting plan from March.' })).toBe('high');
  });
  it("a supplier's price rise the call left unaccepted is a risk to the supply; one accepted is not", () => {
    const priceRise = (recapOutcome: string) =>
      churnByRules({
        recapSummary: 'The bakery supplier called to give notice of a ten percent rise on flour.',
        recapOutcome,
        recapPurposes: ['Price increase notice'],
      });
    expect(priceRise('Rise not yet accepted; owner to reply Friday')).toBe('medium');
    expect(priceRise('New prices accepted from the 1st')).toBe('low');
  });
  it('a demand for the manager from a caller the call won over and put right is not dissatisfaction left', () => {
    const call = (ending: string, recapOutcome: string) =>
      churnByRules({
        recapOutcome,
        transcriptLines: [
          caller('I want to talk to the manager. The groomer cut his paw and nobody told me.'),
          agent("I'm the manager. I'm so sorry, I'll refund the groom and cover the vet."),
          caller(ending),
        ],
      });
    expect(
      call("Oh thank you so much, that's wonderful, I really appreciate it. You've been brilliant.", 'Groom refunded'),
    ).toBe('low');
    expect(call('Right. I still think this is awful.', 'Manager to call back')).toBe('medium');
  });
});

describe('resolved from the tune43 writers', () => {
  it('a request passed to someone, deferred or sent on for a decision is not resolved yet', () => {
    expect(outcomeResolved('Fee query passed to practice manager')).toBe(false);
    expect(outcomeResolved('Refund decision deferred to owner')).toBe(false);
    expect(outcomeResolved('Waiver request to be sent to committee')).toBe(false);
    expect(outcomeResolved('Customer pursuing legal action')).toBe(false);
  });
  it('praise passed on is done', () => {
    expect(outcomeResolved('Compliment passed to technician')).toBe(true);
    expect(outcomeResolved('Positive feedback passed on to the crew')).toBe(true);
  });
});

describe('sentiment from the tune43 writers', () => {
  it('a recap saying the caller rang to praise, or that the work was a huge hit, is positive', () => {
    expect(
      rulesOnly({ recapSummary: 'Caller rang to praise the gardener who redid her borders last week.' }).sentiment,
    ).toBe('positive');
    expect(
      rulesOnly({ recapSummary: 'Caller said the catering for the party was a huge hit with everyone.' }).sentiment,
    ).toBe('positive');
  });
  it('a caller saying it was a huge hit, or the talk of the town, is positive', () => {
    const said = (line: string) => rulesOnly({ transcriptLines: [caller(line)] }).sentiment;
    expect(said('The buffet was a huge hit with the whole family.')).toBe('positive');
    expect(said('Your cake was the talk of the town, honestly.')).toBe('positive');
  });
});

describe('churn from the tune44 writers', () => {
  it('a car rental office is no tenancy regulator; the rent tribunal is', () => {
    expect(recapChurn('Caller asked the car rental office to move her pickup to Friday.')).toBe('low');
    expect(recapChurn('Tenant said she will take the deposit to the rent tribunal.')).toBe('critical');
  });
  it('a supplier pulling out of a named place is the supply gone', () => {
    expect(
      churnByRules({ transcriptLines: [caller('Head office is pulling oot of Angus altogether, I am sorry.')] }),
    ).toBe('critical');
    expect(
      churnByRules({ recapSummary: 'The wholesaler said it is pulling out of the Wimmera at the end of June.' }),
    ).toBe('critical');
  });
  it('taking the car to the dealer instead, if the repair fails again, is a threat', () => {
    expect(
      churnByRules({
        transcriptLines: [caller("If it ain't right this time I'm takin' it to the dealer, simple as that.")],
      }),
    ).toBe('high');
  });
  it('a boiler packed in again, or twice in a fortnight, is a repeat problem', () => {
    expect(churnByRules({ transcriptLines: [caller("The boiler's packed in again, love.")] })).toBe('medium');
    expect(churnByRules({ recapSummary: 'Caller said the gate motor failed twice in a fortnight.' })).toBe('medium');
  });
});

describe('resolved from the tune44 writers', () => {
  it('a re-inspection, a waitlist, a regulator or a check still to come is not resolved yet', () => {
    expect(outcomeResolved('Car booked back in Monday for inspection')).toBe(false);
    expect(outcomeResolved('Van to be re-inspected under warranty')).toBe(false);
    expect(outcomeResolved('Added to waitlist')).toBe(false);
    expect(outcomeResolved('Fee upheld; caller to contact Trading Standards')).toBe(false);
    expect(outcomeResolved('Hearing aid to be checked; remake if faulty')).toBe(false);
    expect(outcomeResolved('Tablets ready; inhaler on order')).toBe(false);
  });
  it('work ready for collection is done; a pressure regulator is a part, not the regulator', () => {
    expect(outcomeResolved('Banners ready Thursday afternoon')).toBe(true);
    expect(outcomeResolved('Gas regulator ready; collection Friday')).toBe(true);
  });
});

describe('themes from the tune44 writers', () => {
  it('Scots "aboot" and "afore" are no theme words', () => {
    const themes = deriveCallInsights({
      transcriptLines: [
        caller("Ye're joking. Fit aboot deliveries? We need the timber."),
        caller("If ye want a last bulk order at the old price afore it shuts, I'll sort it."),
        caller("Aye, the timber order, I'll get a list tae ye afore Friday."),
      ],
    }).themes;
    expect(themes?.join(' ')).not.toMatch(/aboot|afore/i);
    expect(themes?.join(' ')).toMatch(/timber|deliver/i);
  });
});

describe('churn from the tune45 writers', () => {
  it("another firm's lot that never come back is praise for us; the caller never coming back is leaving", () => {
    expect(
      churnByRules({
        transcriptLines: [caller("Ten years with you. The other crowd's lads never come back for owt.")],
      }),
    ).toBe('low');
    expect(churnByRules({ transcriptLines: [caller("I'll never come back here, not after that.")] })).toBe('critical');
  });
  it('nothing gone to the health fund is a claim not made, not the caller gone to a rival', () => {
    expect(
      churnByRules({
        transcriptLines: [caller('I paid full price for four visits and nothing has gone to my health fund.')],
      }),
    ).not.toBe('critical');
    expect(churnByRules({ transcriptLines: [caller("We've gone to the physio on Main Street now.")] })).toBe(
      'critical',
    );
  });
  it('a student moved to a new host family stays with us; moving to a new supplier does not', () => {
    expect(
      recapChurn('Parent asked for her daughter to change host family.', 'Student moving to new host family Monday'),
    ).not.toBe('critical');
    expect(recapChurn('Owner said the prices are too high.', 'Moving to new supplier')).toBe('critical');
  });
  it('a cancellation held off until the problem is gone is still a cancellation', () => {
    expect(
      recapChurn('Owner asked to cancel the pest contract; he will cancel at month end unless the problem is gone.'),
    ).toBe('high');
  });
  it("a partner unable to supply one item for the day is no supplier leaving; a supplier that won't supply us is", () => {
    expect(
      churnByRules({
        recapSummary: 'The hire partner can no longer supply the gazebo for that weekend; another is being sought.',
      }),
    ).not.toBe('critical');
    expect(churnByRules({ recapSummary: 'The wholesaler will no longer supply the shop after June.' })).toBe(
      'critical',
    );
  });
  it('the business reported to the council, or Environmental Health in touch, is the regulator brought in', () => {
    expect(
      churnByRules({ recapSummary: 'She said she will report the kennels to the council over the dog’s injury.' }),
    ).toBe('critical');
    expect(
      churnByRules({
        transcriptLines: [caller("I've been in touch with Environmental Health about the mould, just so you know.")],
      }),
    ).toBe('critical');
  });
  it('following a departing stylist or teacher is a threat to go', () => {
    expect(churnByRules({ transcriptLines: [caller('Oh no. Well, I might just follow him, to be honest.')] })).toBe(
      'high',
    );
    expect(
      churnByRules({
        recapSummary: 'Caller asked about her colour.',
        recapOutcome: 'Client considering following departing barber',
      }),
    ).toBe('high');
  });
  it('a cancellation logged on a call left open is the customer gone', () => {
    expect(
      churnByRules({
        transcriptLines: [caller('I want to cancel the monitoring. Today. And I am not paying that exit fee.')],
        recapOutcome: 'Cancellation logged; exit fee disputed',
      }),
    ).toBe('critical');
  });
});

describe('resolved from the tune45 writers', () => {
  it('a fee upheld, a renewal at risk, a cause unknown or a charge the customer disputes is not resolved', () => {
    expect(outcomeResolved('Late fee upheld')).toBe(false);
    expect(outcomeResolved('Price rise stands')).toBe(false);
    expect(outcomeResolved('Site visit booked; renewal at risk')).toBe(false);
    expect(outcomeResolved('Router rebooted; root cause unknown')).toBe(false);
    expect(outcomeResolved('Bill unchanged; customer disputes the extra charge')).toBe(false);
  });
  it('records or a place transferred is done; a call transferred is still open', () => {
    expect(outcomeResolved('Records to be transferred to the new vet by Friday')).toBe(true);
    expect(outcomeResolved('Course place transferred to March')).toBe(true);
    expect(outcomeResolved('Call transferred to accounts')).toBe(false);
  });
});

describe('sentiment from the tune45 writers', () => {
  const said = (line: string) => rulesOnly({ transcriptLines: [caller(line)] }).sentiment;
  it('a gem, worth every penny, could not have done it without you, you people are the best: praise', () => {
    expect(said("You're a gem, honestly.")).toBe('positive');
    expect(said('It was worth every penny.')).toBe('positive');
    expect(said('I couldnae have done it withoot ye, Morag.')).toBe('positive');
    expect(said('You people are the best, I mean it.')).toBe('positive');
    expect(said('You people are useless.')).toBe('negative');
  });
  it('marvellous said of someone is praise; a bare "marvellous" stays unread, it is often sarcasm', () => {
    expect(said("You've been marvellous, all of you.")).toBe('positive');
    expect(said('Three more weeks. Marvellous.')).not.toBe('positive');
  });
});

describe('themes from the tune45 writers', () => {
  it('a word that says which one is not put inside a compound the theme already has', () => {
    const themes = deriveCallInsights({
      recapPurposes: ['Host family complaint'],
      transcriptLines: [
        caller('The current family go out every night and leave him alone.'),
        caller('The current family never cook for him, honestly.'),
      ],
    }).themes;
    expect(themes).toContain('Host family complaint');
    expect(themes?.join(' ')).not.toMatch(/host current family/i);
  });
});

describe('churn from the tune46 writers', () => {
  it('photos sent to a solicitor, or a solicitor drafting a letter, is legal action under way', () => {
    expect(
      churnByRules({
        transcriptLines: [caller('I emailed the pictures to my solicitor this morning, for what it is worth.')],
      }),
    ).toBe('critical');
    expect(churnByRules({ recapSummary: 'She said her solicitor is drafting a letter about the cracked tiles.' })).toBe(
      'critical',
    );
  });
  it('a driver gone to the wrong address is a mix-up, not the customer gone to a rival', () => {
    expect(
      churnByRules({ recapSummary: 'The courier had gone to the wrong farm; a second van was sent at once.' }),
    ).toBe('low');
    expect(churnByRules({ recapSummary: 'She has gone to another dog groomer in town.' })).toBe('critical');
  });
  it('giving the rival a go unless the price is matched is a threat', () => {
    expect(churnByRules({ transcriptLines: [caller("If ye cannae get near their price, I'll gie them a go.")] })).toBe(
      'high',
    );
    expect(churnByRules({ recapSummary: 'He said he would try them unless the quote came down.' })).toBe('high');
  });
});

describe('resolved from the tune46 writers', () => {
  it('a partial refund given is resolved; a partial refund only offered is not', () => {
    expect(outcomeResolved('Partial refund of $30 issued')).toBe(true);
    expect(outcomeResolved('£25 partial refund agreed and repair booked')).toBe(true);
    expect(outcomeResolved('Partial refund offered; customer declined')).toBe(false);
  });
  it('a date unknown, a back-order, a dispute lodged or a refund demanded is not resolved', () => {
    expect(outcomeResolved('Delivery date unknown; update promised Friday')).toBe(false);
    expect(outcomeResolved('Replacement back-ordered')).toBe(false);
    expect(outcomeResolved('Back-order placed; stock due in May')).toBe(false);
    expect(outcomeResolved('Card dispute already lodged by the client')).toBe(false);
    expect(outcomeResolved('Guest checked out; deposit refund demanded')).toBe(false);
  });
  it('a supplier that committed to a time, or a contact to follow, is done; someone still to act is not', () => {
    expect(outcomeResolved('Supplier committed to 6am drops from Monday')).toBe(true);
    expect(outcomeResolved('Depot closing; alternative supplier contact to follow')).toBe(true);
    expect(outcomeResolved('Manager to call back tomorrow')).toBe(false);
  });
});

describe('sentiment from the tune46 writers', () => {
  const said = (line: string) => rulesOnly({ transcriptLines: [caller(line)] }).sentiment;
  it('a load off, my hero, never once let us down, una try well: praise', () => {
    expect(said("Oh, that's a load off.")).toBe('positive');
    expect(said("Tell Darren he's my hero.")).toBe('positive');
    expect(said('You never once let us down in six years.')).toBe('positive');
    expect(said('Una try well well for this job.')).toBe('positive');
  });
});

describe('churn from the tune47 writers', () => {
  it("cancelling only this week's delivery, or a class moved to another day, is one booking, not the service", () => {
    expect(
      churnByRules({ transcriptLines: [caller("I need to cancel this week's only, we're away at my sister's.")] }),
    ).toBe('low');
    expect(
      churnByRules({ recapSummary: "Caller asked to cancel only this Saturday's veg box; next week's stays." }),
    ).toBe('low');
    expect(
      churnByRules({
        recapSummary: 'Caller cancelled her place on Tuesday morning spin.',
        recapOutcome: 'Moved from Tuesday to Friday class',
        transcriptLines: [caller("I need to cancel, sorry, work's gone mad.")],
      }),
    ).toBe('low');
    expect(churnByRules({ transcriptLines: [caller('I need to cancel the whole membership.')] })).toBe('high');
  });
  it('a consumer regulator named with its possessive, or Consumer and Business Services, is a regulatory threat', () => {
    expect(churnByRules({ recapSummary: "He will complain to the state's building regulator about the deck." })).toBe(
      'critical',
    );
    expect(churnByRules({ transcriptLines: [caller("Then I'm taking it to Consumer and Business Services.")] })).toBe(
      'critical',
    );
  });
  it('telling everybody to stay away is a threat to the business', () => {
    expect(churnByRules({ transcriptLines: [caller("I'm telling everybody on the estate not to use you.")] })).toBe(
      'high',
    );
    expect(
      churnByRules({ recapSummary: 'She threatened to warn other parents in the village away from the nursery.' }),
    ).toBe('high');
  });
  it('going with a rival instead, only if the price stands, is a threat; looking elsewhere for this week is not', () => {
    expect(
      churnByRules({
        transcriptLines: [caller("If the quote doesn't move, we'll have to go with Brookfield Hall instead.")],
      }),
    ).toBe('high');
    expect(churnByRules({ transcriptLines: [caller("We're going with Brookfield Hall instead.")] })).toBe('critical');
    expect(churnByRules({ recapSummary: 'The café will look elsewhere for this week while the boats are in.' })).toBe(
      'medium',
    );
    expect(churnByRules({ recapSummary: 'The café will look elsewhere while the boats are in.' })).toBe('high');
  });
});

describe('resolved from the tune47 writers', () => {
  it('a partial refund given as the outcome, or no change needed, is resolved', () => {
    expect(outcomeResolved('£40 partial refund; cake remade for Saturday')).toBe(true);
    expect(outcomeResolved('Partial deposit refund of $200 plus a free lesson')).toBe(true);
    expect(outcomeResolved('Bill checked; no changes needed')).toBe(true);
  });
  it('a dispute that stands, a complaint filed, something to be reviewed or followed up, a lean to a rival: not resolved', () => {
    expect(outcomeResolved('Boiler fixed; labour dispute stands')).toBe(false);
    expect(outcomeResolved('Fee waived; council complaint filed')).toBe(false);
    expect(outcomeResolved('Discount request to be reviewed by the owner')).toBe(false);
    expect(outcomeResolved('Noise concerns to be followed up')).toBe(false);
    expect(outcomeResolved('Quote sent; client leaning towards a competitor')).toBe(false);
  });
});

describe('churn from the tune48 writers', () => {
  it('buying from a named rival now is a customer already gone; a plan to, under an if, is a threat', () => {
    expect(
      churnByRules({ transcriptLines: [caller('Truth is, I buy from Lakeside Spares now, their price is less.')] }),
    ).toBe('critical');
    expect(churnByRules({ recapSummary: 'He now buys most of his feed from Hollins Farm Supplies.' })).toBe('critical');
    expect(
      churnByRules({
        transcriptLines: [
          caller("If it's still that dear in a month I'll just stop it and get my eggs from the Spar."),
        ],
      }),
    ).toBe('high');
    expect(
      churnByRules({ transcriptLines: [caller('I buy from Lakeside Spares now and then, when you are shut.')] }),
    ).toBe('low');
  });
  it('children taken out after this term, or not re-enrolled, have left', () => {
    expect(
      churnByRules({ transcriptLines: [caller("We're going to take the girls out after this term, sorry.")] }),
    ).toBe('critical');
    expect(
      churnByRules({ recapSummary: 'The boy finishes the paid term and will not be re-enrolled for spring.' }),
    ).toBe('critical');
  });
  it('credit terms moved from sixty to thirty days, or everything moved to a new bank, is no one leaving', () => {
    expect(
      churnByRules({
        transcriptLines: [caller('Head office has decided to move your account from sixty days to thirty days.')],
      }),
    ).toBe('low');
    expect(
      churnByRules({ transcriptLines: [caller('I moved everything over to the credit union and forgot about you.')] }),
    ).toBe('low');
    expect(churnByRules({ transcriptLines: [caller("We've decided to move to Harbour Print.")] })).toBe('critical');
  });
});

describe('resolved from the tune48 writers', () => {
  it('a delivery unconfirmed, half an order, a revised proposal requested: not resolved; half a deposit refunded is', () => {
    expect(outcomeResolved('Saturday collection unconfirmed')).toBe(false);
    expect(outcomeResolved('Half of the tile order confirmed; rest to follow')).toBe(false);
    expect(outcomeResolved('Revised maintenance proposal requested')).toBe(false);
    expect(outcomeResolved('Half of the £300 deposit refunded')).toBe(true);
  });
  it('goods dropped off today are a delivery, not a dropped call', () => {
    expect(outcomeResolved('Main order moved to Monday; two sacks dropped today')).toBe(true);
    expect(outcomeResolved('Call dropped')).toBe(null);
  });
});

describe('churn from the tune49 writers', () => {
  it('an action item to find a new supplier says the supply is ending; getting quotes or a backup is not yet', () => {
    const withItem = (item: string) =>
      churnByRules({
        recapSummary: 'The wholesaler rang about changes to its delivery round next month.',
        recapActionItems: [item],
      });
    expect(withItem('Find a new dairy supplier before the round changes')).toBe('critical');
    expect(withItem('Source an alternative bakery wholesaler')).toBe('critical');
    expect(withItem('Get quotes from alternative dairy suppliers')).not.toBe('critical');
    expect(withItem('Line up a backup dairy supplier')).not.toBe('critical');
  });
  it('the agent taking future orders is a way of working; future orders taken elsewhere are leaving', () => {
    expect(
      churnByRules({
        recapSummary: 'The customer queried the gas price on her invoice and will pay it.',
        recapActionItems: ['Quote the new price when taking future gas orders'],
      }),
    ).toBe('low');
    expect(
      churnByRules({ transcriptLines: [caller("We'll be taking our future orders elsewhere, I'm afraid.")] }),
    ).toBe('critical');
  });
  it('nights of a stay shifted to later dates is one booking changed, not a cancellation', () => {
    expect(
      churnByRules({
        transcriptLines: [
          caller('Their ferry is late, so I need to cancel the first two nights.'),
          agent('Rather than cancel, I can put those two nights on the end of the stay.'),
          caller('Oh, lovely, thank you.'),
        ],
        recapSummary:
          'The caller needed to drop two nights of a cottage stay; the agent added them to the end instead.',
        recapOutcome: 'Stay shifted to the 9th-16th',
      }),
    ).toBe('low');
  });
  it('one night of a stay, or a family week at a cabin, cancelled is one booking', () => {
    expect(
      churnByRules({
        transcriptLines: [caller('I need to cancel just the Friday night, we still want Saturday and Sunday.')],
        recapSummary: 'Guest asked to drop the first night of her weekend stay and keep the other two.',
      }),
    ).toBe('low');
    expect(
      churnByRules({
        transcriptLines: [
          caller('So we need to cancel, the doctor says no travel.'),
          agent('We will refund it in full.'),
        ],
        recapSummary: "Guest cancelled her family's July lodge week on doctor's advice and was refunded in full.",
        recapOutcome: 'Deposit refunded in full',
      }),
    ).toBe('low');
  });
  it('a regular service asked to be cancelled, kept on trial under a condition, is still a threat', () => {
    expect(
      deriveCallInsights({
        transcriptLines: [
          caller("I'd like to cancel my fortnightly clean, please. You've missed three of the last five."),
          agent("I'm sorry. Let me give you our senior cleaner every time, and the next clean is free."),
          caller("Fine. One month. But if she doesn't turn up even once, that's it."),
        ],
        recapSummary:
          'Caller asked to cancel her fortnightly cleaning after missed visits. Agent offered a senior cleaner and a free clean. Caller agreed to a one-month trial but will cancel if any visit is missed.',
        recapOutcome: 'Cancellation paused for one-month trial',
      }).churnRisk,
    ).toBe('high');
  });
  it('already booked with another operator, or a customer using a competitor, has left', () => {
    expect(recapChurn('He cancelled the May tour, saying he has already booked with another guide.')).toBe('critical');
    expect(
      churnByRules({
        recapSummary: "Caller cancelled Friday's van hire.",
        recapOutcome: 'Hire cancelled; customer using competitor',
      }),
    ).toBe('critical');
  });
  it('a taken child moved to another school under a condition is a threat', () => {
    expect(churnOf('If this happens one more time I will take him and his sister to another school.')).toBe('high');
    expect(recapChurn('The parent said she would move both her sons to another nursery if it happened again.')).toBe(
      'high',
    );
    expect(churnOf('We will move him to another class next term, the teacher thinks it suits him.')).toBe('low');
  });
  it('a caller gone to the shop has not gone anywhere', () => {
    expect(churnOf("I'll leave the back gate open if I'm gone to the shop.")).toBe('low');
  });
  it('a credit stop put on the account, or the account on credit stop, is a supply stop', () => {
    expect(
      churnByRules({ transcriptLines: [caller("Sorry, accounts have put a credit stop on you until it's paid.")] }),
    ).toBe('high');
    expect(
      churnByRules({ recapSummary: 'The builder learned the account is on credit stop over two old invoices.' }),
    ).toBe('high');
  });
});

describe('churn from the tune51 writers', () => {
  it('the regulator part of a gas bottle is no regulator to complain to', () => {
    expect(churnOf("He says it's the, um, the regulator thing, he's got a spare in the van.")).toBe('low');
    expect(churnOf('I will be complaining to the energy regulator about this.')).toBe('critical');
  });
  it('a rival named after the condition, or work moved under a condition, is a threat; work moved to a day is not', () => {
    expect(churnOf('If the van is late again next week I will have to go to Quayside, simple as that.')).toBe('high');
    expect(
      recapChurn('The florist said the wreaths were late twice and that she would move her work if it kept happening.'),
    ).toBe('high');
    expect(churnOf("I'll move my work to Friday, the rain is coming.")).toBe('low');
  });
  it("a rival's cheaper quote accepted has left; one only mentioned has not", () => {
    expect(
      churnByRules({
        recapSummary:
          'Customer rang the fencing firm to cancel the job booked for June, as she has accepted a lower quote from Hilltop Fencing. The cancellation was confirmed and the deposit will be returned.',
        recapOutcome: 'Job cancelled; deposit to be returned',
        recapPurposes: ['Cancel job'],
        recapActionItems: ['Return the £150 deposit', 'Take the job off the June list'],
      }),
    ).toBe('critical');
    expect(recapChurn('The customer mentioned a lower quote from Hilltop Fencing and booked with us anyway.')).not.toBe(
      'critical',
    );
  });
});

describe('churn from the tune52 and tune53 writers', () => {
  it('a health inspector who could walk in any day is a worry, not a report', () => {
    expect(churnOf('The health inspector could walk in any day, you know what that does to my shop?')).toBe('low');
    expect(churnOf("I'm reporting you to the health department.")).toBe('critical');
  });
  it('a stop to be lifted once paid still stands; one lifted on the call does not', () => {
    const stop = (item: string) =>
      churnByRules({
        recapSummary: 'The merchant rang about the overdue balance and put the account on stop from today.',
        recapActionItems: [item],
      });
    expect(stop('Merchant to lift the stop once payment is received')).toBe('high');
    expect(
      churnByRules({
        transcriptLines: [
          caller("I've been told to put the account on stop. Pay March and I can get the stop lifted."),
        ],
      }),
    ).toBe('high');
    expect(
      churnByRules({
        recapSummary: 'The merchant put the account on stop; the builder paid by card and the stop was lifted.',
      }),
    ).not.toBe('high');
  });
  it('an outcome "customer switching supplier", or a decision to buy from a named rival from now on, is leaving', () => {
    expect(
      churnByRules({ recapSummary: 'The farmer rang about the feed.', recapOutcome: 'Customer switching supplier' }),
    ).toBe('critical');
    expect(recapChurn('She has decided to buy from Valley Grain Feeds from now on.')).toBe('critical');
  });
  it('a decision to take the season pitch at another park is leaving', () => {
    expect(recapChurn('Caller said they have decided to take their touring pitch at another site next summer.')).toBe(
      'critical',
    );
    expect(recapChurn('Caller said they have decided to take their pitch at another time of year.')).not.toBe(
      'critical',
    );
  });
});

describe('churn from the tune54 writers', () => {
  it('reporting a pharmacy, garage or surgery to an authority is a regulatory threat; an outcome "will report to regulator" too', () => {
    expect(recapChurn('The customer said he is reporting the garage to the licensing people on Monday.')).toBe(
      'critical',
    );
    expect(recapChurn('She is reporting the pharmacy to the board tomorrow with photos of the shelf.')).toBe(
      'critical',
    );
    expect(
      churnByRules({
        recapSummary: 'A parent rang, angry about the wrong dose.',
        recapOutcome: 'Parent intends to report to regulator',
      }),
    ).toBe('critical');
    expect(recapChurn('She asked the pharmacy to report the fault to the maker.')).not.toBe('critical');
  });
  it("a booking moved to next Saturday (or Hana's booking moved) is kept, not taken elsewhere", () => {
    const moved = (input: CallInsightsInput) =>
      churnByRules({
        ...input,
        transcriptLines: [caller("I'm booked on the Saturday boat trip but I need to cancel, I've a cold.")],
      });
    expect(moved({ recapOutcome: 'Trip moved to next Saturday' })).toBe('low');
    expect(moved({ recapActionItems: ["Move Hana's booking to next Saturday"] })).toBe('low');
    expect(moved({ recapOutcome: 'Caller cancelled' })).not.toBe('low');
    expect(recapChurn('He said they have moved to next door’s firm for all their printing.')).not.toBe('low');
  });
  it('"it won\'t come back on" is about a charge or a light, not the caller', () => {
    expect(churnOf("You've taken the fee off? And it won't come back on next month?")).toBe('low');
    expect(churnOf("That's it, I won't come back, not after this.")).toBe('critical');
  });
  it('a plan to leave a review, a message or a tip is not a plan to leave', () => {
    expect(recapChurn('The caller loved the cake and plans to leave a review on Google this week.')).toBe('low');
    expect(recapChurn('The caller intends to leave a glowing review for the team.')).toBe('low');
    expect(recapChurn('The caller plans to leave the gym at the end of the month.')).not.toBe('low');
  });
  it('asking the business "can I go with Priya instead?" is choosing a colleague, not a rival', () => {
    expect(churnOf('Can I go with Priya instead next time? Nothing against Sam.')).toBe('low');
    expect(churnOf("Honestly I'll go with the shop in town instead, they're half the price.")).not.toBe('low');
  });
});

describe('churn from the tune55 writers', () => {
  it('"I need to cancel you for Tuesday" cancels one visit, not the service', () => {
    expect(
      churnOf("Listen, I need to cancel you for Thursday, we're off to Spain and the side gate'll be locked."),
    ).toBe('low');
    expect(churnOf("Listen, I need to cancel you, we've got a cheaper lad doing the road now.")).not.toBe('low');
  });
  it('an invoice cancelled and sent again corrected is the bill put right, not the account ended', () => {
    // The rules alone: the learned check reads any recap with "would cancel" as a risk.
    const recapRules = (recapSummary: string) => withoutChurnModel({ recapSummary }).churnRisk;
    expect(
      recapRules('The shop found the carriage charged twice; the agent will cancel it and send a corrected invoice.'),
    ).toBe('low');
    expect(recapRules('The office manager said they would cancel the duplicate invoice and reissue it today.')).toBe(
      'low',
    );
    expect(
      recapRules('The caller said she will cancel it all at the end of the month, the price is too high.'),
    ).not.toBe('low');
  });
});

describe('churn from the tune56 writers', () => {
  it('a supplier threatening to "put you on stop" and withdraw the credit puts the supply at risk', () => {
    expect(
      churnOf("If the money isn't in by Monday we put you on stop. Nothing more goes out and we withdraw the credit."),
    ).toBe('high');
    expect(churnOf('Unless we see something this week, we withdraw your credit terms and it is cash only.')).toBe(
      'high',
    );
    // Hold music is not a stop; a credit note withdrawn is not a credit line (a line read alone as negative is
    // medium, a supply stop high).
    expect(
      churnByRules({
        transcriptLines: [caller('Sorry, can I put you on hold for a second while I look up the order?')],
      }),
    ).not.toBe('high');
    expect(churnOf("We'll withdraw the credit note and issue a new one for the right amount.")).toBe('low');
  });
  it('a child moved to another named nursery, or a leaving date confirmed, is a customer leaving', () => {
    expect(churnOf("We're moving him to Little Acorns over in Brampton, it's round the corner from my new work.")).toBe(
      'critical',
    );
    expect(
      churnByRules({ recapSummary: 'The parent rang about the last day.', recapOutcome: 'Leaving date confirmed' }),
    ).toBe('critical');
    expect(churnByRules({ recapSummary: 'A parent rang.', recapPurposes: ['Leaver follow-up'] })).toBe('critical');
    // Moved within the business, or to a day, is not leaving.
    expect(churnOf("We're moving him to Tuesdays from next term if there's room.")).toBe('low');
    expect(churnOf("Can we move her to Room 3 with the older ones? She's ready.")).toBe('low');
  });
  it("a prospect's old teacher who moved away is not the prospect leaving us", () => {
    expect(
      churnOf(
        "I'm ringing about swimming lessons for my son.",
        'He had a couple of years with a coach at the leisure centre, but she moved to Dunedin, so.',
      ),
    ).toBe('low');
    expect(churnOf('Our last cleaner was great, but he moved to Perth in the spring.')).toBe('low');
    expect(churnOf("We've had enough of the delays, we moved to Brightclean last month.")).toBe('critical');
  });
  it('part of the custom already moved to a rival ("moved this season\'s spray orders to a competitor") is a loss', () => {
    // The rule reads any custom already moved as leaving (critical); the writer of this case called it high.
    expect(
      churnByRules({
        recapSummary:
          "The farmer said he has moved this season's spray orders to a competitor, Valley Agri, for longer terms, though he still buys feed here.",
      }),
    ).toMatch(/^(?:high|critical)$/);
    expect(
      churnByRules({ recapSummary: "The customer has moved this week's delivery to a later slot after the storm." }),
    ).toBe('low');
  });
});

describe('churn from the tune57 writers (calls one rung off that a calm caller would have left two off)', () => {
  it('buying it elsewhere, said as the next step, is taking the custom away', () => {
    expect(
      churnByRules({ recapSummary: 'The customer said that if the table is late again she will buy one elsewhere.' }),
    ).toBe('high');
    expect(churnOf("If it's not fitted by Friday I'll just buy it elsewhere, simple as that.")).toBe('high');
    expect(
      churnByRules({ recapSummary: 'She wants the deposit back and will buy elsewhere if Monday is missed.' }),
    ).toBe('high');
    expect(churnOf("You didn't have the size so I had to get the paint from B&Q, no bother.")).not.toBe('high');
  });
  it('"we will not use the firm for the extension unless…" is a threat; "won\'t use you again" a decision', () => {
    expect(
      churnByRules({
        recapSummary:
          'He praised the roofers but said they will not use the firm for the garage unless the bill is fixed.',
      }),
    ).toBe('high');
    expect(churnOf("We won't be using you again, that's the last time.")).toBe('critical');
    expect(churnOf("We won't use the firm's van for the move, my brother has a trailer.")).toBe('low');
  });
  it('"we\'ll have to cancel" and "have to stop the box", under a condition, are threats to cancel', () => {
    expect(churnOf("If the van can't come on Tuesdays any more, we'll have to cancel, sorry.")).toBe('high');
    expect(
      churnByRules({
        recapSummary: 'The customer said they may have to stop the fruit box if the delivery day changes.',
      }),
    ).toBe('high');
    // One lesson named: no threat (the line alone reads as negative, so medium at most).
    expect(churnOf("We'll have to cancel Friday's lesson, she's got a party.")).not.toBe('high');
  });
});

describe('churn from the tune58 writers', () => {
  it('a former customer back from a rival, asking to restart, is won back, not leaving', () => {
    expect(
      churnByRules({
        recapSummary:
          'A former client said she had switched to a rival florist last spring. She asked to restart her monthly office flowers.',
        recapOutcome: 'Monthly flowers restarted',
      }),
    ).toBe('low');
    expect(
      churnByRules({
        recapSummary: 'A former member who moved to a cheaper gym in town asked to rejoin on the old plan.',
      }),
    ).toBe('low');
    // Without the return, the move to a rival stands.
    expect(
      churnByRules({
        recapSummary: 'The customer said she had moved to a rival florist and asked us to close her account.',
      }),
    ).toBe('critical');
  });
  it('being kept on hold on the phone elsewhere is not a supply stop', () => {
    // A line read alone as negative is medium at most; a supply stop is high.
    expect(churnOf("That's why I stick with you. Anywhere else I'd be on hold for half an hour.")).not.toBe('high');
    expect(churnOf('The last place, you could be on hold for forty minutes just to book.')).not.toBe('high');
    expect(churnOf('If the invoice is not paid by Friday your account will be put on hold.')).toBe('high');
  });
  it('"match it, or I will buy it there instead" is a threat to take the custom to a rival', () => {
    expect(
      churnByRules({
        recapSummary:
          'The customer said a garden centre in town sells the compost cheaper and asked us to match it, or she would buy it there instead.',
      }),
    ).toBe('high');
    expect(
      churnOf(
        'Bunnings has the same drill for twenty less.',
        "Can you match that? Otherwise I'll just drive over to Ballarat on Saturday and get it there.",
      ),
    ).toBe('high');
    expect(churnOf("Otherwise I'll just pop over to Mum's after work and pick them up.")).toBe('low');
  });
});

describe('churn from the tune59 writers', () => {
  it("a calm caller whose rival's quote was matched on the call is won over, not threatening", () => {
    expect(
      churnByRules({
        recapSummary:
          "The customer mentioned a competitor's quote for the boiler service that was thirty pounds cheaper. The agent matched it and booked the visit.",
        recapOutcome: 'Price matched; service booked for Monday',
        transcriptLines: [
          caller("Ardent Heating quoted me less, can you do the same? I'd rather stay with you."),
          agent('I can match that, and Monday at nine is free.'),
          caller('Monday at nine it is then.'),
        ],
      }),
    ).not.toMatch(/^(?:high|critical)$/);
    // Not matched, the quote is still a lever on the business.
    expect(
      churnByRules({
        recapSummary: "The customer mentioned a competitor's quote that was thirty pounds cheaper.",
        recapOutcome: 'Price match declined',
      }),
    ).toMatch(/^(?:high|critical)$/);
  });
  it('"she would take her future business there" is a decision to leave; under a condition, a threat', () => {
    expect(
      churnByRules({
        recapSummary:
          'The agent could not match the online price. The caller said she would order it from Paddle Hut today and take her future camping business there.',
      }),
    ).toBe('critical');
    expect(churnOf("If you can't do better than that, I'll take my business there instead.")).toBe('high');
    expect(churnOf('We take our business cards there to be printed, they do a nice job.')).toBe('low');
  });
  it('"he will arrange his own fuel supply if prices stay this high" is a threat to take the supply elsewhere', () => {
    expect(
      churnByRules({
        recapSummary:
          'The farmer paid the feed bill but said he will source his own feed supply if the price rises again in spring.',
      }),
    ).toBe('high');
    expect(churnOf("If it goes up again I'll sort out my own supplier, I'm not paying that.")).toBe('high');
    expect(churnOf('We grow our own supply of basil now, so just the tomatoes this week.')).toBe('low');
  });
});

describe('churn from the tune60 writers', () => {
  it("the account moved to another of the business's drivers is not the customer leaving", () => {
    expect(
      recapChurn(
        "The caller's parcels had been left at the wrong gate twice. The agent moved the account to another driver's round and waived the fee; the caller accepted.",
        'Account moved to a new round; fee waived',
      ),
    ).not.toMatch(/^(?:high|critical)$/);
    expect(churnOf("We're moving our accounts to another bookkeeper from next month.")).toBe('critical');
  });
  it("a customer who chose the business over a rival's cheaper quote is won over, though the rules read them calm", () => {
    expect(
      churnByRules({
        recapSummary:
          'The caller accepted the quote for the new fence, choosing it over a cheaper competitor quote because of the earlier gate work. The job was booked for April.',
        recapOutcome: 'Quote accepted; job booked for April',
      }),
    ).toBe('low');
    // Chosen over us, it is the rival who won.
    expect(
      churnByRules({
        recapSummary: 'The caller said she is choosing a cheaper competitor quote over ours and will not go ahead.',
        recapOutcome: 'Quote declined',
      }),
    ).toMatch(/^(?:high|critical)$/);
  });
  it('a former customer back from a rival has left nothing: the box she cancelled in spring restarts', () => {
    expect(
      churnByRules({
        recapSummary:
          'A former customer who had left for a cheaper rival asked to come back. Her weekly fruit box restarts on Friday.',
        recapOutcome: 'Subscription restarted',
        transcriptLines: [
          caller('I cancelled my box back in April, went with the cheaper lot. Their fruit was awful.'),
          caller("So I'd like to come back, same box, weekly."),
          agent('Lovely, you start again Friday.'),
        ],
      }),
    ).toBe('low');
  });
  it('"I\'ll be using someone else from now on" and "will no longer use the firm" are decisions to leave', () => {
    expect(churnOf("Sorry doesn't cover it. I'm done, I'll be using someone else from now on.")).toBe('critical');
    expect(recapChurn('The taxi never came and she missed her ferry. She said she will no longer use the firm.')).toBe(
      'critical',
    );
    expect(churnOf("If the driver is late again, I'll be using someone else.")).toBe('high');
    expect(churnOf("I'll be using someone else's car for the school run, so the pickup is from Mum's.")).toBe('low');
  });
  it('a supplier moving the account to cash on delivery until it is paid puts the supply at risk', () => {
    expect(
      churnByRules({
        recapSummary:
          'The packaging supplier called about an invoice now sixty days overdue; further orders will be cash on delivery until the balance is paid. The owner agreed to pay half today.',
        recapOutcome: 'Part payment agreed',
      }),
    ).toBe('high');
    expect(churnOf("I'm sorry, but we're putting the account on COD until it's cleared.")).toBe('high');
    expect(churnOf('Can I pay cash on delivery for this one? My card is playing up.')).toBe('low');
  });
  it('a business pricing out other mills after a price rise is shopping for a rival supplier', () => {
    expect(
      churnByRules({
        recapSummary:
          'The mill called to announce a twelve percent flour price increase. The baker said she cannot absorb it and will be pricing out other mills.',
        recapOutcome: 'Price increase notified',
        recapActionItems: ['Get quotes from two other mills'],
      }),
    ).toBe('high');
    expect(churnOf('Could you price out the other colours for me as well? Just so I can compare.')).toBe('low');
  });
});
