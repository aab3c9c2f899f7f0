import type { Knex } from 'knex';
import type { CallEventWithPayload, FoldedLeg } from '../../workflows/shared/call-event';
import { deriveAndStoreInsights, storedAiParts } from '../ai/enrich';
import { foldLegEvent } from '../calls/leg-event';
import { CallRepository } from '../calls/repository';
import type { DeliveryStore } from './delivery-repository';
import { ingressDerivation } from './transitions';

/**
 * At most this many folds run at once in one ingress process. A fold is a transaction of a few
 * statements on the process's Postgres pool (10 connections): left unbounded under a burst, folds
 * would hold the connections that recording new deliveries needs, requests would pile up and be
 * shed. Past the bound the event goes on as before the ingress folded: signalled whole to its run,
 * which folds it.
 */
export const MAX_CONCURRENT_FOLDS = 4;
/** A request that has already waited this long (a loaded machine) answers without folding. */
export const FOLD_ONLY_BEFORE_MS = 1_000;

export type FoldAttempt =
  /** `insightsDerived`: the insights this event calls for were derived here (transitions.ts). */
  | { outcome: 'folded'; folded: FoldedLeg; insightsDerived: boolean }
  /** Not tried: too many folds running, or the request is late already. */
  | { outcome: 'skipped'; reason: 'busy' | 'late' }
  | { outcome: 'failed'; error: unknown };

/**
 * The ingress's fold of the events it accepts (src/calls/leg-event.ts), within its bounds, and the
 * insights it derives itself instead of signalling a run (src/ingress/transitions.ts): interim ones
 * from a recap while the run waits, final ones again from a part that comes after the collection.
 */
export class IngressFold {
  private running = 0;

  constructor(
    private readonly db: Knex,
    /** The route's delivery store (whether a leg's transcript event was recorded). */
    private readonly deliveries: Pick<DeliveryStore, 'hasEventOf'>,
    /** INSIGHTS_LLM_* set: the final derivation asks the model, so it stays with the run. */
    private readonly modelConfigured: boolean,
    private readonly onDeriveError: (err: unknown) => void,
    private readonly maxConcurrent = MAX_CONCURRENT_FOLDS,
  ) {
    this.calls = new CallRepository(db);
  }

  private readonly calls: CallRepository;

  /** Derives the insights the event calls for when the ingress can (transitions.ts); true if it did. */
  private async derive(sig: CallEventWithPayload, folded: FoldedLeg): Promise<boolean> {
    const how = ingressDerivation(sig.event.state, folded, { modelConfigured: this.modelConfigured });
    if (!how) return false;
    try {
      if (how === 'final-if-stored') {
        const stored = await storedAiParts(this.db, { callRowId: folded.callRowId, legCallId: sig.event.callId });
        if (!stored.transcript || !stored.recap) return false;
      }
      // The rules, from what is stored now; interim ones leave the collection open.
      await deriveAndStoreInsights(this.db, { callRowId: folded.callRowId, interim: how === 'interim' });
      return true;
    } catch (err) {
      this.onDeriveError(err); // the run is signalled and derives them
      return false;
    }
  }

  /** `started`: when the request's handler started (process.hrtime.bigint()). */
  async fold(sig: CallEventWithPayload & { accountId: string }, started: bigint): Promise<FoldAttempt> {
    if (this.running >= this.maxConcurrent) return { outcome: 'skipped', reason: 'busy' };
    if (Number(process.hrtime.bigint() - started) / 1e6 > FOLD_ONLY_BEFORE_MS)
      return { outcome: 'skipped', reason: 'late' };
    this.running++;
    try {
      const folded = await foldLegEvent({ calls: this.calls, deliveries: this.deliveries }, sig);
      return { outcome: 'folded', folded, insightsDerived: await this.derive(sig, folded) };
    } catch (error) {
      return { outcome: 'failed', error };
    } finally {
      this.running--;
    }
  }
}
