import { ENTITY_TYPES, type EntityType } from '../../workflows/shared/types';

/** The kinds of Navigator record a call can be linked to (workflow-safe, so defined in workflows/shared/). */
export { ENTITY_TYPES, type EntityType };

/**
 * How a call got its link: 'auto' by the matching rules, 'remembered' from a person's earlier pick
 * for a shared number, 'manual' by a person for this call (with or without a record: a person who
 * unlinks a call has decided it stays stand-alone, and matching leaves it so).
 */
export type LinkMethod = 'auto' | 'manual' | 'remembered';

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === 'string' && (ENTITY_TYPES as readonly string[]).includes(value);
}

/** A record holding the caller's number; stored as-is in `calls.match_candidates`. */
export interface MatchCandidate {
  type: EntityType;
  id: string;
  name: string;
}

export interface CallLink {
  type: EntityType;
  id: string;
  method: LinkMethod;
}

export type MatchOutcome =
  /** Linked by the rules to the only record of the first kind holding the number. */
  | 'linked'
  /** Several records of the first kind share the number: one linked by rule, flagged for review. */
  | 'needs_review'
  /** Linked to the record a person picked earlier for this shared number. */
  | 'remembered'
  /** No record holds the number. */
  | 'standalone'
  /** A person decided this call's link (or that it has none); matching leaves it alone. */
  | 'manual'
  /** Dialpad user to Dialpad user: never matched, never in a history. */
  | 'internal'
  /** No readable external number to match on. */
  | 'no_number';

export interface MatchResult {
  callId: string;
  accountId: string;
  outcome: MatchOutcome;
  link: CallLink | null;
  needsReview: boolean;
  /** Every record holding the number, in matching order; empty when the number was not looked up. */
  candidates: MatchCandidate[];
  /** Whether this run changed the call's link, review flag or candidates. */
  changed: boolean;
  /**
   * Nothing matching reads from the call changed since it was last matched: that match's outcome
   * and link, returned without looking the records up (`candidates` then lists those stored for
   * review only). False when the records were looked up.
   */
  reused: boolean;
  communications: CommunicationsSyncResult;
}

export interface CommunicationsSyncResult {
  added: number;
  updated: number;
  removed: number;
}
