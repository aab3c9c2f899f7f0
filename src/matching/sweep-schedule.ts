import type { Client } from '@temporalio/client';
import { ensureSweepScheduleOf } from '../temporal/sweep-schedules';
import { retroMatchSweepWorkflow } from '../../workflows';
import { RETRO_MATCH_SWEEP_SCHEDULE_ID } from '../../workflows/shared/ids';
import type { RetroMatchSweepInput } from '../../workflows/shared/types';

/**
 * The retro-matching safety net as one Temporal Schedule for all accounts,
 * `navigator-retro-match-sweep`: every 15 minutes it links stand-alone calls from numbers
 * normalised in the last hour (src/matching/retro.ts, retroMatchSweep). The API's retro-match call
 * does this at once for a record a person edited; the sweep catches numbers written any other way
 * (a contact import, a direct database write, an API call that failed). The window is four
 * intervals, so a sweep skipped while Temporal or the worker was down is covered by the next one.
 * Created by every worker at start (idempotently), pausable in the Temporal UI.
 */
export { RETRO_MATCH_SWEEP_SCHEDULE_ID };
export const RETRO_MATCH_SWEEP_EVERY = '15m';
export const RETRO_MATCH_SWEEP_WINDOW_MINUTES = 60;

export async function ensureRetroMatchSweepSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  const input: RetroMatchSweepInput = { sinceMinutes: RETRO_MATCH_SWEEP_WINDOW_MINUTES };
  return ensureSweepScheduleOf(client, {
    scheduleId: RETRO_MATCH_SWEEP_SCHEDULE_ID,
    every: RETRO_MATCH_SWEEP_EVERY,
    workflowType: retroMatchSweepWorkflow,
    args: [input],
    taskQueue,
    workflowExecutionTimeout: '30 minutes',
    note:
      'Links stand-alone calls from phone numbers added or changed in the last hour, for every account. ' +
      'Pausing it leaves only the retro-matching the API triggers on record edits.',
  });
}
