import type { Knex } from 'knex';
import { normalizePendingPhoneNumbers } from '../phone/pending';
import { syncLockedCallCommunications } from './communications';
import { CallNotFoundError } from './errors';
import { lockCall, storeMatchKey, updateCallLink, type MatchableCall } from './links-repository';
import { formatMatchKey, matchKeyOf, parseMatchKey, type MatchKey } from './match-key';
import { findCandidates, type RankedCandidate } from './records';
import { findPhoneMatchChoice, type PhoneMatchChoice } from './records-repository';
import type {
  CallLink,
  CommunicationsSyncResult,
  EntityType,
  LinkMethod,
  MatchCandidate,
  MatchOutcome,
  MatchResult,
} from './types';

export interface MatchOptions {
  /**
   * Normalise pending phone numbers first, so a number typed a moment ago counts. Default true;
   * callers matching many calls in a row do it once themselves.
   */
  normalizePending?: boolean;
  /**
   * Look the records up even when nothing matching reads from the call changed since it was last
   * matched (match-key.ts), because the records' side did: a number added to a record
   * (retro-matching), a person's pick for a shared number, a person asking for a rematch.
   * Default false.
   */
  force?: boolean;
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
 * Once per conversation: a call whose account, number, direction, internal flag and link are as
 * when it was last matched (`calls.match_key`, match-key.ts) is not looked up again; its earlier
 * outcome is returned (`reused`), and only its history line is rewritten should its status or talk
 * time have changed since. `force` looks it up anyway.
 *
 * @throws CallNotFoundError when no call has this id (permanent: do not retry).
 */
export async function matchCallToRecord(db: Knex, callId: string, opts: MatchOptions = {}): Promise<MatchResult> {
  if (opts.normalizePending !== false) await normalizePendingPhoneNumbers(db);
  return db.transaction(async (trx) => {
    const call = await lockCall(trx, callId);
    if (!call) throw new CallNotFoundError(callId);
    return matchLockedCall(trx, call, { force: opts.force ?? false });
  });
}

/** The same, for a call whose row the caller has locked in `trx`. */
export async function matchLockedCall(
  trx: Knex.Transaction,
  call: MatchableCall,
  opts: { force: boolean },
): Promise<MatchResult> {
  const key = matchKeyOf(call);
  const last = parseMatchKey(call.match_key);
  if (!opts.force && last && call.match_outcome && last.link === key.link) {
    return reusePreviousMatch(trx, call, call.match_outcome, key, last.history === key.history);
  }
  const base = { callId: call.id, accountId: call.account_id, reused: false };

  if (call.link_method === 'manual') {
    await rememberMatch(trx, call, call, 'manual', false);
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
  const updated: MatchableCall = {
    ...call,
    linked_entity_type: decision.link?.type ?? null,
    linked_entity_id: decision.link?.id ?? null,
    link_method: decision.link?.method ?? null,
    needs_review: decision.needsReview,
    match_candidates: decision.matchCandidates,
  };
  await rememberMatch(trx, call, updated, decision.outcome, changed);
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

/**
 * Writes the call's new link when it changed, and what it was matched from (the key of the call as
 * the match leaves it) whenever that differs from the stored one.
 */
async function rememberMatch(
  trx: Knex.Transaction,
  before: MatchableCall,
  after: MatchableCall,
  outcome: MatchOutcome,
  linkChanged: boolean,
): Promise<void> {
  const match = { match_key: formatMatchKey(matchKeyOf(after)), match_outcome: outcome };
  if (linkChanged) {
    await updateCallLink(trx, before.id, {
      linked_entity_type: after.linked_entity_type,
      linked_entity_id: after.linked_entity_id,
      link_method: after.link_method,
      needs_review: after.needs_review,
      match_candidates: after.match_candidates,
      ...match,
    });
  } else if (before.match_key !== match.match_key || before.match_outcome !== outcome) {
    await storeMatchKey(trx, before.id, match);
  }
}

const NOTHING_WRITTEN = { added: 0, updated: 0, removed: 0 } as const;

/**
 * The call reads as when it was last matched: that match's outcome and the link as it left it,
 * with no lookup. Only a changed status, talk time or start rewrites the history line.
 */
async function reusePreviousMatch(
  trx: Knex.Transaction,
  call: MatchableCall,
  outcome: MatchOutcome,
  key: MatchKey,
  historyUnchanged: boolean,
): Promise<MatchResult> {
  let communications: CommunicationsSyncResult = { ...NOTHING_WRITTEN };
  if (!historyUnchanged) {
    communications = await syncLockedCallCommunications(trx, call);
    await storeMatchKey(trx, call.id, { match_key: formatMatchKey(key), match_outcome: outcome });
  }
  return {
    callId: call.id,
    accountId: call.account_id,
    outcome,
    link: currentLink(call),
    needsReview: call.needs_review,
    candidates: call.match_candidates ?? [],
    changed: false,
    reused: true,
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
