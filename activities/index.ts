import type { Knex } from 'knex';
import type { Logger } from '../src/logger';
import { createCallActivities } from './call-activities';

export interface ActivityDeps {
  db: Knex;
  log: Logger;
}

/** The worker's activities, built from real dependencies at the composition root (src/worker.ts). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCallActivities(deps),
  };
}

export type CallActivities = ReturnType<typeof createActivities>;
