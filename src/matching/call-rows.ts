import type { Knex } from 'knex';
import type { EntityType, LinkMethod, MatchCandidate } from './types';

/** The columns of `calls` that matching and the history timeline work from. */
export interface MatchableCall {
  id: string;
  account_id: string;
  source: 'dialpad' | 'manual';
  direction: 'inbound' | 'outbound';
  status: string;
  is_internal: boolean;
  external_number: string | null;
  duration_seconds: number | null;
  started_at: Date | null;
  created_at: Date;
  linked_entity_type: EntityType | null;
  linked_entity_id: string | null;
  link_method: LinkMethod | null;
  needs_review: boolean;
  match_candidates: MatchCandidate[] | null;
}

const COLUMNS = [
  'id',
  'account_id',
  'source',
  'direction',
  'status',
  'is_internal',
  'external_number',
  'duration_seconds',
  'started_at',
  'created_at',
  'linked_entity_type',
  'linked_entity_id',
  'link_method',
  'needs_review',
  'match_candidates',
] as const;

/**
 * Reads the call and locks its row until the transaction ends. Matching, manual linking and the
 * leg fold (src/calls/repository.ts) all lock the row first, so they never interleave on one call.
 */
export async function lockCall(trx: Knex.Transaction, callId: string): Promise<MatchableCall | undefined> {
  return trx('calls')
    .where({ id: callId })
    .forUpdate()
    .first<MatchableCall | undefined>(...COLUMNS);
}
