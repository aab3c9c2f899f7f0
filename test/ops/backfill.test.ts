import { generateConversations, type Conversation } from '../../tools/simulator/calls';
import { callRecords } from '../../tools/simulator/emitter';
import { backfillStatus, startBackfill, watchBackfill, type BackfillStatus } from '../../src/ops';
import { backfillProgressQuery } from '../../workflows';
import {
  createAccount,
  emitAndSettle,
  runsOf,
  SECRET,
  startOpsStack,
  TEST_ACTOR,
  waitFor,
  type OpsStack,
} from './support';
import { callWorkflowId } from '../../workflows/shared/ids';
import { taskQueuesOf } from '../../workflows/shared/task-queues';
import type { CallWorkflowInput } from '../../workflows/shared/types';

/**
 * Backfill through the real stack: some calls reached us by webhook, others only exist in
 * Dialpad's call list (history, or an outage). A backfill over a window covering both creates
 * exactly the missing calls and leaves the delivered ones (and their workflows) alone.
 */
const KINDS = ['inbound_answered', 'inbound_missed', 'outbound', 'callcenter', 'transfer'] as const;

describe('backfill', () => {
  let s: OpsStack;
  let office: string;
  let accountId: string;

  beforeAll(async () => {
    s = await startOpsStack({
      sim: { seed: 'ops-backfill', size: { offices: 1, departments: 2, callCenters: 1, users: 12, contacts: 20 } },
    });
    office = s.sim.state.company.offices[0]!.id;
    accountId = await createAccount(s, 'Backfilled Ltd', office);
  });

  afterAll(async () => {
    await s?.close();
  });

  /** Conversations Dialpad holds but never delivered: placed 50–40 minutes ago, in its call list only. */
  function placeUndelivered(n: number, seed: string): Conversation[] {
    const start = Date.now() - 50 * 60_000;
    const conversations = generateConversations(
      { company: s.sim.state.company, seed, aiOfficeIds: new Set(), kinds: KINDS, placeAt: (i) => start + i * 60_000 },
      n,
    );
    s.sim.state.registerCalls(callRecords(conversations, () => 0));
    return conversations;
  }

  const callCount = async () => Number((await s.tdb.db('calls').count<{ count: string }[]>('* as count'))[0]!.count);

  it('over a window overlapping webhook-delivered calls, creates only the missing calls', async () => {
    const delivered = await emitAndSettle(s, {
      seed: 'backfill-delivered',
      calls: 3,
      kinds: [...KINDS],
      target: { url: s.hookUrl, secret: SECRET },
    });
    expect(delivered.summary.givenUp).toBe(0);
    expect(await callCount()).toBe(3);
    const deliveredRows = await s.tdb
      .db('calls')
      .orderBy('dialpad_call_id')
      .select('id', 'dialpad_call_id', 'updated_at', 'status');
    const deliveredLegs = delivered.conversations.flatMap((c) => c.legs.map((l) => l.call_id));

    const missing = placeUndelivered(4, 'backfill-missing');
    const missingLegs = missing.flatMap((c) => c.legs.map((l) => l.call_id));

    // 2 h 10 min back: five 30-minute windows whatever the milliseconds between here and the start's own
    // "now" (a range of exactly 2 h made four, CI 2026-12-06).
    const from = new Date(Date.now() - 2 * 3_600_000 - 10 * 60_000);
    const to = new Date(Date.now() + 60_000);
    // The live Ai window, as the CLI passes it: calls over 40 minutes ago do not wait it out.
    const started = await startBackfill(
      s.temporal.client,
      s.tdb.db,
      { accountId, from, to, windowMinutes: 30 },
      { taskQueue: s.config.temporal.taskQueue, aiWaitSeconds: 900 },
      TEST_ACTOR,
    );
    expect(started).toMatchObject({ accountId, officeId: office, started: true });
    expect(started.workflowId).toMatch(new RegExp(`^dialpad-backfill-${accountId}-\\d{8}T\\d{6}Z-\\d{8}T\\d{6}Z$`));

    const seen: BackfillStatus[] = [];
    const final = await watchBackfill(s.temporal.client, started.workflowId, (p) => seen.push(p), { intervalMs: 200 });
    expect(final.status).toBe('COMPLETED');
    expect(final.progress).toMatchObject({
      finished: true,
      windowsTotal: 5, // 2 h 10 min, capped at now, in 30-minute windows
      windowsDone: 5,
      listed: deliveredLegs.length + missingLegs.length,
      alreadyPresent: deliveredLegs.length,
      imported: missingLegs.length,
      invalid: 0,
    });
    expect(seen.some((p) => p.progress !== null)).toBe(true);

    // The imported legs' call workflows run to their end; then every conversation is one row.
    for (const leg of missingLegs) await s.temporal.client.workflow.getHandle(callWorkflowId(leg)).result();
    // Behind the live calls: the backfill on the sync queue, it and the call runs it started (on
    // the live calls' queue, ids unchanged) at background priority, and those runs wait no Ai window.
    const queues = taskQueuesOf(s.config.temporal.taskQueue);
    const backfillRun = await s.temporal.client.workflow.getHandle(started.workflowId).describe();
    expect(backfillRun).toMatchObject({ taskQueue: queues.sync, priority: { priorityKey: 5 } });
    for (const leg of missingLegs) {
      const run = s.temporal.client.workflow.getHandle(callWorkflowId(leg));
      expect(await run.describe()).toMatchObject({ taskQueue: queues.calls, priority: { priorityKey: 5 } });
      const start = (await run.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
      const input = JSON.parse(Buffer.from(start.input!.payloads![0]!.data!).toString('utf8')) as CallWorkflowInput;
      expect(input.aiWaitSeconds).toBe(0);
    }
    expect(await callCount()).toBe(3 + 4);
    for (const c of missing) {
      const row = await s.tdb.db('calls').where({ dialpad_call_id: c.expected.key }).first();
      expect(row).toMatchObject({
        account_id: accountId,
        source: 'dialpad',
        status: c.expected.status,
        direction: c.expected.direction,
      });
      expect(row.external_number).toBe(c.expected.externalNumber);
    }
    // The delivered calls are untouched, their workflows not started again.
    expect(
      await s.tdb
        .db('calls')
        .whereIn(
          'id',
          deliveredRows.map((r) => r.id),
        )
        .orderBy('dialpad_call_id')
        .select('id', 'dialpad_call_id', 'updated_at', 'status'),
    ).toEqual(deliveredRows);
    for (const leg of deliveredLegs) expect(await runsOf(s, callWorkflowId(leg))).toBe(1);

    // The run is findable by account in the Temporal UI, with its progress in the memo.
    const desc = await s.temporal.client.workflow.getHandle(started.workflowId).describe();
    expect(desc.searchAttributes.NavigatorAccountId).toEqual([accountId]);
    expect(desc.memo).toMatchObject({
      progress: `done: ${deliveredLegs.length + missingLegs.length} legs listed, ${missingLegs.length} imported, ${deliveredLegs.length} already present`,
    });
    expect((await s.tdb.db('admin_audit_log').where({ action: 'start_backfill' })).length).toBe(1);

    // Running it again imports nothing.
    const again = await startBackfill(
      s.temporal.client,
      s.tdb.db,
      { accountId, from, to, windowMinutes: 30 },
      { taskQueue: s.config.temporal.taskQueue, aiWaitSeconds: 1 },
      TEST_ACTOR,
    );
    const second = await watchBackfill(s.temporal.client, again.workflowId, () => undefined, { intervalMs: 200 });
    expect(second.progress).toMatchObject({ imported: 0, alreadyPresent: deliveredLegs.length + missingLegs.length });
    expect(await callCount()).toBe(7);
  });

  it('asking for a running backfill again attaches to it; the progress query answers while it runs', async () => {
    // A slow Dialpad keeps the first window open long enough to look at it.
    await fetch(`${s.sim.url}/_sim/latency`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/api/v2/call', ms: 1500 }),
    });
    try {
      const req = { accountId, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() - 1_800_000) };
      const settings = { taskQueue: s.config.temporal.taskQueue, aiWaitSeconds: 1 };
      const first = await startBackfill(s.temporal.client, s.tdb.db, req, settings, TEST_ACTOR);
      const second = await startBackfill(s.temporal.client, s.tdb.db, req, settings, TEST_ACTOR);
      expect(second).toMatchObject({ workflowId: first.workflowId, runId: first.runId, started: false });
      const running = await waitFor(async () => {
        const p = await s.temporal.client.workflow.getHandle(first.workflowId).query(backfillProgressQuery);
        return p.windowsTotal > 0 ? p : undefined;
      });
      expect(running).toMatchObject({ accountId, finished: false, windowsTotal: 1 });
      const done = await watchBackfill(s.temporal.client, first.workflowId, () => undefined, { intervalMs: 200 });
      expect(done.status).toBe('COMPLETED');
      expect((await backfillStatus(s.temporal.client, first.workflowId)).summary).toMatch(/^done:/);
    } finally {
      await fetch(`${s.sim.url}/_sim/latency`, { method: 'DELETE' });
    }
  });

  it('a voicemail only in the call list is imported as a voicemail (REST shows it by share link and recording type)', async () => {
    // Dialpad's REST CallProto has no voicemail_link: the simulator, like the spec, gives
    // voicemail_share_link and a recording_details entry of type voicemail.
    const start = Date.now() - 20 * 60_000;
    const voicemails = generateConversations(
      {
        company: s.sim.state.company,
        seed: 'backfill-voicemails',
        aiOfficeIds: new Set(),
        kinds: ['voicemail'],
        placeAt: (i) => start + i * 60_000,
      },
      2,
    );
    // Voicemail transcription off: nothing but the REST voicemail fields says it was a voicemail.
    for (const c of voicemails) for (const l of c.legs) l.transcription_text = null;
    s.sim.state.registerCalls(callRecords(voicemails, () => 0));
    const legs = voicemails.flatMap((c) => c.legs.map((l) => l.call_id));
    const listed = (await (
      await fetch(`${s.sim.url}/api/v2/call/${legs[0]}`, { headers: { authorization: 'Bearer k' } })
    ).json()) as Record<string, unknown>;
    expect(listed).not.toHaveProperty('voicemail_link');
    expect(listed.voicemail_share_link).toMatch(/^https:/);

    const started = await startBackfill(
      s.temporal.client,
      s.tdb.db,
      // Only these calls' minutes: the earlier tests' calls are outside.
      { accountId, from: new Date(start - 1000), to: new Date(start + 5 * 60_000) },
      { taskQueue: s.config.temporal.taskQueue, aiWaitSeconds: 1 },
      TEST_ACTOR,
    );
    const final = await watchBackfill(s.temporal.client, started.workflowId, () => undefined, { intervalMs: 200 });
    expect(final.status).toBe('COMPLETED');
    expect(final.progress).toMatchObject({ imported: legs.length, invalid: 0 });
    for (const leg of legs) await s.temporal.client.workflow.getHandle(callWorkflowId(leg)).result();
    for (const c of voicemails) {
      const row = await s.tdb.db('calls').where({ dialpad_call_id: c.expected.key }).first();
      expect(row).toMatchObject({ account_id: accountId, status: 'voicemail', direction: 'inbound' });
    }
  });

  it('refuses an account without an office, and a range that ends before it starts', async () => {
    const none = await createAccount(s, 'No office', null);
    const settings = { taskQueue: s.config.temporal.taskQueue, aiWaitSeconds: 1 };
    await expect(
      startBackfill(
        s.temporal.client,
        s.tdb.db,
        { accountId: none, from: new Date(Date.now() - 60_000), to: new Date() },
        settings,
        TEST_ACTOR,
      ),
    ).rejects.toThrow(/no Dialpad office ID/);
    await expect(
      startBackfill(
        s.temporal.client,
        s.tdb.db,
        { accountId, from: new Date(), to: new Date(Date.now() - 60_000) },
        settings,
        TEST_ACTOR,
      ),
    ).rejects.toThrow(/before/);
  });
});
