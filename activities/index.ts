import type { Knex } from 'knex';
import type { DialpadClient } from '../src/dialpad/client';
import type { Logger } from '../src/logger';
import type { WorkerMetrics } from '../src/plugins/metrics';
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
}

/** The worker's activities, built from real dependencies at the composition root (src/worker.ts). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCallActivities(deps),
    ...createAiActivities({ db: deps.db, dialpad: deps.dialpad }),
    ...createSyncActivities({ db: deps.db, log: deps.log, dialpad: deps.dialpad }),
    ...createOpsActivities(deps),
    ...createMatchingActivities({ db: deps.db, log: deps.log, dialpad: deps.dialpad }),
  };
}

export type CallActivities = ReturnType<typeof createActivities>;
