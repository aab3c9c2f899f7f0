import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createWorkerMetrics, type WorkerMetrics } from '../../src/telemetry/metrics';
import type { CallWorkflowState } from '../../workflows';
import { callWorkflowId } from '../../workflows/shared/ids';
import { sampleValue } from '../ops/prometheus-text';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { callCentreCall, OFFICE_ID, shuffledWithDuplicates, toDialpadEvent } from '../support/legs';
import { signEvent } from '../support/signing';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { createCustomer } from './support';

/**
 * Issue 17 through the real stack: a call-centre call ringing ten operators is eleven legs, each
 * with its own call run, and each run matches the conversation when its leg ends. The records are
 * looked up once for the whole conversation; the worker's metrics say so.
 */
const SECRET = 'match-once-e2e-secret-0123456789abcdef';
const CALLER = '+14155550310';

describe('a conversation of many legs is matched once, through the real stack', () => {
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let metrics: WorkerMetrics;
  let account: string;
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 20 });
    config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET, CALL_AI_WAIT_SECONDS: '1' });
    temporal = createTemporalClient(config.temporal);
    app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    // Two workers on one task queue, one registry (as one worker process would show them): the
    // legs' runs are processed concurrently.
    metrics = createWorkerMetrics();
    for (let i = 0; i < 2; i++)
      workers.push(await startTestWorker(config, tdb.db, undefined, undefined, undefined, metrics));
    const [row] = await tdb
      .db('accounts')
      .insert({ name: 'Call centre', dialpad_office_id: OFFICE_ID })
      .returning('id');
    account = (row as { id: string }).id;
  });

  afterAll(async () => {
    await app?.close();
    for (const w of workers) await w.stop();
    await temporal?.close();
    await tdb?.drop();
  });

  /** `dialpad_conversation_matches_total{result}` as the worker's /metrics serves it. */
  const matches = async (result: 'matched' | 'unchanged') =>
    sampleValue(await metrics.registry.metrics(), 'dialpad_conversation_matches_total', { result }) ?? 0;

  it("a call-centre call ringing ten operators, from a customer's number, is linked to the customer with one lookup", async () => {
    const customer = await createCustomer(tdb.db, account, 'Call Centre Customer', '(415) 555-0310');
    const scenario = callCentreCall(Date.now() - 300_000, { operators: 10, externalNumber: CALLER });
    expect(scenario.legIds).toHaveLength(11);
    const before = { matched: await matches('matched'), unchanged: await matches('unchanged') };

    const bodies = await Promise.all(
      shuffledWithDuplicates(scenario.events, 17).map((e) => signEvent(toDialpadEvent(e), SECRET)),
    );
    const answers = await Promise.all(
      bodies.map((payload) =>
        app.inject({
          method: 'POST',
          url: '/webhooks/dialpad',
          payload,
          headers: { 'content-type': 'application/jwt' },
        }),
      ),
    );
    for (const a of answers) expect(a.statusCode).toBe(200);
    const states: CallWorkflowState[] = await Promise.all(
      scenario.legIds.map((id) => temporal.client.workflow.getHandle(callWorkflowId(id)).result()),
    );

    // One conversation, linked to the customer; every leg's run saw it linked.
    const rowIds = new Set(states.map((s) => s.callRowId));
    expect(rowIds.size).toBe(1);
    const call = await tdb.db('calls').where({ id: states[0]!.callRowId! }).first();
    expect(call).toMatchObject({
      status: 'answered',
      external_number: CALLER,
      linked_entity_type: 'customer',
      linked_entity_id: customer,
      link_method: 'auto',
      match_outcome: 'linked',
    });
    expect(states.map((s) => s.match)).toEqual(scenario.legIds.map(() => 'linked'));
    const history = await tdb.db('communications').where({ entity_type: 'customer', entity_id: customer });
    expect(history.map((h: { call_id: string; summary: string }) => [h.call_id, h.summary])).toEqual([
      [call.id, 'Inbound call: answered, 3m 11s'],
    ]);

    // Matched once; every other run's ask (each leg's end, and a run's end after new events)
    // reused it.
    expect((await matches('matched')) - before.matched).toBe(1);
    expect((await matches('unchanged')) - before.unchanged).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
