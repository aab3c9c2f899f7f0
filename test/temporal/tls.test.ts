import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { freePort } from '../../tools/lib/processes';
import type { Config } from '../../src/config';
import {
  checkTemporalSecurity,
  createTemporalClient,
  pingTemporal,
  TemporalConfigError,
  type TemporalHandles,
} from '../../src/temporal/connection';
import { connectWorkerToTemporal } from '../../src/temporal/native-connection';
import { createTestPki, type TestPki } from '../support/certs';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { readRunInfo } from '../support/run-info';
import { example, signEvent } from '../support/signing';
import { silenceTemporalRuntime, startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { startTlsGrpcProxy, type TlsGrpcProxy } from '../support/tls-proxy';
import { waitFor } from '../support/wait';

const SECRET = 'tls-test-webhook-secret-0123456789abcdef';
const OFFICE = '5527348325810176';
const ROOT = join(__dirname, '..', '..');

/** Runs an entry point the way production does and returns its exit code and stderr. */
function runEntry(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, entry)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('Temporal behind TLS', () => {
  let pki: TestPki;
  let mtls: TlsGrpcProxy;
  let keyed: TlsGrpcProxy;
  let tdb: TestDatabase;
  const API_KEY = 'temporal-cloud-style-api-key-0123456789';

  beforeAll(async () => {
    silenceTemporalRuntime();
    pki = createTestPki();
    const target = readRunInfo().temporalAddress;
    const server = { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) };
    mtls = await startTlsGrpcProxy({ target, ...server, clientCa: pki.read(pki.caCert) });
    keyed = await startTlsGrpcProxy({ target, ...server, apiKey: API_KEY });
    tdb = await createTestDatabase();
  });

  afterAll(async () => {
    await mtls?.close();
    await keyed?.close();
    await tdb?.drop();
    pki?.remove();
  });

  const mtlsEnv = (): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: mtls.address,
    TEMPORAL_TLS_CERT: pki.clientCert,
    TEMPORAL_TLS_KEY: pki.clientKey,
    TEMPORAL_TLS_CA: pki.caCert,
  });

  describe('mTLS with client certificates', () => {
    let config: Config;
    let temporal: TemporalHandles;
    let app: FastifyInstance;
    let worker: RunningWorker;

    beforeAll(async () => {
      config = testConfig(tdb.url, { ...mtlsEnv(), DIALPAD_WEBHOOK_SECRET: SECRET, CALL_AI_WAIT_SECONDS: '1' });
      temporal = createTemporalClient(config.temporal);
      await checkTemporalSecurity(temporal, config.temporal);
      app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
      worker = await startTestWorker(config, tdb.db);
      await tdb.db('accounts').insert({ name: 'TLS Co', dialpad_office_id: OFFICE });
    });

    afterAll(async () => {
      await app?.close();
      await worker?.stop();
      await temporal?.close();
    });

    it('the ingress and the worker both go through the TLS frontend, and a call reaches its row', async () => {
      const callId = 6421977459900000 + Math.floor(Math.random() * 90000);
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/dialpad',
        payload: await signEvent(example('hangup-answered-inbound', { call_id: callId }), SECRET),
        headers: { 'content-type': 'application/jwt' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'accepted' });
      const row = await waitFor(async () =>
        tdb
          .db('calls')
          .where({ dialpad_call_id: String(callId) })
          .first(),
      );
      expect(row.status).toBe('answered');
      expect(row.account_id).toBeTruthy();
      // The start came from the ingress and the tasks were polled by the worker, all through the proxy.
      const methods = () => new Set(mtls.forwarded.map((p) => p.split('/').pop()!));
      const wanted = [
        'SignalWithStartWorkflowExecution',
        'PollWorkflowTaskQueue',
        'RespondWorkflowTaskCompleted',
        'PollActivityTaskQueue',
      ];
      // The workflow task that wrote the row (local activities) is reported just after the write.
      await waitFor(async () => (wanted.every((m) => methods().has(m)) ? true : undefined)).catch(() => undefined);
      expect([...methods()]).toEqual(expect.arrayContaining(wanted));
    });
  });

  it('without a client certificate the frontend refuses the worker; the message names TEMPORAL_TLS_CERT', async () => {
    const config = testConfig(tdb.url, { TEMPORAL_ADDRESS: mtls.address, TEMPORAL_TLS_CA: pki.caCert });
    const err = await connectWorkerToTemporal(config.temporal).then(
      (c) => c.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TemporalConfigError);
    expect(String(err)).toMatch(/^TemporalConfigError: TEMPORAL_TLS_CERT: /);
  });

  it('a wrong CA stops the worker and the ingress at start with a message naming TEMPORAL_TLS_CA', async () => {
    const env: NodeJS.ProcessEnv = {
      ...mtlsEnv(),
      TEMPORAL_TLS_CA: pki.otherCaCert,
      DATABASE_URL: tdb.url,
      TEMPORAL_NAMESPACE: readRunInfo().temporalNamespace,
      DIALPAD_API_KEY: 'not-used-in-this-test',
      DIALPAD_API_BASE_URL: 'http://127.0.0.1:9',
      DIALPAD_WEBHOOK_SECRET: SECRET,
      API_TOKEN: 'api-token-0123456789abcdef-0123456789',
      ADMIN_TOKEN: 'admin-token-0123456789abcdef-012345678',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    };
    const [worker, ingress] = await Promise.all([runEntry('src/worker.ts', env), runEntry('src/server.ts', env)]);
    for (const run of [worker, ingress]) {
      expect(run.code).toBe(78);
      expect(run.stderr).toContain(`TEMPORAL_TLS_CA: the certificate of the Temporal server at ${mtls.address}`);
      expect(run.stderr).toContain(pki.otherCaCert);
    }
  });

  describe('API key (as Temporal Cloud)', () => {
    const keyedTarget = (apiKey: string) =>
      testConfig(tdb.url, { TEMPORAL_ADDRESS: keyed.address, TEMPORAL_API_KEY: apiKey, TEMPORAL_TLS_CA: pki.caCert })
        .temporal;

    it('the key travels as a bearer token over TLS, for the client and the worker', async () => {
      const target = keyedTarget(API_KEY);
      const handles = createTemporalClient(target);
      try {
        await pingTemporal(handles.probe, target.namespace, 10_000);
      } finally {
        await handles.close();
      }
      const native = await connectWorkerToTemporal(target);
      await native.close();
      expect(keyed.forwarded).toContain('/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace');
      expect(keyed.forwarded).toContain('/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo');
    });

    it('a wrong key is refused (UNAUTHENTICATED), and nothing is forwarded for it', async () => {
      const target = keyedTarget('a-wrong-api-key-0123456789abcdef');
      const handles = createTemporalClient(target);
      const before = { forwarded: keyed.forwarded.length, refused: keyed.refused };
      try {
        await expect(pingTemporal(handles.probe, target.namespace, 10_000)).rejects.toMatchObject({ code: 16 });
      } finally {
        await handles.close();
      }
      expect(keyed.refused).toBeGreaterThan(before.refused);
      expect(keyed.forwarded.length).toBe(before.forwarded);
    });
  });
});
