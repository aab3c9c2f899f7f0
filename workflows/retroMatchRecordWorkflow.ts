import { proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { RETRO_MATCH_ACTIVITY_OPTIONS } from './shared/activity-options';
import type { RetroMatchRecordInput } from './shared/types';

/**
 * `retroMatchRecordWorkflow` (id `navigator-retro-match-<type>-<id>-<time>`, retroMatchRecordWorkflowId):
 * a record's numbers were added or changed (POST /api/records/retro-match); its stand-alone calls
 * link themselves. The sweep (retroMatchSweepWorkflow) is the safety net behind it.
 */
const { retroMatchRecord } = proxyActivities<CallActivities>(RETRO_MATCH_ACTIVITY_OPTIONS);

export async function retroMatchRecordWorkflow(input: RetroMatchRecordInput) {
  const result = await retroMatchRecord(input);
  upsertMemo({ linked: result.linked, resolved: result.resolved, examined: result.examined });
  return result;
}
