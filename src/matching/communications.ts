import type { Knex } from 'knex';
import { CallNotFoundError } from './errors';
import {
  lockCall,
  removeTimelineEntriesExcept,
  upsertTimelineEntry,
  type MatchableCall,
  type TimelineEntry,
} from './links-repository';
import { findRecord } from './records-repository';
import type { CommunicationsSyncResult } from './types';

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

/** The same, for a call whose row the caller has locked in `trx` (see `lockCall`). */
export async function syncLockedCallCommunications(
  trx: Knex.Transaction,
  call: MatchableCall,
): Promise<CommunicationsSyncResult> {
  const wanted = await timelineEntries(trx, call);

  const removed = await removeTimelineEntriesExcept(trx, call.id, wanted);

  let added = 0;
  let updated = 0;
  for (const e of wanted) {
    // Only a row that is new or differs is written, so a re-run leaves updated_at untouched.
    const written = await upsertTimelineEntry(trx, call.id, e);
    if (written === 'added') added++;
    else if (written === 'updated') updated++;
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
