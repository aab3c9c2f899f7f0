import type { FoldedLeg } from '../../workflows/shared/call-event';
import { callRunNeeds } from '../../src/ingress/transitions';

/** Which folded events the leg's call run must hear of (issue 17: signals on transitions only). */
const fold = (over: Partial<FoldedLeg> = {}): FoldedLeg => ({
  accountId: 'a',
  callRowId: 'r',
  status: 'answered',
  legState: 'hangup',
  legConnected: true,
  legFinal: true,
  mergedCallRowIds: [],
  aiCheckedAtMs: null,
  legEndedBefore: false,
  ...over,
});

describe('callRunNeeds', () => {
  it("a leg's first end starts its run; a second end of an ended leg does not", () => {
    for (const state of ['hangup', 'missed', 'voicemail', 'voicemail_uploaded']) {
      expect({ state, first: callRunNeeds(state, fold()) }).toEqual({ state, first: true });
      expect({ state, again: callRunNeeds(state, fold({ legEndedBefore: true })) }).toEqual({ state, again: false });
      // Also after the run collected the Ai data: a re-sent hangup changes nothing.
      const late = fold({ legEndedBefore: true, aiCheckedAtMs: 1 });
      expect({ state, late: callRunNeeds(state, late) }).toEqual({ state, late: false });
    }
  });

  it('the Ai parts the run waits for, and a voicemail transcription, always', () => {
    for (const state of ['recap_summary', 'call_transcription', 'transcription']) {
      for (const f of [fold(), fold({ legFinal: false }), fold({ aiCheckedAtMs: 5 })])
        expect({ state, needs: callRunNeeds(state, f) }).toEqual({ state, needs: true });
    }
  });

  it('the other recap parts only before the leg ended or after the run collected', () => {
    for (const state of ['recap_outcome', 'recap_purposes', 'recap_action_items']) {
      expect({ state, waiting: callRunNeeds(state, fold()) }).toEqual({ state, waiting: false });
      expect({ state, notEnded: callRunNeeds(state, fold({ legFinal: false })) }).toEqual({ state, notEnded: true });
      expect({ state, collected: callRunNeeds(state, fold({ aiCheckedAtMs: 5 })) }).toEqual({
        state,
        collected: true,
      });
    }
  });
});
