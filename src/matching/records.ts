import type { Knex } from 'knex';
import { findCandidateRows } from './records-repository';
import { ENTITY_TYPES, type EntityType, type MatchCandidate } from './types';

/** A record holding a number, with what the tie-break rule needs. */
export interface RankedCandidate extends MatchCandidate {
  /** The number is the record's own `phone` rather than an additional number. */
  isPrimary: boolean;
  recordUpdatedAt: Date;
}

/** Every record of the account holding `e164`, in matching order (see `rankCandidates`). */
export async function findCandidates(db: Knex, accountId: string, e164: string): Promise<RankedCandidate[]> {
  const rows = await findCandidateRows(db, accountId, e164);
  return rankCandidates(
    rows.map((r) => ({ type: r.type, id: r.id, name: r.name, isPrimary: r.is_primary, recordUpdatedAt: r.updated_at })),
  );
}

/**
 * The product's order, then a deterministic tie-break among records of the same kind: a record
 * whose own phone is the number before one holding it as an additional number, then the most
 * recently updated record (the one people are keeping current), then the lowest id.
 */
export function rankCandidates(candidates: readonly RankedCandidate[]): RankedCandidate[] {
  const kindRank = (t: EntityType) => ENTITY_TYPES.indexOf(t);
  return [...candidates].sort(
    (a, b) =>
      kindRank(a.type) - kindRank(b.type) ||
      Number(b.isPrimary) - Number(a.isPrimary) ||
      b.recordUpdatedAt.getTime() - a.recordUpdatedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
