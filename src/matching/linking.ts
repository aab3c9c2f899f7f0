import type { Knex } from 'knex';
import { normalizePendingPhoneNumbers } from '../phone/pending';
import { syncLockedCallCommunications } from './communications';
import { CallNotFoundError, InternalCallError, RecordInOtherAccountError, RecordNotFoundError } from './errors';
import {
  callIdsFollowingChoice,
  lockCall,
  lockCallNumber,
  updateCallLink,
  type MatchableCall,
} from './links-repository';
import { matchLockedCall } from './match';
import { findCandidates } from './records';
import { findRecord, rememberPhoneMatchChoice } from './records-repository';
import type { CommunicationsSyncResult, EntityType, MatchResult } from './types';

export interface ManualLinkResult {
  callId: string;
  /** The pick was stored for the call's number and now decides its calls (see `linkCallManually`). */
  rememberedForNumber: boolean;
  /** Other calls from the number that the remembered pick re-linked. */
  relinkedCallIds: string[];
  communications: CommunicationsSyncResult;
}

/**
 * A person links a call to a record of its account (`link_method = 'manual'`: matching will not
 * undo it) and the call leaves the review queue.
 *
 * The pick is remembered for the number when the number is shared, i.e. the record is one of
 * several records holding it: later calls from the number then link to it by themselves, and
 * the number's other calls still waiting for review (or linked by an earlier pick) follow the new
 * pick at once, so one answer settles the number. A link to a record that does not hold the
 * number, or that holds it alone, is about this call only and remembers nothing.
 */
export async function linkCallManually(
  db: Knex,
  input: { callId: string; entityType: EntityType; entityId: string; actor?: string },
): Promise<ManualLinkResult> {
  // A number typed a moment ago decides whether the pick is about a shared number.
  await normalizePendingPhoneNumbers(db);
  return db.transaction(async (trx) => {
    // Two people answering for the same shared number at once would otherwise lock that number's
    // calls in opposite orders; the number's lock makes the second wait for the first.
    await lockCallNumber(trx, input.callId);
    const call = await lockCall(trx, input.callId);
    if (!call) throw new CallNotFoundError(input.callId);
    if (call.is_internal) throw new InternalCallError(call.id);
    const record = await findRecord(trx, input.entityType, input.entityId);
    if (!record) throw new RecordNotFoundError(input.entityType, input.entityId, 'entityId');
    if (record.accountId !== call.account_id) throw new RecordInOtherAccountError(input.entityType, input.entityId);

    await updateCallLink(trx, call.id, {
      linked_entity_type: record.type,
      linked_entity_id: record.id,
      link_method: 'manual',
      needs_review: false,
    });
    const communications = await syncLockedCallCommunications(trx, {
      ...call,
      linked_entity_type: record.type,
      linked_entity_id: record.id,
      link_method: 'manual',
      needs_review: false,
    });

    let rememberedForNumber = false;
    const relinkedCallIds: string[] = [];
    if (call.external_number) {
      const candidates = await findCandidates(trx, call.account_id, call.external_number);
      const isCandidate = candidates.some((c) => c.type === record.type && c.id === record.id);
      if (isCandidate && candidates.length > 1) {
        await rememberPhoneMatchChoice(trx, {
          accountId: call.account_id,
          e164: call.external_number,
          entityType: record.type,
          entityId: record.id,
          chosenOnCallId: call.id,
          chosenBy: input.actor ?? null,
        });
        rememberedForNumber = true;
        for (const other of await callsFollowingChoice(trx, call)) {
          // The pick changed the records' side of these calls, not the calls: look up again.
          const result = await matchLockedCall(trx, other, { force: true });
          if (result.changed) relinkedCallIds.push(other.id);
        }
      }
    }
    return { callId: call.id, rememberedForNumber, relinkedCallIds, communications };
  });
}

/** Calls from the same number whose link a remembered pick decides (in a stable lock order). */
async function callsFollowingChoice(trx: Knex.Transaction, call: MatchableCall): Promise<MatchableCall[]> {
  const ids = await callIdsFollowingChoice(trx, call);
  const locked: MatchableCall[] = [];
  for (const id of ids) {
    const row = await lockCall(trx, id);
    if (row) locked.push(row);
  }
  return locked;
}

/**
 * A person says the call belongs to no record: it becomes stand-alone, leaves every history and
 * the review queue, and matching leaves it so (`link_method = 'manual'` with no record) until
 * `rematchCall`. The number's remembered pick, if any, is kept: it is about the number, not this call.
 */
export async function unlinkCall(
  db: Knex,
  callId: string,
): Promise<{ callId: string; communications: CommunicationsSyncResult }> {
  return db.transaction(async (trx) => {
    const call = await lockCall(trx, callId);
    if (!call) throw new CallNotFoundError(callId);
    const unlinked = {
      linked_entity_type: null,
      linked_entity_id: null,
      link_method: 'manual' as const,
      needs_review: false,
    };
    const alreadyUnlinked =
      call.linked_entity_id === null && call.link_method === 'manual' && call.needs_review === false;
    if (!alreadyUnlinked) {
      await updateCallLink(trx, call.id, unlinked);
    }
    const communications = await syncLockedCallCommunications(trx, { ...call, ...unlinked });
    return { callId: call.id, communications };
  });
}

/** Hands a call back to the matching rules, forgetting a person's decision about it. */
export async function rematchCall(db: Knex, callId: string): Promise<MatchResult> {
  await normalizePendingPhoneNumbers(db);
  return db.transaction(async (trx) => {
    const call = await lockCall(trx, callId);
    if (!call) throw new CallNotFoundError(callId);
    // A person asked: look the records up again, whatever the call was last matched from.
    if (call.link_method !== 'manual') return matchLockedCall(trx, call, { force: true });
    await updateCallLink(trx, call.id, { link_method: null });
    return matchLockedCall(trx, { ...call, link_method: null }, { force: true });
  });
}
