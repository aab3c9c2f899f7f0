import type { Knex } from 'knex';
import type { InsightsModel } from '../src/ai/enrich';
import type { LlmConfig } from '../src/ai/llm-config';
import type { DialpadClient } from '../src/dialpad/client';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/telemetry/metrics';
import { createAiActivities } from './ai-activities';
import { createCallActivities } from './call-activities';
import { createSyncActivities } from './sync-activities';
import { createOpsActivities } from './ops-activities';
import { createMatchingActivities } from './matching-activities';

export interface ActivityDeps {
  db: Knex;
  log: Logger;
  /** Undefined when no API key is configured: Ai fetches then fail as non-retryable. */
  dialpad?: DialpadClient;
  /** Where the activities' metrics go (the worker's registry); tests may leave it out. */
  metrics?: WorkerMetrics | undefined;
  /** The optional language model for call insights (config.insightsLlm); absent or null: the rules only. */
  insightsLlm?: LlmConfig | null;
  /** Tests shorten the model's timeout; the product uses the defaults (src/ai/enrich.ts). */
  insightsModelOptions?: InsightsModel['options'];
  /** The live calls' queue (TEMPORAL_TASK_QUEUE), where the call runs a backfill starts belong. */
  callTaskQueue: string;
}

/**
 * The worker's activities, built from real dependencies at the composition root (src/worker.ts).
 * Every queue's worker registers all of them (src/temporal/workers.ts): a run started before the
 * queues were split still schedules its activities on the live calls' queue.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCallActivities(deps),
    ...createAiActivities({
      db: deps.db,
      dialpad: deps.dialpad,
      insightsModel: {
        llm: deps.insightsLlm ?? null,
        log: deps.log,
        ...(deps.insightsModelOptions ? { options: deps.insightsModelOptions } : {}),
      },
    }),
    ...createSyncActivities({ db: deps.db, log: deps.log, dialpad: deps.dialpad }),
    ...createOpsActivities(deps),
    ...createMatchingActivities({ db: deps.db, log: deps.log, dialpad: deps.dialpad }),
  };
}

export type CallActivities = ReturnType<typeof createActivities>;
