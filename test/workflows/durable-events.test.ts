import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createKnex, migrateLatest } from '../../src/db/knex';
import { freePort } from '../../tools/lib/processes';
import { sweepFailedCallRuns } from '../../src/calls/run-sweep';
import { callWorkflowId } from '../../workflows/shared/ids';
import { callStateQuery } from '../../workflows';
import { listDeadLetters, replayDeliveries, runDoctor } from '../../src/ops';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { startStoppablePostgres, type StoppablePostgres } from '../support/postgres-process';
import { example, signEvent } from '../support/signing';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * A call run never loses an event: Postgres stopped for longer than the (shortened) retry budget
 * while events arrive, and one event Postgres refuses for as long as its cause lasts. This file runs
 * its own Postgres so it can stop it without disturbing other test files.
 */
const SECRET = 'durable-events-secret-0123456789abcdef';
const OFFICE = '5527348325810176';
const BUDGET_SECONDS = 2;
const TEST_ACTOR = { actor: 'test', sourceAddress: null };

let seq = 0;
const freshCallId = () => 6621977457100000 + Math.floor(Math.random() * 50_000) * 10 + ++seq;

describe('call runs during a Postgres outage and with a poison event', () => {
  let dir: string;
  let pgServer: StoppablePostgres;
  let db: Knex;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let worker: RunningWorker;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'navigator-durable-'));
    chmodSync(dir, 0o755); // Postgres runs as its own user when we are root
    pgServer = await startStoppablePostgres(join(dir, 'pg'), await freePort());
    const admin = createKnex(pgServer.url, { max: 1 });
    await admin.raw('create database navigator');
    await admin.destroy();
    const url = pgServer.urlFor('navigator');
    db = createKnex(url, { max: 10 });
    await migrateLatest(db);
    config = testConfig(url, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      CALL_AI_WAIT_SECONDS: '1',
      CALL_DB_RETRY_BUDGET_SECONDS: String(BUDGET_SECONDS),
    });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db, temporal, relay: { disabled: true } });
    worker = await startTestWorker(config, db);
    await db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await temporal?.close();
    await db?.destroy();
    await pgServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (event: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/webhooks/dialpad', payload: await signEvent(event, SECRET) });
  const statusOf = async (callId: number) =>
    (await temporal.client.workflow.getHandle(callWorkflowId(String(callId))).describe()).status.name;

  it('Postgres down for 10× the retry budget: every event reaches its row, no run fails', async () => {
    const answered = freshCallId();
    const missed = freshCallId();
    // The first event of each call arrives while Postgres is up…
    expect((await post(example('missed-inbound', { call_id: missed, state: 'ringing' }))).statusCode).toBe(200);
    const connected = example('hangup-answered-inbound', { call_id: answered, state: 'connected' });
    expect((await post(connected)).statusCode).toBe(200);

    await pgServer.stop();
    const downAt = Date.now();
    // …the final ones while it is down: the ingress cannot record them and hands them to Temporal.
    const during = [
      example('hangup-answered-inbound', { call_id: answered }),
      example('missed-inbound', { call_id: missed }),
    ];
    for (const e of during) {
      const res = await post(e);
      expect(res.statusCode).toBe(200);
    }
    // States not acted on, many at once, do not hold up the answers (they wait off the request's
    // path for Postgres to return).
    const ringing = Array.from({ length: 40 }, (_, i) =>
      example('missed-inbound', { call_id: missed, state: 'ringing', event_timestamp: 1764241000000 + i }),
    );
    const answeredAt = Date.now();
    const answers = await Promise.all(ringing.map(post));
    expect(answers.map((a) => a.statusCode)).toEqual(ringing.map(() => 200));
    expect(Date.now() - answeredAt).toBeLessThan(5_000); // Dialpad's timeout: nothing waited for Postgres
    // Their runs try, exhaust the budget, and wait on durable timers; none fails.
    await new Promise((r) => setTimeout(r, BUDGET_SECONDS * 10 * 1000));
    expect(await statusOf(answered)).toBe('RUNNING');
    expect(await statusOf(missed)).toBe('RUNNING');
    await pgServer.start();
    const outageMs = Date.now() - downAt;
    expect(outageMs).toBeGreaterThan(BUDGET_SECONDS * 10 * 1000);

    const rows = await waitFor(
      async () => {
        const r = await db('calls').whereIn('dialpad_call_id', [String(answered), String(missed)]);
        return r.length === 2 && r.every((c) => c.status !== 'in_progress') ? r : undefined;
      },
      90_000,
      'both calls recorded after the outage',
    );
    expect(Object.fromEntries(rows.map((r) => [r.dialpad_call_id, r.status]))).toEqual({
      [String(answered)]: 'answered',
      [String(missed)]: 'missed',
    });
    // Recorded by the runs, with the claims they carried.
    const recorded = await db('dialpad_webhook_deliveries')
      .whereIn('call_id', [String(answered), String(missed)])
      .andWhere({ state: 'hangup' })
      .orWhere((q) => q.where({ call_id: String(missed), state: 'missed' }));
    expect(recorded).toHaveLength(2);
    expect(recorded.every((d) => d.claims !== null && d.signal_status === 'signalled')).toBe(true);
    for (const id of [answered, missed]) {
      const status = await waitFor(
        async () => {
          const s = await statusOf(id);
          return s === 'RUNNING' ? undefined : s;
        },
        60_000,
        `the run of ${id} to close`,
      );
      expect(status).toBe('COMPLETED');
    }
    // An outage is waited out, never taken for a poison event.
    expect(await listDeadLetters(db)).toEqual([]);
    // The states not acted on were kept once Postgres was back.
    await waitFor(
      async () =>
        Number(
          (
            await db('dialpad_webhook_deliveries')
              .where({ call_id: String(missed), state: 'ringing' })
              .count('* as n')
          )[0]!.n,
        ) === 41, // and the one sent before the outage
      60_000,
      'the ringing deliveries written after the outage',
    );
  }, 240_000);

  it('a poison event is a dead letter, the run goes on, and replay applies it once the cause is removed', async () => {
    const callId = freshCallId();
    // A cause outside the event (a schema change, a bad trigger) that makes Postgres refuse this leg.
    await db.raw(`
      create function test_refuse_leg() returns trigger language plpgsql as $$
      begin
        if new.call_id = '${callId}' and new.state = 'hangup' then
          raise exception 'refused for the test' using errcode = '23514';
        end if;
        return new;
      end $$;
      create trigger test_refuse_leg before insert or update on dialpad_call_legs
        for each row execute function test_refuse_leg();
    `);
    try {
      expect((await post(example('missed-inbound', { call_id: callId, state: 'hangup' }))).statusCode).toBe(200);
      expect((await post(example('missed-inbound', { call_id: callId }))).statusCode).toBe(200);

      const dead = await waitFor(
        async () => (await listDeadLetters(db)).find((d) => d.callId === String(callId)),
        60_000,
        'the dead letter',
      );
      expect(dead).toMatchObject({ state: 'hangup', attempts: 1 });
      expect(dead.error).toContain('SQLSTATE 23514');
      // The run applied the other event and ended; it did not fail.
      const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
      const result = await handle.result();
      expect(result).toMatchObject({ deadLetters: 1, eventsApplied: 1, endReason: 'not_answered' });
      expect((await handle.describe()).status.name).toBe('COMPLETED');

      const report = await runDoctor({ db });
      const check = report.system.find((c) => c.id === 'set_aside');
      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.detail).toContain('1 event(s) a call run could not apply');
    } finally {
      await db.raw(
        'drop trigger if exists test_refuse_leg on dialpad_call_legs; drop function if exists test_refuse_leg()',
      );
    }

    const r = await replayDeliveries(db, { deadLetters: true }, TEST_ACTOR);
    expect(r).toMatchObject({ selected: 1, deadLetters: 1, requeued: 1 });
    expect(await app.deliveryRelay.runOnce()).toBe(1);
    const leg = await waitFor(
      async () =>
        db('dialpad_call_legs')
          .where({ call_id: String(callId), state: 'hangup' })
          .first(),
      30_000,
      'the replayed hangup',
    );
    expect(leg).toBeDefined();
    expect(await listDeadLetters(db)).toEqual([]);
    const delivery = await db('dialpad_webhook_deliveries')
      .where({ call_id: String(callId), state: 'hangup' })
      .first();
    expect(delivery).toMatchObject({ signal_status: 'signalled', replays: 1 });
  }, 180_000);
  it('a run terminated by hand: the sweep requeues its deliveries once, and a fresh run applies them', async () => {
    const callId = freshCallId();
    // An answered call waits for its Ai data (a long window here): terminate it while it waits.
    const long = testConfig(config.databaseUrl!, {
      DIALPAD_WEBHOOK_SECRET: SECRET,
      CALL_AI_WAIT_SECONDS: '600',
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    });
    const longApp = await buildApp({ config: long, db, temporal, relay: { disabled: true } });
    try {
      const res = await longApp.inject({
        method: 'POST',
        url: '/webhooks/dialpad',
        payload: await signEvent(example('hangup-answered-inbound', { call_id: callId }), SECRET),
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await longApp.close();
    }
    const handle = temporal.client.workflow.getHandle(callWorkflowId(String(callId)));
    await waitFor(async () => (await handle.query(callStateQuery)).eventsApplied === 1, 20_000, 'the event applied');
    await db('calls')
      .where({ dialpad_call_id: String(callId) })
      .delete(); // what the run held is gone with it
    await handle.terminate('terminated by an operator');
    const terminatedRunId = (await handle.describe()).runId;

    const swept = await waitFor(
      async () => {
        // Visibility is eventually consistent: the closed run shows up within a moment.
        const r = await sweepFailedCallRuns(db, temporal.client, { sinceMinutes: 10 });
        return r.swept > 0 ? r : undefined;
      },
      30_000,
      'the terminated run in visibility',
    );
    expect(swept.requeued).toBe(1);
    expect(await db('dialpad_call_run_sweeps').where({ run_id: terminatedRunId }).first()).toMatchObject({
      status: 'TERMINATED',
      requeued: 1,
    });
    // Once per run.
    expect((await sweepFailedCallRuns(db, temporal.client, { sinceMinutes: 10 })).requeued).toBe(0);

    expect(await app.deliveryRelay.runOnce()).toBe(1);
    const row = await waitFor(
      async () =>
        db('calls')
          .where({ dialpad_call_id: String(callId), status: 'answered' })
          .first(),
      30_000,
      'the call recorded again by a fresh run',
    );
    expect(row).toBeDefined();
    expect((await handle.describe()).runId).not.toBe(terminatedRunId);
  }, 120_000);
});
