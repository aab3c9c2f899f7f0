import { continueAsNew, log, proxyActivities, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync-activities';
import { CONTACT_SYNC_NON_RETRYABLE } from './shared/errors';
import { contactSyncProgressQuery } from './shared/queries';
import { syncAgainSignal } from './shared/signals';
import { emptyPushCounts, type ContactSyncProgress, type ContactSyncWorkflowInput } from './shared/types';

/**
 * One two-way contact sync of an account, started by the schedule `dialpad-contact-sync-<account_id>`
 * (src/schedules/sync.ts) or on demand:
 * 1. import: Dialpad's shared contacts and the local contacts of the office's users, page by page,
 *    each page committed with its checkpoint in Postgres (a restarted run resumes at the next page);
 * 2. contacts a complete pass did not see are marked deleted in Dialpad;
 * 3. push: Navigator edits, then new Navigator contacts, at most MAX_CREATES_PER_RUN creates per run
 *    (Dialpad allows 100 per minute), the rest in later runs.
 * Progress: the `contactSyncProgress` query, the memo (`progress`, updated after every step) and
 * the activities' heartbeat details, all visible in the Temporal UI.
 */
/** Creates per run: 10 minutes of Dialpad's 100/min, leaving room in a 15-minute interval. */
export const MAX_CREATES_PER_RUN = 1_000;
/** Edits per run (PATCH, 1,200/min): a mass edit in Navigator also spreads over a few runs. */
export const MAX_UPDATES_PER_RUN = 5_000;
/** Pages per import activity: a progress update in the memo every 100 pages (10,000 contacts). */
const PAGES_PER_ACTIVITY = 100;
const CREATES_PER_ACTIVITY = 100;
const UPDATES_PER_ACTIVITY = 500;

const retry = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  // About an hour through a Dialpad outage or a 429 storm (the client already backs off within
  // each attempt); work done is checkpointed, so the next run picks up from there regardless.
  maximumAttempts: 20,
  nonRetryableErrorTypes: [...CONTACT_SYNC_NON_RETRYABLE],
};

const { syncDirectory, prepareContactSync, importContactPages, pushContacts } = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry,
});

const { finishContactImport } = proxyActivities<SyncActivities>({ startToCloseTimeout: '5 minutes', retry });

export async function contactSyncWorkflow(input: ContactSyncWorkflowInput): Promise<ContactSyncProgress> {
  const flags = { again: input.carried?.syncAgain ?? false };
  setHandler(syncAgainSignal, () => void (flags.again = true));
  const result = await contactSyncPass(input, flags);
  if (flags.again) await continueAsNew<typeof contactSyncWorkflow>({ ...input, carried: undefined });
  return result;
}

async function contactSyncPass(
  input: ContactSyncWorkflowInput,
  flags: { again: boolean },
): Promise<ContactSyncProgress> {
  const { accountId } = input;
  const progress: ContactSyncProgress = input.carried?.progress ?? {
    accountId,
    officeId: null,
    phase: 'starting',
    import: null,
    markedDeleted: 0,
    push: { ...emptyPushCounts(), pendingCreates: null, pendingUpdates: null },
  };
  let createsDone = input.carried?.createsDone ?? 0;
  let updatesDone = input.carried?.updatesDone ?? 0;
  setHandler(contactSyncProgressQuery, () => progress);
  const report = () => upsertMemo({ progress });
  const continueIfLong = async () => {
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof contactSyncWorkflow>({
        ...input,
        carried: { progress, createsDone, updatesDone, syncAgain: flags.again },
      });
    }
  };

  if (progress.phase === 'starting' || progress.phase === 'importing') {
    let prepared = await prepareContactSync({ accountId });
    if (prepared.status === 'needs_directory') {
      const directory = await syncDirectory({ accountId });
      if (directory.status === 'skipped') {
        return finish(progress, 'skipped', directory.reason ?? 'no_office');
      }
      prepared = await prepareContactSync({ accountId });
    }
    if (prepared.status !== 'ready') {
      return finish(progress, 'skipped', prepared.status === 'skipped' ? prepared.reason : 'directory_not_synced');
    }
    progress.officeId = prepared.officeId;
    progress.import = prepared.progress;
    progress.phase = 'importing';
    report();
    for (;;) {
      const step = await importContactPages({ accountId, maxPages: input.pagesPerActivity ?? PAGES_PER_ACTIVITY });
      progress.import = step.progress;
      report();
      if (step.done) break;
      await continueIfLong();
    }
    progress.phase = 'marking_deleted';
    const finished = await finishContactImport({ accountId });
    progress.markedDeleted = finished.markedDeleted;
    progress.phase = 'pushing';
    report();
  }

  const maxCreates = input.maxCreatesPerRun ?? MAX_CREATES_PER_RUN;
  const maxUpdates = input.maxUpdatesPerRun ?? MAX_UPDATES_PER_RUN;
  while (createsDone < maxCreates || updatesDone < maxUpdates) {
    const pushed = await pushContacts({
      accountId,
      maxCreates: Math.min(CREATES_PER_ACTIVITY, maxCreates - createsDone),
      maxUpdates: Math.min(UPDATES_PER_ACTIVITY, maxUpdates - updatesDone),
    });
    createsDone += pushed.creates;
    updatesDone += pushed.updates;
    for (const k of ['created', 'updated', 'failed', 'goneInDialpad'] as const) progress.push[k] += pushed.counts[k];
    progress.push.pendingCreates = pushed.pendingCreates;
    progress.push.pendingUpdates = pushed.pendingUpdates;
    report();
    // Nothing left, or nothing that can move now (e.g. numbers still being read): next run.
    if (pushed.creates + pushed.updates === 0) break;
    if (pushed.pendingCreates === 0 && pushed.pendingUpdates === 0) break;
    await continueIfLong();
  }
  return finish(progress, 'done');
}

function finish(progress: ContactSyncProgress, phase: 'done' | 'skipped', reason?: string): ContactSyncProgress {
  progress.phase = phase;
  if (reason) progress.reason = reason;
  upsertMemo({ progress });
  log.info('contact sync finished', {
    accountId: progress.accountId,
    phase,
    reason,
    imported: progress.import?.counts,
    push: progress.push,
  });
  return progress;
}
