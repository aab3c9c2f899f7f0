import type { Knex } from 'knex';
import { CallRepository } from '../src/calls/repository';
import { FINAL_STATES, type CallEventSignal } from '../src/domain/call-event';

export interface RecordCallEventResult {
  callRowId: string;
  status: string;
  legState: string;
  legConnected: boolean;
  legFinal: boolean;
  mergedCallRowIds: string[];
}

export function createCallActivities(deps: { db: Knex }) {
  const calls = new CallRepository(deps.db);
  return {
    /** Upserts the leg and folds it into its conversation's `calls` row. Idempotent. */
    async recordCallEvent(sig: CallEventSignal): Promise<RecordCallEventResult> {
      const recorded = await calls.recordLegEvent(sig);
      const leg = await deps
        .db('dialpad_call_legs')
        .where({ call_id: sig.event.callId })
        .first('state', 'date_connected', 'voicemail');
      return {
        callRowId: recorded.callRowId,
        status: recorded.status,
        legState: leg.state as string,
        legConnected: leg.date_connected !== null && !leg.voicemail,
        legFinal: FINAL_STATES.has(leg.state as string),
        mergedCallRowIds: recorded.mergedCallRowIds,
      };
    },
  };
}
