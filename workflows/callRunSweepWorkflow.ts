import { proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import type { CallRunSweepInput } from './shared/types';

/**
 * `callRunSweepWorkflow` (schedule `navigator-call-run-sweep`, every 5 minutes): puts the
 * deliveries of call runs that ended Failed, Terminated or TimedOut back in the relay's queue
 * (src/calls/run-sweep.ts).
 */
const { sweepFailedCallRuns } = proxyActivities<CallActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function callRunSweepWorkflow(input: CallRunSweepInput) {
  const result = await sweepFailedCallRuns(input);
  upsertMemo({ found: result.found, swept: result.swept, requeued: result.requeued });
  return result;
}
