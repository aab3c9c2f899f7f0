import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../activities';
import { IMPORT_READ_AHEAD } from '../../src/sync/contact-import';
import { silenceTemporalRuntime, workflowBundle } from '../support/temporal';
import { lastSeq, officeContacts, pageKey, requests, startSyncStack, uniqueId, type SyncStack } from './support';
import { contactSyncWorkflow } from '../../workflows';

/**
 * A contact sync whose worker is stopped halfway through the import finishes on a new worker,
 * continuing from the checkpoint in Postgres: pages applied before the stop are not fetched again.
 * The first worker has no shutdown grace, so its import activity is cancelled at once, mid-pass,
 * as a killed process would leave it (the new attempt resumes from the database either way).
 */
describe('contact sync resumes after its worker is stopped', () => {
  let s: SyncStack;
  let connection: NativeConnection;

  beforeAll(async () => {
    silenceTemporalRuntime();
    s = await startSyncStack({
      noWorker: true,
      sim: { seed: 'contact-resume', size: { offices: 3, departments: 3, callCenters: 3, users: 30, contacts: 4000 } },
    });
    connection = await NativeConnection.connect({ address: s.config.temporal.address! });
    // Slow enough to stop it midway: about 40 pages at 100 ms each.
    await fetch(`${s.sim.url}/_sim/latency`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v2/contacts', ms: 100 }),
    });
  });

  afterAll(async () => {
    await connection?.close();
    await s?.close();
  });

  async function startWorker(shutdownGraceTime: number) {
    const worker = await Worker.create({
      connection,
      namespace: s.config.temporal.namespace,
      taskQueue: s.config.temporal.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        db: s.tdb.db,
        log: pino({ level: 'silent' }),
        dialpad: s.dialpad,
        callTaskQueue: s.config.temporal.taskQueue,
      }),
      shutdownGraceTime,
    });
    const running = worker.run();
    return {
      stop: async () => {
        worker.shutdown();
        await running;
      },
    };
  }

  const state = () => s.tdb.db('dialpad_contact_sync_state').where({ account_id: s.accountId }).first();

  it('continues from the last applied page', async () => {
    const first = await startWorker(0);
    const handle = await s.temporal.client.workflow.start(contactSyncWorkflow, {
      taskQueue: s.config.temporal.taskQueue,
      workflowId: uniqueId(`test-contact-sync-${s.accountId}`),
      // One activity for the whole pass, so the stop lands inside it.
      args: [{ accountId: s.accountId, pagesPerActivity: 10_000 }],
    });
    const deadline = Date.now() + 60_000;
    while (((await state())?.pages_done ?? 0) < 10) {
      if (Date.now() > deadline) throw new Error('the import did not get going');
      await new Promise((r) => setTimeout(r, 50));
    }
    await first.stop();
    const atStop = await state();
    const stoppedAt = lastSeq(s);
    const total = 1 + (atStop.owner_ids as string[]).length;
    expect(atStop.source_index).toBeLessThan(total); // really halfway
    const checkpointKey = `${atStop.source_index === 0 ? '' : (atStop.owner_ids as string[])[atStop.source_index - 1]}|${atStop.cursor ?? ''}`;

    const second = await startWorker(20_000);
    try {
      const result = await handle.result();
      expect(result.phase).toBe('done');
      const expected = officeContacts(s);
      expect(result.import?.counts).toMatchObject({ created: expected.length });
      expect(await s.tdb.db('contacts').where({ account_id: s.accountId }).count('* as n').first()).toEqual({
        n: expected.length,
      });
    } finally {
      await second.stop();
    }

    const lists = requests(s, { method: 'GET', path: '/api/v2/contacts' }).filter((r) => r.status === 200);
    const before = lists.filter((r) => r.seq <= stoppedAt).map(pageKey);
    const after = lists.filter((r) => r.seq > stoppedAt).map(pageKey);
    // The new worker starts at the checkpoint (its first requests; pages read ahead may overtake it).
    expect(after.slice(0, IMPORT_READ_AHEAD + 1)).toContain(checkpointKey);
    expect(after).not.toContain('|');
    // At most the pages in flight at the stop (being applied, or read ahead) are fetched again;
    // every page applied before the stop is not.
    const again = after.filter((k) => before.includes(k));
    expect(again.length).toBeLessThanOrEqual(IMPORT_READ_AHEAD + 2);
    expect(before.length - again.length).toBe(atStop.pages_done);
    expect(new Set(after).size).toBe(after.length);
  });
});
