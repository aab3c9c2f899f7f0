import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { runningWorkflows } from './settle';

/**
 * Between scenarios: what an earlier scenario left behind (call workflows still open, deliveries
 * still queued for the relay) would load Temporal and delay the next scenario's deliveries behind
 * its own. Its verdict is already taken, so the leftovers are cleared: open call workflows are
 * terminated (one batch operation) and queued deliveries parked (relay_after + 1 day).
 */
export async function clearLeftovers(
  db: Knex,
  client: Client,
  note: (m: string) => void,
): Promise<{ terminated: number; parked: number }> {
  const parked = await db('dialpad_webhook_deliveries')
    .where({ signal_status: 'pending', routing_status: 'routed' })
    .andWhere('relay_after', '<', db.raw("now() + interval '1 hour'"))
    .update({ relay_after: db.raw("now() + interval '1 day'") });
  const running = (await runningWorkflows(client)) ?? 0;
  if (running > 0) {
    try {
      await client.workflowService.startBatchOperation({
        namespace: client.options.namespace,
        jobId: `reliability-clear-${Date.now()}`,
        reason: 'reliability: the scenario that started these is over',
        visibilityQuery: `WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`,
        terminationOperation: {},
      });
    } catch (err) {
      note(`  could not start the batch termination: ${(err as Error).message.split('\n')[0]}`);
    }
    const until = Date.now() + 60_000;
    while (Date.now() < until && ((await runningWorkflows(client)) ?? 1) > 0)
      await new Promise((r) => setTimeout(r, 2000));
  }
  if (parked || running)
    note(
      `  cleared what earlier scenarios left: ${running} open call workflows terminated, ${parked} queued deliveries parked`,
    );
  return { terminated: running, parked };
}
