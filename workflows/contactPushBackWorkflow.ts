import { type ActivityOptions, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { dialpadTaskQueue } from './call-activities';
import { DIALPAD_NON_RETRYABLE } from './shared/errors';
import type { ContactPushBackInput } from './shared/types';

/**
 * `contactPushBackWorkflow` (id `dialpad-contact-push-<contact id>`, contactPushBackWorkflowId): a
 * person linked a call to a contact Dialpad does not know yet; it is created there (the call
 * workflow does the same for the links it makes). The run is on the live calls' queue; its request
 * to Dialpad on the Dialpad queue (dialpadTaskQueue).
 */
const pushOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...DIALPAD_NON_RETRYABLE],
  },
};

export async function contactPushBackWorkflow(input: ContactPushBackInput) {
  const taskQueue = dialpadTaskQueue();
  const { pushContactToDialpad } = proxyActivities<CallActivities>({
    ...pushOptions,
    ...(taskQueue ? { taskQueue } : {}),
  });
  const result = await pushContactToDialpad(input);
  upsertMemo({ outcome: result.outcome });
  return result;
}
