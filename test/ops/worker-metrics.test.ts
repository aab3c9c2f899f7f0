import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { freePort } from '../../tools/lib/processes';
import { startSimulatedDialpad, type SimulatedDialpad } from '../../tools/simulator';
import { createTemporalClient } from '../../src/temporal/connection';
import { TEMPORAL_SDK_METRICS, TEMPORAL_SDK_METRICS_WHEN_COUNTED } from '../../src/temporal/sdk-metrics';
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
  let worker: Child | undefined;
  let app: FastifyInstance | undefined;
  let temporal: { client: Client; connection: Connection };
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
    worker = startProcess('src/worker.ts', {
      ...processEnv(tdb.url, taskQueue),
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      METRICS_PORT: String(metricsPort),
      TEMPORAL_METRICS_PORT: String(sdkPort),
      // A cache of one run: the calls below take turns in it (a miss, when one comes, depends on timing).
      TEMPORAL_MAX_CACHED_WORKFLOWS: '1',
    });
    await worker.polling(sdkPort);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await temporal?.connection.close();
    await sim?.close();
    await tdb?.drop();
  });

  it('serves the SDK figures and the worker figures after a call and two directory syncs ran', async () => {
    // A call: a signed hangup through a real ingress, which folds it; the worker's run links it.
    const config = testConfig(tdb.url, {
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIALPAD_WEBHOOK_SECRET: SECRET,
      CALL_AI_WAIT_SECONDS: '1',
      CALL_AI_FETCH_ATTEMPTS: '1',
    });
    const handles = createTemporalClient(config.temporal);
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
    // A query on the closed run: the worker no longer holds it, and replays it from its history.
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
    const failedSync = /temporal_workflow_failed\{[^}]*workflow_type="directorySyncWorkflow"/;
    let last = '';
    const sdk = await waitFor(
      async () => {
        last = await scrape(sdkPort);
        return failedSync.test(last) ? last : undefined;
      },
      90_000,
      'the SDK to count the failed sync',
    ).catch((err: unknown) => {
      // Which of the two never came, and what the exporter served instead.
      const lines = last.split('\n').filter((l) => /workflow_failed|sticky_cache|workflow_completed/.test(l));
      throw new Error(`${String(err)}; what the exporter served:\n${lines.join('\n')}`);
    });
    const sdkNames = metricNames(sdk);
    if (process.env.PRINT_SDK_METRICS) writeFileSync(process.env.PRINT_SDK_METRICS, sdk);
    // Every SDK name the dashboard and the alerts use (src/temporal/sdk-metrics.ts) is served, but
    // the counters that appear only once they count (a cache miss depends on the runs' timing).
    for (const name of TEMPORAL_SDK_METRICS.filter((n) => !TEMPORAL_SDK_METRICS_WHEN_COUNTED.includes(n)))
      expect({ name, served: sdkNames.has(name) }).toEqual({ name, served: true });
    expect(sampleValue(sdk, 'temporal_sticky_cache_hit', { workflow_type: 'callWorkflow' })).toBeGreaterThan(0);
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

    // The worker's own registry on METRICS_PORT, once each run has linked its call (the rows are the
    // ingress's fold, in place before any run ran; a run under a cache of one can still be linking).
    const matched = (text: string) => sampleValue(text, 'dialpad_conversation_matches_total', { result: 'matched' });
    const own = await waitFor(
      async () => {
        const text = await scrape(metricsPort);
        return (matched(text) ?? 0) >= callIds.length ? text : undefined;
      },
      60_000,
      'each run to link its call',
    );
    // The ingress folded each hangup into its row and counted it; each run linked its call.
    const ingress = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sampleValue(ingress, 'dialpad_call_event_e2e_seconds_count', { state: 'hangup' })).toBe(callIds.length);
    expect(matched(own)).toBe(callIds.length);
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

describe('npm start (ingress and worker in one process)', () => {
  let tdb: TestDatabase;
  let proc: Child | undefined;

  beforeAll(async () => {
    tdb = await createTestDatabase({ max: 2 });
  });
  afterAll(async () => {
    await proc?.stop();
    await tdb?.drop();
  });

  it("serves the ingress's and the worker's metrics on METRICS_PORT, the SDK's on TEMPORAL_METRICS_PORT", async () => {
    const [port, metricsPort, sdkPort] = [await freePort(), await freePort(), await freePort()];
    proc = startProcess('src/start.ts', {
      ...processEnv(tdb.url, uniqueTaskQueue('start')),
      // Nothing calls Dialpad here.
      DIALPAD_API_KEY: 'unused-key',
      DIALPAD_API_BASE_URL: 'http://127.0.0.1:1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      TEMPORAL_METRICS_PORT: String(sdkPort),
    });
    await proc.polling(sdkPort);
    const text = await scrape(metricsPort);
    // One registry: each family once (a second copy would make the whole page invalid).
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    expect(families.length).toBe(new Set(families).size);
    for (const family of [
      'dialpad_webhook_deliveries_total',
      'dialpad_relay_backlog',
      'dialpad_call_event_e2e_seconds',
      'dialpad_api_requests_total',
      'process_resident_memory_bytes',
    ]) {
      expect(families).toContain(family);
    }
    expect(sampleValue(text, 'dialpad_state_query_ok', {})).toBe(1);
    // Not on the public port.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
  }, 180_000);
});

interface Child {
  polling(sdkPort: number): Promise<void>;
  stop(): Promise<void>;
}

/** What a production process needs, against this run's Postgres database and Temporal server. */
function processEnv(databaseUrl: string, taskQueue: string): NodeJS.ProcessEnv {
  const info = readRunInfo();
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: info.temporalAddress,
    TEMPORAL_NAMESPACE: info.temporalNamespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DIALPAD_WEBHOOK_SECRET: SECRET,
    API_TOKEN: randomBytes(24).toString('hex'),
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
}

/** `node --import tsx <entry>` as its own process (the Temporal runtime is installed once per process). */
function startProcess(entry: string, env: NodeJS.ProcessEnv): Child {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  return {
    // It polls once the SDK reports a workflow task poller.
    polling: async (sdkPort) => {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${entry} exited ${child.exitCode}:\n${output}`);
          const text = await scrape(sdkPort).catch(() => '');
          return /temporal_num_pollers\{[^}]*poller_type="workflow_task"/.test(text) || undefined;
        },
        120_000,
        `${entry} to poll`,
      );
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 25_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        throw new Error(`${entry} did not stop on SIGTERM within 25 s:\n${output}`);
      }
    },
  };
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics on ${port}: ${res.status}`);
  return res.text();
}
