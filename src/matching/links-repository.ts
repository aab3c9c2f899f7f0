import type { Knex } from 'knex';
import type { EntityType, LinkMethod, MatchCandidate, MatchOutcome } from './types';

/**
 * A call's link as matching keeps it (the link columns of `calls`) and its entries in the history
 * timeline (`communications`). Writes run in the caller's transaction, with the call's row locked
 * (`lockCall`).
 */

type Trx = Knex.Transaction;

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
  /** What the call was last matched from (match-key.ts) and that match's outcome; null before. */
  match_key: string | null;
  match_outcome: MatchOutcome | null;
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
  'match_key',
  'match_outcome',
] as const;

/**
 * Reads the call and locks its row until the transaction ends. Matching, manual linking and the
 * leg fold (src/calls/repository.ts) all lock the row first, so they never interleave on one call.
 */
export async function lockCall(trx: Trx, callId: string): Promise<MatchableCall | undefined> {
  return trx('calls')
    .where({ id: callId })
    .forUpdate()
    .first<MatchableCall | undefined>(...COLUMNS);
}

/** The record the call is linked to, if the call exists. */
export async function readCallLink(
  db: Knex,
  callId: string,
): Promise<{ linked_entity_type: string | null; linked_entity_id: string | null } | undefined> {
  return db('calls')
    .where({ id: callId })
    .first<{ linked_entity_type: string | null; linked_entity_id: string | null } | undefined>(
      'linked_entity_type',
      'linked_entity_id',
    );
}

/**
 * Takes the lock of the call's external number until the transaction ends (before the call's row:
 * picks for one shared number are then serialised instead of locking its calls in opposite orders).
 */
export async function lockCallNumber(trx: Trx, callId: string): Promise<void> {
  const number = await trx('calls')
    .where({ id: callId })
    .first<{ account_id: string; external_number: string | null } | undefined>('account_id', 'external_number');
  if (number?.external_number) {
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 7322))', [
      `${number.account_id}:${number.external_number}`,
    ]);
  }
}

export type LinkColumns = Partial<
  Pick<
    MatchableCall,
    | 'linked_entity_type'
    | 'linked_entity_id'
    | 'link_method'
    | 'needs_review'
    | 'match_candidates'
    | 'match_key'
    | 'match_outcome'
  >
>;

/** Writes the call's link columns (and `updated_at`; with them, what it was matched from). */
export async function updateCallLink(trx: Trx, callId: string, link: LinkColumns): Promise<void> {
  const { match_candidates, ...rest } = link;
  await trx('calls')
    .where({ id: callId })
    .update({
      ...rest,
      ...(match_candidates === undefined
        ? {}
        : { match_candidates: match_candidates === null ? null : JSON.stringify(match_candidates) }),
      updated_at: trx.fn.now(),
    });
}

/**
 * Stores what the call was matched from and the outcome, when the match left its link as it was:
 * `updated_at` stays, nothing a person sees changed.
 */
export async function storeMatchKey(
  trx: Trx,
  callId: string,
  key: { match_key: string; match_outcome: MatchOutcome },
): Promise<void> {
  await trx('calls').where({ id: callId }).update(key);
}

/** Other calls from the call's number that a remembered pick decides, by id (the lock order). */
export async function callIdsFollowingChoice(trx: Trx, call: MatchableCall): Promise<string[]> {
  return trx('calls')
    .where({ account_id: call.account_id, external_number: call.external_number, is_internal: false })
    .whereNot({ id: call.id })
    .andWhere((q) => q.where({ needs_review: true }).orWhere({ link_method: 'remembered' }))
    .andWhere((q) => q.whereNull('link_method').orWhereNot({ link_method: 'manual' }))
    .orderBy('id')
    .pluck<string[]>('id');
}

/**
 * Calls retro-matching looks at: not internal, not decided by a person (`link_method` 'manual'),
 * and either stand-alone or awaiting review.
 */
const RETRO_ELIGIBLE_SQL = `c.is_internal = false
  and c.link_method is distinct from 'manual'
  and (c.linked_entity_id is null or c.needs_review)`;

/** The account's eligible calls from these numbers with an id after `after`, by id. */
export async function retroEligibleCalls(
  db: Knex,
  input: { accountId: string; numbers: readonly string[]; after: string; limit: number },
): Promise<{ id: string; linked_entity_id: string | null; needs_review: boolean }[]> {
  const { rows } = await db.raw<{ rows: { id: string; linked_entity_id: string | null; needs_review: boolean }[] }>(
    `select c.id, c.linked_entity_id, c.needs_review
       from calls c
      where c.account_id = ? and c.external_number = any(?::text[]) and ${RETRO_ELIGIBLE_SQL} and c.id > ?
      order by c.id
      limit ?`,
    [input.accountId, [...input.numbers], input.after, input.limit],
  );
  return rows;
}

/** Per account, the numbers normalised in the last `sinceMinutes` that eligible calls came from. */
export async function recentNumbersWithEligibleCalls(
  db: Knex,
  sinceMinutes: number,
): Promise<{ account_id: string; numbers: string[] }[]> {
  const { rows } = await db.raw<{ rows: { account_id: string; numbers: string[] }[] }>(
    `select n.account_id, array_agg(distinct n.e164) as numbers
       from record_phone_numbers n
      where n.e164 is not null and n.normalization_status = 'ok'
        and n.normalized_at >= now() - make_interval(mins => ?)
        and exists (select 1 from calls c
                     where c.account_id = n.account_id and c.external_number = n.e164 and ${RETRO_ELIGIBLE_SQL})
      group by n.account_id
      order by n.account_id`,
    [sinceMinutes],
  );
  return rows;
}

/** One timeline entry of a call. */
export interface TimelineEntry {
  entityType: EntityType;
  entityId: string;
  viaContactId: string | null;
  summary: string;
}

/** Removes the call's timeline entries other than `keep`; returns how many. */
export async function removeTimelineEntriesExcept(
  trx: Trx,
  callId: string,
  keep: readonly TimelineEntry[],
): Promise<number> {
  // `not (false or <keep>...)`: with nothing to keep, every entry of the call goes.
  return trx('communications')
    .where({ call_id: callId, kind: 'call' })
    .whereNot((q) =>
      keep.reduce((acc, e) => acc.orWhere({ entity_type: e.entityType, entity_id: e.entityId }), q.whereRaw('false')),
    )
    .delete();
}

/**
 * Writes the entry if it is new or differs (a re-run leaves `updated_at` untouched): 'added',
 * 'updated', or null when it was already so.
 */
export async function upsertTimelineEntry(
  trx: Trx,
  callId: string,
  e: TimelineEntry,
): Promise<'added' | 'updated' | null> {
  const { rows } = await trx.raw<{ rows: { inserted: boolean }[] }>(
    `insert into communications (account_id, entity_type, entity_id, kind, occurred_at, call_id, via_contact_id, summary)
     select c.account_id, ?, ?, 'call', coalesce(c.started_at, c.created_at), c.id, ?, ? from calls c where c.id = ?
     on conflict (entity_type, entity_id, call_id) where call_id is not null do update
        set occurred_at = excluded.occurred_at, via_contact_id = excluded.via_contact_id,
            summary = excluded.summary, account_id = excluded.account_id, updated_at = now()
      where (communications.occurred_at, communications.via_contact_id, communications.summary, communications.account_id)
            is distinct from (excluded.occurred_at, excluded.via_contact_id, excluded.summary, excluded.account_id)
     returning (xmax = 0) as inserted`,
    [e.entityType, e.entityId, e.viaContactId, e.summary, callId],
  );
  const row = rows[0];
  return row ? (row.inserted ? 'added' : 'updated') : null;
}
