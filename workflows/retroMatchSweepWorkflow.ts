import { log, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { RETRO_MATCH_NON_RETRYABLE } from './shared/errors';
import type { RetroMatchSweepInput } from './shared/types';

/**
 * `retroMatchSweepWorkflow` (schedule `navigator-retro-match-sweep`, RETRO_MATCH_SWEEP_SCHEDULE_ID):
 * the safety net, every 15 minutes, for numbers written without the API's retro-match call
 * (imports, direct database writes).
 */
const { runRetroMatchSweep } = proxyActivities<CallActivities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    maximumAttempts: 20,
    nonRetryableErrorTypes: [...RETRO_MATCH_NON_RETRYABLE],
  },
});

export async function retroMatchSweepWorkflow(input: RetroMatchSweepInput) {
  const result = await runRetroMatchSweep(input);
  upsertMemo({ linked: result.linked, resolved: result.resolved, numbers: result.numbers });
  if (result.linked > 0) log.info('retro-match sweep linked calls', { linked: result.linked });
  return result;
}
