import type { Knex } from 'knex';

/** A call logged by hand (`source` 'manual'), as stored. */
export interface ManualCallRow {
  accountId: string;
  direction: 'inbound' | 'outbound';
  status: string;
  externalNumber: string | null;
  startedAt: Date;
  endedAt: Date;
  durationSeconds: number;
  notes: string | null;
}

/** Inserts the call and returns its id. */
export async function insertManualCall(db: Knex | Knex.Transaction, call: ManualCallRow): Promise<string> {
  const [row] = await db('calls')
    .insert({
      account_id: call.accountId,
      source: 'manual',
      direction: call.direction,
      status: call.status,
      external_number: call.externalNumber,
      started_at: call.startedAt,
      ended_at: call.endedAt,
      duration_seconds: call.durationSeconds,
      notes: call.notes,
    })
    .returning('id');
  return (row as { id: string }).id;
}
