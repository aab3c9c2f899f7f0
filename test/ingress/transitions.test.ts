import type { FoldedLeg } from '../../workflows/shared/call-event';
import { callRunNeeds, ingressDerivation } from '../../src/ingress/transitions';

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

  it('a call transcript and a voicemail transcription, always', () => {
    for (const state of ['call_transcription', 'transcription']) {
      for (const f of [fold(), fold({ legFinal: false }), fold({ aiCheckedAtMs: 5 })])
        expect({ state, needs: callRunNeeds(state, f) }).toEqual({ state, needs: true });
    }
  });

  it('a recap summary unless the ingress derived the insights from it', () => {
    expect(callRunNeeds('recap_summary', fold())).toBe(true);
    expect(callRunNeeds('recap_summary', fold(), { insightsDerived: true })).toBe(false);
    // After the collection, any Ai part whose insights the ingress derived again: no run.
    for (const state of ['recap_outcome', 'call_transcription'])
      expect(callRunNeeds(state, fold({ aiCheckedAtMs: 5 }), { insightsDerived: true })).toBe(false);
  });

  it('the ingress derives interim insights from a recap only while the ended, answered leg waits for its transcript', () => {
    const opts = { modelConfigured: false };
    const waiting = fold({ transcriptionAnnounced: false });
    expect(ingressDerivation('recap_summary', waiting, opts)).toBe('interim');
    expect(ingressDerivation('recap_summary', waiting, { modelConfigured: true })).toBe('interim'); // rules only
    expect(ingressDerivation('recap_outcome', waiting, opts)).toBeNull();
    expect(ingressDerivation('call_transcription', waiting, opts)).toBeNull();
    // The transcript's event came first: the run waits for this recap to finish, so it is told.
    expect(ingressDerivation('recap_summary', fold({ transcriptionAnnounced: true }), opts)).toBeNull();
    expect(ingressDerivation('recap_summary', fold(), opts)).toBeNull(); // not known: told
    expect(ingressDerivation('recap_summary', { ...waiting, legFinal: false }, opts)).toBeNull();
    expect(ingressDerivation('recap_summary', { ...waiting, legConnected: false }, opts)).toBeNull();
  });

  it('after the collection, the final insights again from a straggling part, unless a model is configured', () => {
    const collected = fold({ aiCheckedAtMs: 5 });
    for (const state of [
      'recap_summary',
      'recap_outcome',
      'recap_purposes',
      'recap_action_items',
      'call_transcription',
    ]) {
      expect({ state, how: ingressDerivation(state, collected, { modelConfigured: false }) }).toEqual({
        state,
        how: 'final-if-stored',
      });
      expect({ state, how: ingressDerivation(state, collected, { modelConfigured: true }) }).toEqual({
        state,
        how: null,
      });
    }
    expect(ingressDerivation('transcription', collected, { modelConfigured: false })).toBeNull(); // a voicemail's
    expect(ingressDerivation('hangup', collected, { modelConfigured: false })).toBeNull();
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
