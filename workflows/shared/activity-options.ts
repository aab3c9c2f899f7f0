import type { ActivityOptions } from '@temporalio/common';
import { RETRO_MATCH_NON_RETRYABLE } from './errors';

/** Retro-matching (one record's numbers, or the periodic sweep): bounded, retried for a while. */
export const RETRO_MATCH_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    maximumAttempts: 20,
    nonRetryableErrorTypes: [...RETRO_MATCH_NON_RETRYABLE],
  },
};
