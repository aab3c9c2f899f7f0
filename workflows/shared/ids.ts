/**
 * The ids of every workflow and schedule this integration starts, in one place: the code that
 * starts a run, the code that looks one up (ops, tests, the call-run sweep) and the docs all use
 * these. Workflow-safe (no Node built-ins, no I/O).
 */

/** One call run per Dialpad call leg. */
export const CALL_WORKFLOW_ID_PREFIX = 'dialpad-call-';

export function callWorkflowId(callId: string): string {
  return `${CALL_WORKFLOW_ID_PREFIX}${callId}`;
}

/** The Dialpad call id of a call run's workflow id; null for any other workflow id. */
export function callIdOfWorkflowId(workflowId: string): string | null {
  const m = /^dialpad-call-(\d{1,19})$/.exec(workflowId);
  return m ? m[1]! : null;
}

/** A backfill of an account's calls over [from, to). */
export const BACKFILL_WORKFLOW_ID_PREFIX = 'dialpad-backfill-';

const compact = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

export function backfillWorkflowId(accountId: string, from: Date, to: Date): string {
  return `${BACKFILL_WORKFLOW_ID_PREFIX}${accountId}-${compact(from)}-${compact(to)}`;
}

/** A contact a person linked a call to, created in Dialpad (contactPushBackWorkflow). */
export function contactPushBackWorkflowId(contactId: string): string {
  return `dialpad-contact-push-${contactId}`;
}

/** One retro-match of a record whose numbers changed (retroMatchRecordWorkflow); `atMs` keeps each request its own run. */
export function retroMatchRecordWorkflowId(entityType: string, entityId: string, atMs: number): string {
  return `navigator-retro-match-${entityType}-${entityId}-${atMs}`;
}

/** The per-account sync schedules (their runs are `<schedule id>-<time>`). */
export function syncScheduleId(kind: 'directory' | 'contacts', accountId: string): string {
  return kind === 'directory' ? `dialpad-directory-sync-${accountId}` : `dialpad-contact-sync-${accountId}`;
}

/** The retro-match safety net, one schedule for all accounts (retroMatchSweepWorkflow). */
export const RETRO_MATCH_SWEEP_SCHEDULE_ID = 'navigator-retro-match-sweep';

/** The sweep of call runs that ended badly, one schedule for all accounts (callRunSweepWorkflow). */
export const CALL_RUN_SWEEP_SCHEDULE_ID = 'navigator-call-run-sweep';
