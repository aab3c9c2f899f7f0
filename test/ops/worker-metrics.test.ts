import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { freePort } from '../../src/dev/ports';
import { startSimulatedDialpad, type SimulatedDialpad } from '../../src/simulator';
import { createTemporalClient } from '../../src/temporal/connection';
import { TEMPORAL_SDK_METRICS } from '../../src/temporal/sdk-metrics';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { readRunInfo } from '../support/run-info';
import { example, signEvent } from '../support/signing';
import { temporalClient, testConfig, uniqueTaskQueue } from '../support/temporal';
import { waitFor } from '../support/wait';
import { metricNames, sampleValue } from './prometheus-text';

/**
 * The worker process as production runs it (`node --import tsx src/worker.ts`, its own process:
 * the Temporal runtime is installed once per process), with METRICS_PORT and
 * TEMPORAL_METRICS_PORT: after a call and two directory syncs (one with a 429 on the way, one
 * Dialpad refuses), the SDK's endpoint serves the sticky cache, schedule-to-start and slot figures
 * the dashboard uses, and the worker's own serves the end-to-end latency and Dialpad's answers.
 */
const ROOT = join(__dirname, '..', '..');
const SECRET = randomBytes(32).toString('base64url');

describe('worker process metrics (METRICS_PORT, TEMPORAL_METRICS_PORT)', () => {
  let tdb: TestDatabase;
  let sim: SimulatedDialpad;
  let worker: ChildProcess | undefined;
  let app: FastifyInstance | undefined;
  let temporal: { client: Client; connection: Connection };
  let output = '';
  let metricsPort: number;
  let sdkPort: number;
  let taskQueue: string;
  let accountId: string;
  let officeId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 4 });
    sim = await startSimulatedDialpad({ seed: 'worker-metrics' });
    temporal = await temporalClient();
    officeId = sim.state.company.offices[0]!.id;
    [{ id: accountId }] = await tdb.db('accounts').insert({ name: 'Metrics', dialpad_office_id: officeId }, ['id']);
    [metricsPort, sdkPort] = [await freePort(), await freePort()];
    taskQueue = uniqueTaskQueue('metrics');
    const info = readRunInfo();
    worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: tdb.url,
        TEMPORAL_ADDRESS: info.temporalAddress,
        TEMPORAL_NAMESPACE: info.temporalNamespace,
        TEMPORAL_TASK_QUEUE: taskQueue,
        DIALPAD_API_KEY: 'simulator-key',
        DIALPAD_API_BASE_URL: sim.url,
        DIALPAD_WEBHOOK_SECRET: SECRET,
        API_TOKEN: randomBytes(24).toString('hex'),
        ADMIN_TOKEN: randomBytes(24).toString('hex'),
        HOST: '127.0.0.1',
        METRICS_PORT: String(metricsPort),
        TEMPORAL_METRICS_PORT: String(sdkPort),
        LOG_LEVEL: 'warn',
        // A cache of one run: the calls below take turns in it, so the sticky cache misses too.
        TEMPORAL_MAX_CACHED_WORKFLOWS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    worker.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    // The worker polls once both endpoints answer and the SDK reports its pollers.
    await waitFor(
      async () => {
        if (worker!.exitCode !== null) throw new Error(`worker exited ${worker!.exitCode}:\n${output}`);
        const text = await scrape(sdkPort).catch(() => '');
        return /temporal_num_pollers\{[^}]*poller_type="workflow_task"/.test(text) || undefined;
      },
      120_000,
      'the worker to poll',
    );
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 25_000))]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await temporal?.connection.close();
    await sim?.close();
    await tdb?.drop();
  });

  it('serves the SDK figures and the worker figures after a call and two directory syncs ran', async () => {
    // A call: a signed hangup through a real ingress, folded by the worker.
    const config = testConfig(tdb.url, {
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIALPAD_WEBHOOK_SECRET: SECRET,
      CALL_AI_WAIT_SECONDS: '1',
      CALL_AI_FETCH_ATTEMPTS: '1',
    });
    const handles = createTemporalClient(config.temporal.address!, config.temporal.namespace);
    app = await buildApp({ config, db: tdb.db, temporal: handles });
    app.addHook('onClose', async () => handles.close());
    const callIds = ['7000000000000001', '7000000000000002', '7000000000000003'];
    for (const callId of callIds) {
      const event = example('hangup-answered-inbound', {
        call_id: Number(callId),
        target: { ...(example('hangup-answered-inbound').target as object), office_id: Number(officeId) },
        group_id: `Office:${officeId}`,
      });
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/dialpad',
        payload: await signEvent(event, SECRET),
      });
      expect(res.statusCode).toBe(200);
    }
    await waitFor(
      async () => Number((await tdb.db('calls').count('* as n'))[0]!.n) === callIds.length,
      60_000,
      'the call rows',
    );

    // Directory sync 1: Dialpad answers 429 once (the client waits and retries), then syncs.
    await simFault({ path: `/api/v2/offices/${officeId}`, status: 429, count: 1, headers: { 'retry-after': '0' } });
    const okId = `metrics-directory-ok-${randomBytes(3).toString('hex')}`;
    await temporal.client.workflow.execute('directorySyncWorkflow', {
      taskQueue,
      workflowId: okId,
      args: [{ accountId }],
    });
    // A query on the closed run: the worker no longer holds it, and replays it from its history
    // (the sticky cache's miss).
    await temporal.client.workflow.getHandle(okId).query('directorySyncResult');
    // Directory sync 2: Dialpad refuses (403, not retried): the activity and the workflow fail.
    await simFault({ path: `/api/v2/offices/${officeId}`, status: 403, count: 1 });
    await expect(
      temporal.client.workflow.execute('directorySyncWorkflow', {
        taskQueue,
        workflowId: `metrics-directory-refused-${randomBytes(3).toString('hex')}`,
        args: [{ accountId }],
      }),
    ).rejects.toThrow();

    // The SDK's exporter.
    const sdk = await waitFor(
      async () => {
        const text = await scrape(sdkPort);
        return /temporal_workflow_failed\{[^}]*workflow_type="directorySyncWorkflow"/.test(text) &&
          /^temporal_sticky_cache_miss\b/m.test(text)
          ? text
          : undefined;
      },
      30_000,
      'the SDK to count the failed sync',
    );
    const sdkNames = metricNames(sdk);
    if (process.env.PRINT_SDK_METRICS) writeFileSync(process.env.PRINT_SDK_METRICS, sdk);
    // Every SDK name the dashboard and the alerts use (src/temporal/sdk-metrics.ts) is served.
    for (const name of TEMPORAL_SDK_METRICS)
      expect({ name, served: sdkNames.has(name) }).toEqual({ name, served: true });
    expect(sampleValue(sdk, 'temporal_sticky_cache_size', {})).toBeGreaterThanOrEqual(0);
    expect(
      sampleValue(sdk, 'temporal_workflow_task_schedule_to_start_latency_count', { task_queue: taskQueue }),
    ).toBeGreaterThan(0);
    expect(
      sampleValue(sdk, 'temporal_activity_schedule_to_start_latency_count', { task_queue: taskQueue }),
    ).toBeGreaterThan(0);
    expect(sampleValue(sdk, 'temporal_worker_task_slots_available', { worker_type: 'WorkflowWorker' })).toBeGreaterThan(
      0,
    );
    expect(
      sampleValue(sdk, 'temporal_activity_execution_failed', { activity_type: 'syncDirectory', task_queue: taskQueue }),
    ).toBe(1);

    // The worker's own registry on METRICS_PORT.
    const own = await scrape(metricsPort);
    expect(sampleValue(own, 'dialpad_call_event_e2e_seconds_count', { state: 'hangup' })).toBe(callIds.length);
    const endpoint = 'GET /api/v2/offices/{id}';
    expect(sampleValue(own, 'dialpad_api_requests_total', { endpoint, result: 'rate_limited' })).toBe(1);
    expect(sampleValue(own, 'dialpad_api_requests_total', { endpoint, result: 'unauthorized' })).toBe(1);
    expect(sampleValue(own, 'dialpad_api_requests_total', { endpoint, result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(own).toContain('process_resident_memory_bytes');
    // No call id, office id or number in any label.
    for (const text of [own, sdk]) {
      for (const callId of callIds) expect(text).not.toContain(callId);
      expect(text).not.toContain(officeId);
      expect(text).not.toContain('4155550142');
    }
  }, 240_000);

  async function simFault(body: Record<string, unknown>) {
    const res = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  }
});

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics on ${port}: ${res.status}`);
  return res.text();
}
