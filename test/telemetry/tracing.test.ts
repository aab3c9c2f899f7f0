import { Writable } from 'node:stream';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NativeConnection } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { ConfigError, loadConfig, type Config } from '../../src/config';
import { DeliveryStore } from '../../src/ingress/delivery-repository';
import { callWorkflowId } from '../../workflows/shared/ids';
import { loggerOptions } from '../../src/logger';
import { activeTraceparent, isTracingOn } from '../../src/telemetry/context';
import { startTracing, tracesUrl, tracingFromConfig, type Tracing } from '../../src/telemetry/tracing';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import type { QueueWorkers } from '../../src/temporal/workers';
import { bundleWorkflows, createWorkers } from '../../src/worker';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { legEvent, newDialpadId, OFFICE_ID, toDialpadEvent } from '../support/legs';
import { signEvent } from '../support/signing';
import { silenceTemporalRuntime, testConfig } from '../support/temporal';
import { waitFor } from '../support/wait';

/**
 * One webhook, one trace: the ingress's request, its queries, the signal, the call workflow and the
 * activity that writes the row, exported by the real SDK (an in-memory exporter instead of OTLP)
 * from the real ingress, Temporal and Postgres.
 */
const SECRET = 'tracing-test-secret-0123456789abcdefgh';

describe('tracing is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  // Runs before the block below starts tracing in this process.
  it('installs nothing: no provider, no trace context, no log fields', () => {
    const config = loadConfig({}, 'dev');
    expect(config.tracing).toEqual({ otlpEndpoint: undefined, serviceName: undefined });
    expect(tracingFromConfig(config, 'navigator-dialpad-ingress')).toBeUndefined();
    expect(isTracingOn()).toBe(false);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(activeTraceparent()).toBeNull();
    expect(loggerOptions('info', 'ingress')).not.toHaveProperty('mixin');
  });

  it('a bad endpoint stops the configuration, naming the variable', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'dev')).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'dev')).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: expected the http\(s\) URL of an OTLP\/HTTP collector/,
    );
    const config = loadConfig(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/', OTEL_SERVICE_NAME: 'ingress-eu' },
      'dev',
    );
    expect(config.tracing).toEqual({ otlpEndpoint: 'http://127.0.0.1:4318/', serviceName: 'ingress-eu' });
    expect(tracesUrl(config.tracing.otlpEndpoint!)).toBe('http://127.0.0.1:4318/v1/traces');
  });
});

describe('one webhook, one trace', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Record<string, unknown>[] = [];
  let tracing: Tracing;
  let tdb: TestDatabase;
  let config: Config;
  let temporal: TemporalHandles;
  let app: FastifyInstance;
  let connection: NativeConnection;
  let worker: QueueWorkers;
  let running: Promise<void>;

  /** pino lines, parsed, kept for the assertions. */
  const capture = () =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line));
        done();
      },
    });

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'navigator-dialpad-test', exporter });
    tdb = await createTestDatabase();
    config = testConfig(tdb.url, { DIALPAD_WEBHOOK_SECRET: SECRET, CALL_AI_WAIT_SECONDS: '1' });
    temporal = createTemporalClient(config.temporal, tracing.clientInterceptors());
    app = await buildApp({
      config,
      db: tdb.db,
      temporal,
      tracing,
      relay: { disabled: true },
      logger: { ...loggerOptions('info', 'ingress', { traceIds: true }), stream: capture() },
    });
    silenceTemporalRuntime();
    connection = await NativeConnection.connect({ address: config.temporal.address! });
    worker = await createWorkers({
      config,
      db: tdb.db,
      log: pino(loggerOptions('debug', 'worker', { traceIds: true }), capture()),
      connection,
      workflowBundle: await bundleWorkflows({ tracing: true }),
      tracing,
    });
    running = worker.run();
    await tdb.db('accounts').insert({ name: 'Acme', dialpad_office_id: OFFICE_ID });
  });

  afterAll(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await connection?.close();
    await temporal?.close();
    await tdb?.drop();
    await tracing?.shutdown();
  });

  async function post(event: Record<string, unknown>) {
    return app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: await signEvent(event, SECRET),
      headers: { 'content-type': 'application/jwt' },
    });
  }

  /** The call's row, once its run has ended (its spans are exported as they end). */
  async function callRecorded(callId: string) {
    await temporal.client.workflow.getHandle(callWorkflowId(callId)).result();
    return waitFor(() => tdb.db('calls').where({ dialpad_call_id: callId }).first(), 30_000, 'the calls row');
  }

  /** Every span of the trace, once `names` (each a prefix) are all among them. */
  async function traceWith(traceId: string, names: string[]): Promise<ReadableSpan[]> {
    return waitFor(
      async () => {
        const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
        return names.every((n) => spans.some((s) => s.name.startsWith(n))) ? spans : undefined;
      },
      20_000,
      `spans ${names.join(', ')} in trace ${traceId}`,
    ).catch((err: Error) => {
      const seen = exporter.getFinishedSpans().map((s) => `${s.spanContext().traceId.slice(0, 8)} ${s.name}`);
      throw new Error(`${err.message}; exported: ${seen.join(' | ')}`);
    });
  }

  it("continues a caller's traceparent, and leaves probes and metrics untraced", async () => {
    exporter.reset();
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.inject('/metrics');
    const upstream = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/dialpad',
      payload: 'not-a-jws',
      headers: { 'content-type': 'application/jwt', traceparent: `00-${upstream}-00f067aa0ba902b7-01` },
    });
    expect(res.statusCode).toBe(401);
    const spans = exporter.getFinishedSpans();
    expect(spans.filter((s) => s.name.startsWith('GET '))).toEqual([]);
    const request = spans.find((s) => s.name === 'POST /webhooks/dialpad')!;
    expect(request.spanContext().traceId).toBe(upstream);
    expect(request.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('a webhook signalled by its request: request, queries, signal, workflow and activities in one trace', async () => {
    exporter.reset();
    const callId = newDialpadId();
    const res = await post(toDialpadEvent(legEvent({ callId, state: 'hangup' })));
    expect(res.json()).toEqual({ status: 'accepted' });
    await callRecorded(callId);

    const request = exporter.getFinishedSpans().find((s) => s.name === 'POST /webhooks/dialpad');
    expect(request).toBeDefined();
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.attributes['http.route']).toBe('/webhooks/dialpad');
    const traceId = request!.spanContext().traceId;

    const spans = await traceWith(traceId, [
      'SignalWithStartWorkflow:callWorkflow',
      'RunWorkflow:callWorkflow',
      'RunActivity:matchConversation',
    ]);
    const names = spans.map((s) => s.name);
    // Every span of the run is in the request's trace: nothing of this call started a trace of its own.
    const others = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId !== traceId);
    expect(others.map((s) => s.name)).toEqual([]);

    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const ancestors = (s: ReadableSpan) => {
      const chain: string[] = [];
      for (let p = parentOf(s); p; p = parentOf(p)) chain.push(p.name);
      return chain;
    };
    const run = spans.find((s) => s.name === 'RunWorkflow:callWorkflow')!;
    expect(ancestors(run)).toContain('POST /webhooks/dialpad');
    const activity = spans.find((s) => s.name === 'RunActivity:matchConversation')!;
    expect(ancestors(activity)).toEqual(expect.arrayContaining(['RunWorkflow:callWorkflow', 'POST /webhooks/dialpad']));

    // Postgres: the ingress's queries inside the request (it folds the event into the row itself),
    // the activity's (the hangup links the call) inside the activity.
    const queries = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    expect(queries.some((q) => ancestors(q)[0] === 'handler /webhooks/dialpad')).toBe(true);
    expect(queries.some((q) => ancestors(q).includes('RunActivity:matchConversation'))).toBe(true);
    expect(names.filter((n) => n.startsWith('pg.query')).length).toBeGreaterThan(0);

    // The workflow's spans keep WorkflowInfo's plain values only (no memo, no search attributes).
    expect(run.attributes).toMatchObject({ workflowId: callWorkflowId(callId), workflowType: 'callWorkflow' });
    expect(run.attributes).not.toHaveProperty('memo');
    expect(run.attributes).not.toHaveProperty('searchAttributes');
    expect(spans.map((s) => s.name)).toContain('handler /webhooks/dialpad');

    // The request's log lines written inside its span carry the trace.
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'request completed', trace_id: traceId }));
    // One access line per request, with what Fastify's two lines had: method, path, status, time taken.
    const access = logLines.filter(
      (l) => l.trace_id === traceId && (l.msg === 'request completed' || l.msg === 'incoming request'),
    );
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      req: { method: 'POST', url: '/webhooks/dialpad' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
  });

  it('a webhook the relay signals later continues the request trace stored with the delivery', async () => {
    exporter.reset();
    const callId = newDialpadId();
    const office = String(4100000000000000 + Math.floor(Math.random() * 1e9));
    const target = { id: '5991398486736896', type: 'user', name: 'Agent One', phone: '+15105550100', officeId: office };
    const res = await post(toDialpadEvent(legEvent({ callId, state: 'hangup', target })));
    expect(res.json()).toEqual({ status: 'unrouted' });
    const delivery = await tdb.db('dialpad_webhook_deliveries').where({ call_id: callId }).first();
    const request = exporter.getFinishedSpans().find((s) => s.name === 'POST /webhooks/dialpad')!;
    const traceId = request.spanContext().traceId;
    expect(delivery.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // The handler's log line says why it was kept, with the request's trace.
    expect(logLines).toContainEqual(
      expect.objectContaining({ msg: 'office not linked to an account yet: kept as unrouted', trace_id: traceId }),
    );

    // An administrator links the office; the relay (outside any request) signals the delivery.
    const [account] = await tdb.db('accounts').insert({ name: 'Beta', dialpad_office_id: office }).returning('id');
    expect(await new DeliveryStore(tdb.db).routeWaiting(office, (account as { id: string }).id)).toBe(1);
    expect(await app.deliveryRelay.runOnce()).toBe(1);
    await callRecorded(callId);

    const spans = await traceWith(traceId, [
      'relay signal',
      'SignalWithStartWorkflow:callWorkflow',
      'RunWorkflow:callWorkflow',
      'RunActivity:recordCallEvent',
    ]);
    const relay = spans.find((s) => s.name === 'relay signal')!;
    expect(relay.parentSpanId).toBe(delivery.traceparent.split('-')[2]);
    expect(relay.attributes['navigator.delivery_id']).toBe(String(delivery.id));
    expect(
      exporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId !== traceId)
        .map((s) => s.name),
    ).toEqual([]);
  });
});
