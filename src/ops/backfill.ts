import { WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { DialpadOfficeId, NavigatorAccountId } from '../../workflows/shared/search-attributes';
import { backfillWorkflow, describeProgress } from '../../workflows';
import { BACKFILL_WORKFLOW_ID_PREFIX, backfillWorkflowId } from '../../workflows/shared/ids';
import { BACKGROUND_PRIORITY, taskQueuesOf } from '../../workflows/shared/task-queues';
import { backfillProgressQuery } from '../../workflows/shared/queries';
import type { BackfillProgress } from '../../workflows/shared/types';
import { recordAudit, type Actor } from './audit-repository';
import { OpsError } from './errors';
import { getAccount } from './office';

/**
 * Starting and watching backfills (workflows/backfillWorkflow.ts). The workflow id names the account
 * and the range, so asking for the same backfill twice while it runs attaches to the running one.
 */
export interface BackfillRequest {
  accountId: string;
  from: Date;
  to: Date;
  windowMinutes?: number;
}

export interface BackfillSettings {
  /** TEMPORAL_TASK_QUEUE, the base name: the backfill runs on `<base>-sync`, the call runs it starts on the base. */
  taskQueue: string;
  aiWaitSeconds: number;
  aiFetchAttempts?: number;
  now?: () => Date;
}

export interface BackfillStarted {
  workflowId: string;
  runId: string;
  accountId: string;
  officeId: string;
  from: string;
  to: string;
  /** False when the same backfill was already running and this attached to it. */
  started: boolean;
}

export { backfillWorkflowId };

export function parseInstant(value: string, name: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new OpsError(
      'bad_request',
      `${name} must be an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T09:00:00Z (got ${JSON.stringify(value)})`,
    );
  }
  return d;
}

export async function startBackfill(
  client: Client,
  db: Knex,
  request: BackfillRequest,
  settings: BackfillSettings,
  who: Actor,
): Promise<BackfillStarted> {
  const account = await getAccount(db, request.accountId);
  if (!account.officeId) {
    throw new OpsError('bad_request', `account ${account.id} has no Dialpad office ID: set it first (set-office)`);
  }
  const now = settings.now?.() ?? new Date();
  // Dialpad lists concluded calls only; a range into the future would just end now.
  const to = request.to.getTime() > now.getTime() ? now : request.to;
  if (!(request.from.getTime() < to.getTime())) {
    throw new OpsError('bad_request', '--from must be before --to (and before now)');
  }
  if (request.windowMinutes !== undefined && !(request.windowMinutes >= 1)) {
    throw new OpsError('bad_request', 'the window must be at least one minute');
  }
  const workflowId = backfillWorkflowId(account.id, request.from, request.to);
  const running = await runningRunId(client, workflowId);
  if (running) {
    return {
      workflowId,
      runId: running,
      accountId: account.id,
      officeId: account.officeId,
      from: request.from.toISOString(),
      to: to.toISOString(),
      started: false,
    };
  }
  const handle = await client.workflow.start(backfillWorkflow, {
    workflowId,
    // Beside the syncs, behind them (BACKGROUND_PRIORITY), never in the live calls' slots.
    taskQueue: taskQueuesOf(settings.taskQueue).sync,
    priority: BACKGROUND_PRIORITY,
    args: [
      {
        accountId: account.id,
        officeId: account.officeId,
        fromMs: request.from.getTime(),
        toMs: to.getTime(),
        ...(request.windowMinutes !== undefined ? { windowMinutes: request.windowMinutes } : {}),
        aiWaitSeconds: settings.aiWaitSeconds,
        ...(settings.aiFetchAttempts !== undefined ? { aiFetchAttempts: settings.aiFetchAttempts } : {}),
        requestedBy: who.actor,
      },
    ],
    // A finished backfill may be run again (it is idempotent); a running one is joined, not doubled.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: NavigatorAccountId, value: account.id },
      { key: DialpadOfficeId, value: account.officeId },
    ],
    memo: {
      summary: `Backfill of ${account.name} (office ${account.officeId}) ${request.from.toISOString()} – ${to.toISOString()}`,
    },
  });
  await recordAudit(db, who, {
    action: 'start_backfill',
    accountId: account.id,
    oldValue: null,
    newValue: { workflowId, runId: handle.firstExecutionRunId, from: request.from.toISOString(), to: to.toISOString() },
  });
  return {
    workflowId,
    runId: handle.firstExecutionRunId,
    accountId: account.id,
    officeId: account.officeId,
    from: request.from.toISOString(),
    to: to.toISOString(),
    started: true,
  };
}

async function runningRunId(client: Client, workflowId: string): Promise<string | null> {
  try {
    const desc = await client.workflow.getHandle(workflowId).describe();
    return desc.status.name === 'RUNNING' ? desc.runId : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

export interface BackfillStatus {
  workflowId: string;
  /** Temporal's status of the current run: RUNNING, COMPLETED, FAILED, … */
  status: string;
  progress: BackfillProgress | null;
  summary: string | null;
  error: string | null;
}

export async function backfillStatus(client: Client, workflowId: string): Promise<BackfillStatus> {
  if (!workflowId.startsWith(BACKFILL_WORKFLOW_ID_PREFIX)) {
    throw new OpsError('bad_request', `${workflowId} is not a backfill workflow id (dialpad-backfill-…)`);
  }
  const handle = client.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new OpsError('not_found', `no backfill ${workflowId}`);
    throw err;
  }
  let progress: BackfillProgress | null = null;
  let error: string | null = null;
  try {
    progress = status === 'COMPLETED' ? await handle.result() : await handle.query(backfillProgressQuery);
  } catch (err) {
    // A failed or terminated run cannot be queried once its worker is gone; the status says why.
    error = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  }
  return { workflowId, status, progress, summary: progress ? describeProgress(progress) : null, error };
}

/** Polls until the backfill's run closes, reporting progress; resolves with the final status. */
export async function watchBackfill(
  client: Client,
  workflowId: string,
  onProgress: (s: BackfillStatus) => void,
  opts: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<BackfillStatus> {
  for (;;) {
    const s = await backfillStatus(client, workflowId);
    onProgress(s);
    if (s.status !== 'RUNNING' && s.status !== 'CONTINUED_AS_NEW') return s;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
    opts.signal?.throwIfAborted();
  }
}
