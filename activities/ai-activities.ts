import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/activity';
import {
  deriveAndStoreInsights,
  fetchAndStoreRecap,
  fetchAndStoreTranscript,
  noteAiOffice,
  officeHasAi,
  type AiPart,
} from '../src/ai/enrich';
import type { DialpadClient } from '../src/dialpad/client';
import { withHeartbeat } from './heartbeat';

/** The conversation a leg belongs to now (rows merge when late links join conversations). */
export async function conversationOfLeg(db: Knex, legCallId: string): Promise<string> {
  const leg = await db('dialpad_call_legs').where({ call_id: legCallId }).first('call_row_id');
  if (!leg?.call_row_id) throw ApplicationFailure.nonRetryable(`leg ${legCallId} has no conversation`, 'LegNotFolded');
  return leg.call_row_id as string;
}

export function createAiActivities(deps: { db: Knex; dialpad: DialpadClient | undefined }) {
  const dialpad = () => {
    if (!deps.dialpad)
      throw ApplicationFailure.nonRetryable('no Dialpad API client configured', 'DialpadNotConfigured');
    return deps.dialpad;
  };
  return {
    /** Whether to chase Ai data for this call: its office has sent Ai events. */
    async checkAiOffice(input: { officeId: string | null; aiEventsSeen: boolean }): Promise<boolean> {
      if (input.officeId && input.aiEventsSeen) await noteAiOffice(deps.db, input.officeId);
      return input.aiEventsSeen || (await officeHasAi(deps.db, input.officeId));
    },

    // The two fetches heartbeat: they can wait minutes on Dialpad's per-endpoint budget (ai_recap
    // allows 12 a minute), and a worker lost meanwhile is then noticed within the heartbeat timeout.
    async fetchCallTranscript(input: { legCallId: string }) {
      return withHeartbeat(
        () => ({ legCallId: input.legCallId }),
        async () => {
          const callRowId = await conversationOfLeg(deps.db, input.legCallId);
          return fetchAndStoreTranscript(
            { db: deps.db, dialpad: dialpad() },
            { callRowId, legCallId: input.legCallId },
          );
        },
      );
    },

    async fetchCallRecap(input: { legCallId: string }) {
      return withHeartbeat(
        () => ({ legCallId: input.legCallId }),
        async () => {
          const callRowId = await conversationOfLeg(deps.db, input.legCallId);
          return fetchAndStoreRecap({ db: deps.db, dialpad: dialpad() }, { callRowId, legCallId: input.legCallId });
        },
      );
    },

    async deriveCallInsights(input: { legCallId: string; missing: { part: AiPart; reason: string }[] }) {
      const callRowId = await conversationOfLeg(deps.db, input.legCallId);
      return deriveAndStoreInsights(deps.db, { callRowId, missing: input.missing });
    },
  };
}
