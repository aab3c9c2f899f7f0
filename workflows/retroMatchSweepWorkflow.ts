import { log, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { RETRO_MATCH_ACTIVITY_OPTIONS } from './shared/activity-options';
import type { RetroMatchSweepInput } from './shared/types';

/**
 * `retroMatchSweepWorkflow` (schedule `navigator-retro-match-sweep`, RETRO_MATCH_SWEEP_SCHEDULE_ID):
 * the safety net, every 15 minutes, for numbers written without the API's retro-match call
 * (imports, direct database writes).
 */
const { runRetroMatchSweep } = proxyActivities<CallActivities>(RETRO_MATCH_ACTIVITY_OPTIONS);

export async function retroMatchSweepWorkflow(input: RetroMatchSweepInput) {
  const result = await runRetroMatchSweep(input);
  upsertMemo({ linked: result.linked, resolved: result.resolved, numbers: result.numbers });
  if (result.linked > 0) log.info('retro-match sweep linked calls', { linked: result.linked });
  return result;
}
