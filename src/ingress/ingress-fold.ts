import type { CallEventWithPayload, FoldedLeg } from '../../workflows/shared/call-event';
import { foldLegEvent } from '../calls/leg-event';
import type { CallRepository } from '../calls/repository';

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
  | { outcome: 'folded'; folded: FoldedLeg }
  /** Not tried: too many folds running, or the request is late already. */
  | { outcome: 'skipped'; reason: 'busy' | 'late' }
  | { outcome: 'failed'; error: unknown };

/** The ingress's fold of the events it accepts (src/calls/leg-event.ts), within its bounds. */
export class IngressFold {
  private running = 0;

  constructor(
    private readonly calls: CallRepository,
    private readonly maxConcurrent = MAX_CONCURRENT_FOLDS,
  ) {}

  /** `started`: when the request's handler started (process.hrtime.bigint()). */
  async fold(sig: CallEventWithPayload & { accountId: string }, started: bigint): Promise<FoldAttempt> {
    if (this.running >= this.maxConcurrent) return { outcome: 'skipped', reason: 'busy' };
    if (Number(process.hrtime.bigint() - started) / 1e6 > FOLD_ONLY_BEFORE_MS)
      return { outcome: 'skipped', reason: 'late' };
    this.running++;
    try {
      return { outcome: 'folded', folded: await foldLegEvent(this.calls, sig) };
    } catch (error) {
      return { outcome: 'failed', error };
    } finally {
      this.running--;
    }
  }
}
