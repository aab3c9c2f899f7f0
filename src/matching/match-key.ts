import { createHash } from 'node:crypto';
import type { MatchableCall } from './links-repository';
import type { MatchCandidate } from './types';

/**
 * What a call was last matched from (`calls.match_key`), so the many runs of one conversation (a
 * call-centre call ringing ten agents has ten legs, each matching its conversation when it ends)
 * look the records up once: a later run whose call reads the same returns the earlier outcome.
 *
 * Two parts, `<link>.<history>`:
 * - link: what decides the link — the account, the external number, whether the call is internal,
 *   its direction, and the link as matching left it (type, id, method, review flag, candidates).
 *   A person's link or unlink, a rematch or a merge changes the link columns and so the key.
 * - history: what the call's history line shows — source, direction, status, talk time, start.
 *   The leg fold changes these as legs end: the line is rewritten, the records not looked up.
 *
 * Not in it: the records' side (a number added to a record, a person's pick for a shared number).
 * Those reach calls through retro-matching and linking, which match with `force`.
 */
export interface MatchKey {
  link: string;
  history: string;
}

const VERSION = 'v1';

export function matchKeyOf(call: MatchableCall): MatchKey {
  return {
    link: digest([
      VERSION,
      call.account_id,
      call.external_number,
      call.is_internal,
      call.direction,
      call.linked_entity_type,
      call.linked_entity_id,
      call.link_method,
      call.needs_review,
      candidatesKey(call.match_candidates),
    ]),
    history: digest([
      VERSION,
      call.source,
      call.direction,
      call.status,
      call.duration_seconds,
      call.started_at?.toISOString() ?? null,
      call.created_at.toISOString(),
    ]),
  };
}

/** The stored form, `<link>.<history>`. */
export function formatMatchKey(key: MatchKey): string {
  return `${key.link}.${key.history}`;
}

/** The stored form read back; undefined for null or a value of another shape. */
export function parseMatchKey(stored: string | null | undefined): MatchKey | undefined {
  const [link, history, ...rest] = (stored ?? '').split('.');
  return link && history && rest.length === 0 ? { link, history } : undefined;
}

function candidatesKey(cs: readonly MatchCandidate[] | null): string | null {
  return cs === null ? null : JSON.stringify(cs.map((c) => [c.type, c.id, c.name]));
}

function digest(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}
