import { continueAsNew, log, proxyActivities, setHandler, upsertMemo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync-activities';
import { DIALPAD_NON_RETRYABLE } from './shared/errors';
import { directorySyncResultQuery } from './shared/queries';
import { syncAgainSignal } from './shared/signals';
import type { DirectorySyncResult, SyncWorkflowInput } from './shared/types';

/**
 * One directory sync of an account's Dialpad office, started by the schedule
 * `dialpad-directory-sync-<account_id>` (src/schedules/sync.ts) or on demand. The work is one
 * activity that heartbeats its checkpoint after each page (the Temporal UI shows it on the pending
 * activity); a retry on another worker continues from that page.
 */
const { syncDirectory } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    // About an hour of retries through a Dialpad outage or a 429 storm; the next scheduled run
    // starts a fresh pass anyway.
    maximumAttempts: 20,
    nonRetryableErrorTypes: [...DIALPAD_NON_RETRYABLE],
  },
});

export async function directorySyncWorkflow(input: SyncWorkflowInput): Promise<DirectorySyncResult> {
  let result: DirectorySyncResult | null = null;
  let again = false;
  setHandler(directorySyncResultQuery, () => result);
  setHandler(syncAgainSignal, () => void (again = true));
  result = await syncDirectory({ accountId: input.accountId });
  upsertMemo({ lastResult: result });
  log.info('directory sync finished', { accountId: input.accountId, status: result.status, reason: result.reason });
  if (again) await continueAsNew<typeof directorySyncWorkflow>(input);
  return result;
}
