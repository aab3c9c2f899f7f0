import { continueAsNew, proxyActivities, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { DIALPAD_NON_RETRYABLE } from './shared/errors';
import { backfillProgressQuery } from './shared/queries';
import type { BackfillInput, BackfillProgress } from './shared/types';

/**
 * Imports an account's concluded Dialpad calls for a date range from Dialpad's call list (history
 * from before the integration, or an outage window). The range is walked oldest first in windows;
 * each window is one activity that pages through Dialpad's list with heartbeats and hands every leg
 * not already held to the normal call workflow. Progress is a query and the run's memo, so the
 * CLI and the Temporal UI both show it. Re-running over the same range is harmless.
 */
const DEFAULT_WINDOW_MINUTES = 360;
/** Windows per run before continuing as new, keeping each run's history small. */
const WINDOWS_PER_RUN = 200;

const { importCallWindow } = proxyActivities<CallActivities>({
  // One window pages through Dialpad at the shared rate limit: allow long, watch the heartbeat.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...DIALPAD_NON_RETRYABLE],
  },
});

export async function backfillWorkflow(input: BackfillInput): Promise<BackfillProgress> {
  const windowMs = Math.max(1, input.windowMinutes ?? DEFAULT_WINDOW_MINUTES) * 60_000;
  const progress: BackfillProgress = input.carried ?? {
    accountId: input.accountId,
    officeId: input.officeId,
    fromMs: input.fromMs,
    toMs: input.toMs,
    windowsTotal: Math.max(1, Math.ceil((input.toMs - input.fromMs) / windowMs)),
    windowsDone: 0,
    doneUntilMs: input.fromMs,
    listed: 0,
    alreadyPresent: 0,
    imported: 0,
    invalid: 0,
    finished: false,
  };
  setHandler(backfillProgressQuery, () => progress);

  let windowsThisRun = 0;
  while (progress.doneUntilMs < input.toMs) {
    if (windowsThisRun >= WINDOWS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof backfillWorkflow>({ ...input, carried: progress });
    }
    const windowEnd = Math.min(progress.doneUntilMs + windowMs, input.toMs);
    const r = await importCallWindow({
      accountId: input.accountId,
      officeId: input.officeId,
      fromMs: progress.doneUntilMs,
      toMs: windowEnd,
      aiWaitSeconds: input.aiWaitSeconds,
      aiFetchAttempts: input.aiFetchAttempts,
    });
    progress.listed += r.listed;
    progress.alreadyPresent += r.alreadyPresent;
    progress.imported += r.imported;
    progress.invalid += r.invalid;
    progress.windowsDone++;
    progress.doneUntilMs = windowEnd;
    windowsThisRun++;
    upsertMemo({ progress: describeProgress(progress) });
  }
  progress.finished = true;
  upsertMemo({ progress: describeProgress(progress) });
  return progress;
}

/** One line for the Temporal UI's memo column. */
export function describeProgress(p: BackfillProgress): string {
  return (
    `${p.finished ? 'done' : `${p.windowsDone}/${p.windowsTotal} windows`}: ${p.listed} legs listed, ` +
    `${p.imported} imported, ${p.alreadyPresent} already present${p.invalid ? `, ${p.invalid} unreadable` : ''}`
  );
}
