import type { Knex } from 'knex';

/** A closed call run the sweep found ended badly. */
export interface SweptRun {
  runId: string;
  workflowId: string;
  callId: string;
  status: string;
  closeTime: Date | null;
}

/**
 * Records the run as swept (`dialpad_call_run_sweeps`) and puts every signalled delivery of its
 * call back in the relay's queue, in one transaction. Returns how many were requeued, or null when
 * the run was swept before (nothing done).
 */
export async function sweepRunOnce(db: Knex, run: SweptRun): Promise<number | null> {
  return db.transaction(async (trx) => {
    const [claimed] = await trx('dialpad_call_run_sweeps')
      .insert({
        run_id: run.runId,
        workflow_id: run.workflowId,
        call_id: run.callId,
        status: run.status,
        closed_at: run.closeTime,
        requeued: 0,
      })
      .onConflict('run_id')
      .ignore()
      .returning('run_id');
    if (!claimed) return null;
    const count = await trx('dialpad_webhook_deliveries')
      .where({ call_id: run.callId, routing_status: 'routed', signal_status: 'signalled' })
      .update({
        signal_status: 'pending',
        relay_after: trx.fn.now(),
        last_signal_error: `requeued: run ${run.runId} ended ${run.status}`,
        replays: trx.raw('replays + 1'),
      });
    await trx('dialpad_call_run_sweeps').where({ run_id: run.runId }).update({ requeued: count });
    return count;
  });
}
