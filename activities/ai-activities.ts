import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/activity';
import {
  deriveAndStoreInsights,
  fetchAndStoreRecap,
  fetchAndStoreTranscript,
  noteAiAnswers,
  noteAiOffice,
  officeMayHaveAi,
  storedAiParts,
  type AiFetchOutcome,
  type AiPart,
  type InsightsModel,
} from '../src/ai/enrich';
import type { DialpadClient } from '../src/dialpad/client';
import { conversationOfLeg } from './conversation';
import { dbStep } from './db-step';
import { withHeartbeat } from './heartbeat';
import { NonRetryable } from '../workflows/shared/errors';

export function createAiActivities(deps: {
  db: Knex;
  dialpad: DialpadClient | undefined;
  /** The optional language model for the final derivation (INSIGHTS_LLM_*); absent or null: the rules. */
  insightsModel?: InsightsModel;
}) {
  const dialpad = () => {
    if (!deps.dialpad)
      throw ApplicationFailure.nonRetryable('no Dialpad API client configured', NonRetryable.DialpadNotConfigured);
    return deps.dialpad;
  };
  return {
    /**
     * Whether to ask Dialpad's API for this call's Ai data: always, unless the API has shown the
     * office to have no Ai (src/ai/enrich.ts, officeMayHaveAi). Ai events note the office as having it.
     */
    async checkAiOffice(input: { officeId: string | null; aiEventsSeen: boolean }): Promise<boolean> {
      return dbStep(async () => {
        if (input.officeId && input.aiEventsSeen) await noteAiOffice(deps.db, input.officeId);
        return input.aiEventsSeen || (await officeMayHaveAi(deps.db, input.officeId));
      });
    },

    /** What the conversation already holds of this leg's Ai data (a local step before any fetch). */
    async aiPartsStored(input: { legCallId: string }): Promise<{ transcript: boolean; recap: boolean }> {
      return dbStep(async () => {
        const callRowId = await conversationOfLeg(deps.db, input.legCallId);
        return storedAiParts(deps.db, { callRowId, legCallId: input.legCallId });
      });
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

    /**
     * Sentiment, churn risk, themes and resolved from what the conversation holds now. `interim`
     * while the run still waits for Ai data; at the end, with what the fetches found (`answers`),
     * which also tells whether the office has Ai.
     */
    async deriveCallInsights(input: {
      legCallId: string;
      missing: { part: AiPart; reason: string }[];
      interim?: boolean;
      officeId?: string | null;
      answers?: { transcript: AiFetchOutcome; recap: AiFetchOutcome };
    }) {
      return dbStep(async () => {
        const callRowId = await conversationOfLeg(deps.db, input.legCallId);
        if (input.answers) await noteAiAnswers(deps.db, input.officeId ?? null, input.answers);
        return deriveAndStoreInsights(
          deps.db,
          { callRowId, missing: input.missing, ...(input.interim ? { interim: true } : {}) },
          deps.insightsModel,
        );
      });
    },
  };
}
