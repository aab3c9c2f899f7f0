import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import {
  deleteSyncSchedules,
  reconcileSyncSchedules,
  syncScheduleHandle,
  syncScheduleId,
  triggerSync,
} from '../../src/schedules';
import { SYNC_KINDS, SYNC_WORKFLOW_TYPES, type SyncKind } from '../../src/sync/types';
import { DialpadOfficeId, NavigatorAccountId } from '../../workflows/shared/search-attributes';
import { taskQueuesOf } from '../../workflows/shared/task-queues';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import * as workflows from '../../workflows';
import { waitFor as waitUntil } from '../support/wait';
import { startSyncStack, type SyncStack } from './support';

const ADMIN = 'admin-token-sync-0123456789abcdef';
const API = 'api-token-sync-0123456789abcdefgh';

/**
 * The per-account schedules, through the admin API and a real Temporal server: created (and run at
 * once) when an office is linked, updated when it changes, triggered on demand, removed when the
 * office is cleared. The worker is real, so the first runs really sync from the simulator.
 */
describe('sync schedules', () => {
  let s: SyncStack;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  const accounts: string[] = [];

  beforeAll(async () => {
    s = await startSyncStack({
      sim: { seed: 'sync-schedules', size: { offices: 5, departments: 5, callCenters: 5, users: 15, contacts: 40 } },
      env: { ADMIN_TOKEN: ADMIN, API_TOKEN: API },
    });
    temporal = createTemporalClient(s.config.temporal);
    app = await buildApp({ config: s.config, db: s.tdb.db, temporal, relay: { disabled: true } });
  });

  afterAll(async () => {
    for (const id of accounts) await deleteSyncSchedules(s.temporal.client, id).catch(() => undefined);
    await app?.close();
    await temporal?.close();
    await s?.close();
  });

  async function newAccount(name: string): Promise<string> {
    const [row] = await s.tdb.db('accounts').insert({ name }).returning('id');
    const id = (row as { id: string }).id;
    accounts.push(id);
    return id;
  }
  const admin = { authorization: `Bearer ${ADMIN}` };
  const setOffice = (accountId: string, officeId: string) =>
    app.inject({
      method: 'PUT',
      url: `/api/accounts/${accountId}/dialpad-office`,
      headers: admin,
      payload: { officeId },
    });
  const describe_ = (kind: SyncKind, accountId: string) =>
    syncScheduleHandle(s.temporal.client, accountId, kind).describe();
  // The tests' waitFor, with the description first as these calls read best.
  const waitFor = <T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs?: number) =>
    waitUntil(fn, timeoutMs, what);

  it('linking an office creates both schedules, which sync the account at once', async () => {
    const accountId = await newAccount('Linked through the API');
    const officeId = s.sim.state.company.offices[1]!.id;
    const res = await setOffice(accountId, officeId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ officeId, syncSchedules: { directory: 'created', contacts: 'created' } });

    for (const kind of SYNC_KINDS) {
      const d = await describe_(kind, accountId);
      expect(d.scheduleId).toBe(
        kind === 'directory' ? `dialpad-directory-sync-${accountId}` : `dialpad-contact-sync-${accountId}`,
      );
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: SYNC_WORKFLOW_TYPES[kind],
        // The sync queue, named from TEMPORAL_TASK_QUEUE: the live calls' queue is not theirs.
        taskQueue: taskQueuesOf(s.config.temporal.taskQueue).sync,
        workflowId: syncScheduleId(kind, accountId),
        args: [{ accountId }],
      });
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.spec.intervals?.[0]?.every).toBe(kind === 'directory' ? 6 * 3600_000 : 15 * 60_000);
      expect(d.memo).toMatchObject({ accountId, kind });
      expect(d.state).toMatchObject({ paused: false, note: expect.stringContaining(officeId) });
      expect(d.typedSearchAttributes.get(NavigatorAccountId)).toBe(accountId);
      expect(d.typedSearchAttributes.get(DialpadOfficeId)).toBe(officeId);
    }
    // The schedules name workflows the worker has.
    for (const kind of SYNC_KINDS)
      expect(typeof (workflows as Record<string, unknown>)[SYNC_WORKFLOW_TYPES[kind]]).toBe('function');

    // The first runs happen now, not in 6 hours: the office's directory and contacts arrive.
    await waitFor('the first directory sync', () =>
      s.tdb.db('dialpad_offices').where({ id: officeId, active: true }).first(),
    );
    await waitFor('the first contact sync', async () => {
      const state = await s.tdb.db('dialpad_contact_sync_state').where({ account_id: accountId }).first();
      return state?.last_pass_completed_at;
    });
    const contacts = await s.tdb.db('contacts').where({ account_id: accountId }).count('* as n').first();
    expect(Number(contacts?.n)).toBeGreaterThan(0);
    const run = (await describe_('contacts', accountId)).info.recentActions[0]!;
    expect(run.action.workflow.workflowId.startsWith(`dialpad-contact-sync-${accountId}-`)).toBe(true);
    const runInfo = await s.temporal.client.workflow.getHandle(run.action.workflow.workflowId).describe();
    expect(runInfo.typedSearchAttributes.get(NavigatorAccountId)).toBe(accountId);
  });

  it('changing the office updates the schedules, keeps a pause, and syncs the new office now', async () => {
    const accountId = await newAccount('Moving office');
    const [first, second] = [s.sim.state.company.offices[2]!.id, s.sim.state.company.offices[3]!.id];
    expect((await setOffice(accountId, first)).statusCode).toBe(200);
    await syncScheduleHandle(s.temporal.client, accountId, 'contacts').pause('paused by an operator');
    const taken = (await describe_('directory', accountId)).info.numActionsTaken;

    // The same office again changes nothing and starts nothing.
    const same = await setOffice(accountId, first);
    expect(same.json()).toMatchObject({ syncSchedules: { directory: 'updated', contacts: 'updated' } });
    expect((await describe_('directory', accountId)).info.numActionsTaken).toBe(taken);

    const moved = await setOffice(accountId, second);
    expect(moved.json()).toMatchObject({
      previousOfficeId: first,
      syncSchedules: { directory: 'updated', contacts: 'updated' },
    });
    const directory = await describe_('directory', accountId);
    expect(directory.state.note).toContain(second);
    expect(directory.typedSearchAttributes.get(DialpadOfficeId)).toBe(second);
    // A run of its own, or (the first office's run still going) one more pass of that run.
    await waitFor('the new office synced', () => s.tdb.db('dialpad_offices').where({ id: second }).first());
    const contacts = await describe_('contacts', accountId);
    expect(contacts.state.paused).toBe(true);
    expect(contacts.state.note).toContain(second);
  });

  it('a sync can be triggered through the API (administrators only) and from code', async () => {
    const accountId = await newAccount('On demand');
    const noOffice = await app.inject({
      method: 'POST',
      url: `/api/accounts/${accountId}/sync/directory`,
      headers: admin,
    });
    expect(noOffice.statusCode).toBe(409);
    // Linked behind the API's back (as the dev stack does), so without schedules: triggering creates them.
    await s.tdb
      .db('accounts')
      .where({ id: accountId })
      .update({ dialpad_office_id: s.sim.state.company.offices[4]!.id });

    const forbidden = await app.inject({
      method: 'POST',
      url: `/api/accounts/${accountId}/sync/contacts`,
      headers: { authorization: `Bearer ${API}` },
    });
    expect(forbidden.statusCode).toBe(403);
    const badKind = await app.inject({ method: 'POST', url: `/api/accounts/${accountId}/sync/calls`, headers: admin });
    expect(badKind.statusCode).toBe(400);

    const created = await app.inject({
      method: 'POST',
      url: `/api/accounts/${accountId}/sync/contacts`,
      headers: admin,
    });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ accountId, kind: 'contacts', status: 'triggered' });
    await waitFor('the triggered run', async () => (await describe_('contacts', accountId)).info.numActionsTaken >= 1);

    // The directory schedule was created (and run once) with the contacts one: let that run end, so
    // this trigger starts a run of its own rather than a second pass of that one.
    const idle = (kind: SyncKind) =>
      waitFor(`no ${kind} run going`, async () => {
        const d = await describe_(kind, accountId);
        return d.info.numActionsTaken >= 1 && d.info.runningActions.length === 0 ? d : undefined;
      });
    const before = (await idle('directory')).info.numActionsTaken;
    const again = await app.inject({
      method: 'POST',
      url: `/api/accounts/${accountId}/sync/directory`,
      headers: admin,
    });
    expect(again.statusCode).toBe(202);
    await waitFor('another run', async () => (await describe_('directory', accountId)).info.numActionsTaken > before);

    // Triggered three times while a slow run is going: the first starts a run, the other two ask
    // it for one more pass, which follows it as a new run of the same workflow (continue-as-new):
    // one action for the schedule, two passes, never two beside each other.
    await fetch(`${s.sim.url}/_sim/latency`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      // Long enough that both later triggers reach the first pass even when the schedule's description
      // lags on a loaded machine (at 3 s the third trigger once reached the second pass: three runs).
      body: JSON.stringify({ path: '/api/v2/users', ms: 8000 }),
    });
    const fromCode = (await idle('directory')).info.numActionsTaken;
    expect(await triggerSync(s.temporal.client, accountId, 'directory')).toBe('started');
    const running = await waitFor(
      'the triggered run',
      async () => (await describe_('directory', accountId)).info.runningActions[0],
    );
    expect(await triggerSync(s.temporal.client, accountId, 'directory')).toBe('after_running_sync');
    expect(await triggerSync(s.temporal.client, accountId, 'directory')).toBe('after_running_sync');
    const chain = s.temporal.client.workflow.getHandle(running.workflow.workflowId);
    await chain.result();
    await fetch(`${s.sim.url}/_sim/latency`, { method: 'DELETE' });
    const runs = await waitFor('both passes listed', async () => {
      const found = [];
      for await (const r of s.temporal.client.workflow.list({ query: `WorkflowId = '${running.workflow.workflowId}'` }))
        found.push(r);
      return found.length >= 2 && found.every((r) => r.closeTime) ? found : undefined;
    });
    expect(runs).toHaveLength(2);
    runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    expect(runs.map((r) => r.status.name)).toEqual(['CONTINUED_AS_NEW', 'COMPLETED']);
    expect(runs[1]!.startTime.getTime()).toBeGreaterThanOrEqual(runs[0]!.closeTime!.getTime());
    const after = await idle('directory');
    expect(after.info.numActionsTaken).toBe(fromCode + 1);
    // Nothing is going: a trigger starts a run again.
    expect(await triggerSync(s.temporal.client, accountId, 'directory')).toBe('started');
    await waitFor(
      'the next run',
      async () => (await describe_('directory', accountId)).info.numActionsTaken > fromCode + 1,
    );
    const audit = await s.tdb.db('admin_audit_log').where({ account_id: accountId }).orderBy('id');
    expect(audit.map((a) => a.action)).toEqual(['trigger_contacts_sync', 'trigger_directory_sync']);
  }, 240_000);

  it('clearing the office removes both schedules', async () => {
    const accountId = accounts.at(-1)!;
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/accounts/${accountId}/dialpad-office`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ officeId: null, syncSchedules: { directory: 'deleted', contacts: 'deleted' } });
    for (const kind of SYNC_KINDS)
      await expect(describe_(kind, accountId)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await expect(triggerSync(s.temporal.client, accountId, 'contacts')).rejects.toBeInstanceOf(ScheduleNotFoundError);
    // Clearing again is fine.
    const again = await app.inject({
      method: 'DELETE',
      url: `/api/accounts/${accountId}/dialpad-office`,
      headers: admin,
    });
    expect(again.json()).toMatchObject({ syncSchedules: { directory: 'absent', contacts: 'absent' } });
  });

  it('reconciling creates the schedules of accounts linked outside the API and removes the others', async () => {
    const linked = await newAccount('Linked by a direct insert');
    await s.tdb.db('accounts').whereNot({ id: linked }).update({ dialpad_office_id: null });
    await s.tdb.db('accounts').where({ id: linked }).update({ dialpad_office_id: s.sim.state.company.offices[1]!.id });
    const unlinked = accounts[0]!; // had schedules from the first test, office now cleared in the table

    const result = await reconcileSyncSchedules(s.temporal.client, s.tdb.db, s.config.temporal.taskQueue);
    expect(result.ensured).toBe(1);
    for (const kind of SYNC_KINDS) {
      expect((await describe_(kind, linked)).action.args).toEqual([{ accountId: linked }]);
      await expect(describe_(kind, unlinked)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    }
  });
});
