import type { Knex } from 'knex';
import { lockCall, type MatchableCall } from './call-rows';
import { CallNotFoundError } from './errors';
import { findRecord } from './records';
import type { CommunicationsSyncResult, EntityType } from './types';

/**
 * Keeps a call's entries in the history timeline (`communications`) equal to what its link says:
 * one entry for the linked record and, when that record is a contact of a customer, one in the
 * customer's history too (`via_contact_id`). Re-linking moves the entries, unlinking removes them,
 * internal calls have none. Idempotent: a second run writes nothing.
 *
 * Call it after anything that changes a call's link, start time, status or duration (matching
 * does it itself).
 */
export async function syncCallCommunications(db: Knex, callId: string): Promise<CommunicationsSyncResult> {
  return db.transaction(async (trx) => {
    const call = await lockCall(trx, callId);
    if (!call) throw new CallNotFoundError(callId);
    return syncLockedCallCommunications(trx, call);
  });
}

interface TimelineEntry {
  entityType: EntityType;
  entityId: string;
  viaContactId: string | null;
  summary: string;
}

/** The same, for a call whose row the caller has locked in `trx` (see `lockCall`). */
export async function syncLockedCallCommunications(
  trx: Knex.Transaction,
  call: MatchableCall,
): Promise<CommunicationsSyncResult> {
  const wanted = await timelineEntries(trx, call);

  // `not (false or <wanted>...)`: with nothing wanted, every entry of the call goes.
  const removed = await trx('communications')
    .where({ call_id: call.id, kind: 'call' })
    .whereNot((q) =>
      wanted.reduce((acc, e) => acc.orWhere({ entity_type: e.entityType, entity_id: e.entityId }), q.whereRaw('false')),
    )
    .delete();

  let added = 0;
  let updated = 0;
  for (const e of wanted) {
    // Only a row that is new or differs is written, so a re-run leaves updated_at untouched.
    const { rows } = await trx.raw<{ rows: { inserted: boolean }[] }>(
      `insert into communications (account_id, entity_type, entity_id, kind, occurred_at, call_id, via_contact_id, summary)
       select c.account_id, ?, ?, 'call', coalesce(c.started_at, c.created_at), c.id, ?, ? from calls c where c.id = ?
       on conflict (entity_type, entity_id, call_id) where call_id is not null do update
          set occurred_at = excluded.occurred_at, via_contact_id = excluded.via_contact_id,
              summary = excluded.summary, account_id = excluded.account_id, updated_at = now()
        where (communications.occurred_at, communications.via_contact_id, communications.summary, communications.account_id)
              is distinct from (excluded.occurred_at, excluded.via_contact_id, excluded.summary, excluded.account_id)
       returning (xmax = 0) as inserted`,
      [e.entityType, e.entityId, e.viaContactId, e.summary, call.id],
    );
    for (const r of rows) {
      if (r.inserted) added++;
      else updated++;
    }
  }
  return { added, updated, removed };
}

async function timelineEntries(trx: Knex.Transaction, call: MatchableCall): Promise<TimelineEntry[]> {
  if (call.is_internal || call.linked_entity_type === null || call.linked_entity_id === null) return [];
  // A link to a record deleted since keeps the call's link (it may be a person's decision) but
  // shows in no history: there is no history left to show it in.
  const record = await findRecord(trx, call.linked_entity_type, call.linked_entity_id);
  if (!record || record.accountId !== call.account_id) return [];
  const entries: TimelineEntry[] = [
    { entityType: record.type, entityId: record.id, viaContactId: null, summary: describeCall(call) },
  ];
  if (record.type === 'contact' && record.customerId !== null) {
    entries.push({
      entityType: 'customer',
      entityId: record.customerId,
      viaContactId: record.id,
      summary: describeCall(call, record.name),
    });
  }
  return entries;
}

const STATUS_TEXT: Record<string, string> = {
  answered: 'answered',
  missed: 'missed',
  voicemail: 'voicemail',
  no_answer: 'not answered',
  in_progress: 'in progress',
};

/**
 * The timeline's one-line description: "Inbound call with Ann Lee: answered, 4m 05s". No phone
 * numbers: the entry sits in the history of the record that owns the number.
 */
export function describeCall(
  call: Pick<MatchableCall, 'direction' | 'status' | 'duration_seconds' | 'source'>,
  contactName?: string,
): string {
  const direction = call.direction === 'outbound' ? 'Outbound' : 'Inbound';
  const logged = call.source === 'manual' ? ' (logged manually)' : '';
  const who = contactName ? ` with ${contactName}` : '';
  const status = STATUS_TEXT[call.status] ?? call.status;
  const talked =
    call.duration_seconds !== null && call.duration_seconds > 0 ? `, ${formatDuration(call.duration_seconds)}` : '';
  return `${direction} call${logged}${who}: ${status}${talked}`;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}
