import type { Knex } from 'knex';
import { FINAL_STATES } from '../../workflows/shared/call-event';

/** Which of these legs we already hold as ended (`dialpad_call_legs`), so a backfill skips them. */
export async function endedLegsAmong(db: Knex, callIds: string[]): Promise<string[]> {
  return (
    db('dialpad_call_legs')
      .whereIn('call_id', callIds)
      // Ended as far as we know (a later voicemail transcription keeps the leg ended); a leg we
      // only know from Ai events still lacks its end, and the hangup completes it.
      .whereIn('state', [...FINAL_STATES, 'transcription'])
      .pluck('call_id')
  );
}
