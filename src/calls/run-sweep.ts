import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { callWorkflow } from '../../workflows';
import { callIdOfWorkflowId } from '../../workflows/shared/ids';
import type { CallRunSweepInput } from '../../workflows/shared/types';
import { sweepRunOnce } from './run-sweep-repository';

/**
 * The safety net behind "a call run never loses events": a run that ended Failed, Terminated or
 * TimedOut anyway (an operator's terminate, a bug, a timeout set by hand) may have held events it
 * had not applied, whose deliveries are already marked signalled. The sweep finds such runs in
 * Temporal's visibility and puts every delivery of their call back in the ingress relay's queue,
 * once per run; the relay starts a fresh run, and applying an event twice changes nothing.
 */
// Its schedule (every 5 minutes, a 60-minute window) is ensured in src/schedules/sweeps.ts.

export interface CallRunSweepResult {
  /** Closed runs found in the window that ended badly. */
  found: number;
  /** Of those, runs swept now (the others were swept before). */
  swept: number;
  /** Deliveries put back in the relay's queue. */
  requeued: number;
}

export async function sweepFailedCallRuns(
  db: Knex,
  client: Client,
  input: CallRunSweepInput,
  now: Date = new Date(),
): Promise<CallRunSweepResult> {
  const since = new Date(now.getTime() - input.sinceMinutes * 60_000).toISOString();
  const query =
    `WorkflowType = '${callWorkflow.name}' AND CloseTime >= '${since}' AND ` +
    `(ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut')`;
  let found = 0;
  let swept = 0;
  let requeued = 0;
  for await (const run of client.workflow.list({ query })) {
    const callId = callIdOfWorkflowId(run.workflowId);
    if (!callId) continue;
    found++;
    const n = await sweepRunOnce(db, {
      runId: run.runId,
      workflowId: run.workflowId,
      callId,
      status: run.status.name,
      closeTime: run.closeTime ?? null,
    });
    if (n === null) continue;
    swept++;
    requeued += n;
  }
  return { found, swept, requeued };
}
