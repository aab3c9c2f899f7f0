import { log, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import type { EntityType } from '../src/matching/types';

/**
 * Matching work outside a call's own run, each visible in the Temporal UI:
 * - `retroMatchRecordWorkflow` (id `navigator-retro-match-<type>-<id>-<time>`): a record's numbers
 *   were added or changed (POST /api/records/retro-match); its stand-alone calls link themselves.
 * - `retroMatchSweepWorkflow` (schedule `navigator-retro-match-sweep`): the safety net, every
 *   15 minutes, for numbers written without that call (imports, direct database writes).
 * - `contactPushBackWorkflow` (id `dialpad-contact-push-<contact id>`): a person linked a call to a
 *   contact Dialpad does not know yet; it is created there (the call workflow does the same for
 *   the links it makes).
 */
const { retroMatchRecord, runRetroMatchSweep } = proxyActivities<CallActivities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['RecordNotFoundError', 'RangeError'],
  },
});

const { pushContactToDialpad } = proxyActivities<CallActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['DialpadApiError', 'DialpadProtocolError', 'DialpadNotConfigured'],
  },
});

export interface RetroMatchRecordInput {
  accountId: string;
  entityType: EntityType;
  entityId: string;
}

export async function retroMatchRecordWorkflow(input: RetroMatchRecordInput) {
  const result = await retroMatchRecord(input);
  upsertMemo({ linked: result.linked, resolved: result.resolved, examined: result.examined });
  return result;
}

export interface RetroMatchSweepInput {
  /** Numbers normalised within this many minutes are looked at (longer than the interval). */
  sinceMinutes: number;
}

export async function retroMatchSweepWorkflow(input: RetroMatchSweepInput) {
  const result = await runRetroMatchSweep(input);
  upsertMemo({ linked: result.linked, resolved: result.resolved, numbers: result.numbers });
  if (result.linked > 0) log.info('retro-match sweep linked calls', { linked: result.linked });
  return result;
}

export async function contactPushBackWorkflow(input: { contactId: string }) {
  const result = await pushContactToDialpad(input);
  upsertMemo({ outcome: result.outcome });
  return result;
}
