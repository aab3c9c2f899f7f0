import type { Knex } from 'knex';
import { normalizePendingPhoneNumbers } from '../phone/pending';
import { syncLockedCallCommunications } from './communications';
import { CallNotFoundError } from './errors';
import { lockCall, updateCallLink, type MatchableCall } from './links-repository';
import { findCandidates, type RankedCandidate } from './records';
import { findPhoneMatchChoice, type PhoneMatchChoice } from './records-repository';
import type { CallLink, EntityType, LinkMethod, MatchCandidate, MatchOutcome, MatchResult } from './types';

export interface MatchOptions {
  /**
   * Normalise pending phone numbers first, so a number typed a moment ago counts. Default true;
   * callers matching many calls in a row do it once themselves.
   */
  normalizePending?: boolean;
}

/**
 * Links a call to the Navigator record its external number belongs to, in the product's order:
 * a customer's number, then a contact's, then a supplier's (see `decideLink`). Several records of
 * that first kind: one is linked by the tie-break rule (`rankCandidates`) and the call is flagged
 * for review with every candidate listed, unless a person already picked one of them for this
 * number, which is then linked ('remembered'). No record: the call stays stand-alone.
 *
 * Never touches a call a person linked or unlinked (`link_method = 'manual'`), and never links an
 * internal call (an earlier automatic link is removed should the call turn out internal). Keeps the
 * history timeline in step. Idempotent: a second run changes nothing.
 *
 * @throws CallNotFoundError when no call has this id (permanent: do not retry).
 */
export async function matchCallToRecord(db: Knex, callId: string, opts: MatchOptions = {}): Promise<MatchResult> {
  if (opts.normalizePending !== false) await normalizePendingPhoneNumbers(db);
  return db.transaction(async (trx) => {
    const call = await lockCall(trx, callId);
    if (!call) throw new CallNotFoundError(callId);
    return matchLockedCall(trx, call);
  });
}

/** The same, for a call whose row the caller has locked in `trx`. */
export async function matchLockedCall(trx: Knex.Transaction, call: MatchableCall): Promise<MatchResult> {
  const base = { callId: call.id, accountId: call.account_id };

  if (call.link_method === 'manual') {
    const communications = await syncLockedCallCommunications(trx, call);
    return {
      ...base,
      outcome: 'manual',
      link: currentLink(call),
      needsReview: call.needs_review,
      candidates: call.match_candidates ?? [],
      changed: false,
      communications,
    };
  }

  let decision: LinkDecision;
  let candidates: RankedCandidate[] = [];
  if (call.is_internal) {
    decision = { ...NO_LINK, outcome: 'internal' };
  } else if (!call.external_number) {
    decision = { ...NO_LINK, outcome: 'no_number' };
  } else {
    candidates = await findCandidates(trx, call.account_id, call.external_number);
    const choice =
      candidates.length > 0 ? await findPhoneMatchChoice(trx, call.account_id, call.external_number) : undefined;
    decision = decideLink(candidates, choice);
  }

  const changed = !sameLinkState(call, decision);
  if (changed) {
    await updateCallLink(trx, call.id, {
      linked_entity_type: decision.link?.type ?? null,
      linked_entity_id: decision.link?.id ?? null,
      link_method: decision.link?.method ?? null,
      needs_review: decision.needsReview,
      match_candidates: decision.matchCandidates,
    });
  }
  const updated: MatchableCall = {
    ...call,
    linked_entity_type: decision.link?.type ?? null,
    linked_entity_id: decision.link?.id ?? null,
    link_method: decision.link?.method ?? null,
    needs_review: decision.needsReview,
    match_candidates: decision.matchCandidates,
  };
  const communications = await syncLockedCallCommunications(trx, updated);
  return {
    ...base,
    outcome: decision.outcome,
    link: decision.link,
    needsReview: decision.needsReview,
    candidates: candidates.map(toCandidate),
    changed,
    communications,
  };
}

export interface LinkDecision {
  outcome: MatchOutcome;
  link: CallLink | null;
  needsReview: boolean;
  /** Stored in `calls.match_candidates` when the number is shared by records of the first kind. */
  matchCandidates: MatchCandidate[] | null;
}

const NO_LINK = { link: null, needsReview: false, matchCandidates: null } as const;

/**
 * The matching rule, given the records holding the number in matching order (`rankCandidates`)
 * and a person's earlier pick for the number, if any.
 *
 * The pick wins whenever its record still holds the number (it may even be of a later kind: a
 * person said so). Otherwise the first candidate is linked; when other records of its kind hold
 * the number too the call needs review. Records of a later kind never make a call ambiguous: the
 * product's order already says which kind comes first. Every candidate is listed whenever the first
 * kind is shared, so a person reviewing the call sees all of them.
 */
export function decideLink(candidates: readonly RankedCandidate[], choice?: PhoneMatchChoice): LinkDecision {
  const first = candidates[0];
  if (!first) return { ...NO_LINK, outcome: 'standalone' };
  const shared = candidates.filter((c) => c.type === first.type).length > 1;
  const matchCandidates = shared ? candidates.map(toCandidate) : null;

  const picked = choice && candidates.find((c) => c.type === choice.entityType && c.id === choice.entityId);
  if (picked) {
    return { outcome: 'remembered', link: linkTo(picked, 'remembered'), needsReview: false, matchCandidates };
  }
  return {
    outcome: shared ? 'needs_review' : 'linked',
    link: linkTo(first, 'auto'),
    needsReview: shared,
    matchCandidates,
  };
}

function linkTo(c: { type: EntityType; id: string }, method: LinkMethod): CallLink {
  return { type: c.type, id: c.id, method };
}

function toCandidate(c: MatchCandidate): MatchCandidate {
  return { type: c.type, id: c.id, name: c.name };
}

function currentLink(call: MatchableCall): CallLink | null {
  return call.linked_entity_type && call.linked_entity_id && call.link_method
    ? { type: call.linked_entity_type, id: call.linked_entity_id, method: call.link_method }
    : null;
}

function sameLinkState(call: MatchableCall, d: LinkDecision): boolean {
  const key = (cs: readonly MatchCandidate[] | null) =>
    cs === null ? null : JSON.stringify(cs.map((c) => [c.type, c.id, c.name]));
  return (
    call.linked_entity_type === (d.link?.type ?? null) &&
    call.linked_entity_id === (d.link?.id ?? null) &&
    call.link_method === (d.link?.method ?? null) &&
    call.needs_review === d.needsReview &&
    key(call.match_candidates) === key(d.matchCandidates)
  );
}
