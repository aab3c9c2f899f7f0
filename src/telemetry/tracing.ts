import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { Context, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { FastifyPluginCallback } from 'fastify';
import pg from 'pg';
import type { Config } from '../config';
import { tracingStarted } from './context';

/**
 * OpenTelemetry tracing, one trace per webhook: the ingress's request span (@fastify/otel), its
 * Postgres queries (instrumentation-pg), the signal to Temporal (the Temporal client interceptor
 * writes the context into the workflow's headers), the workflow's spans (made in the workflow
 * sandbox and exported through a sink) and its activities' spans with their queries. A delivery
 * the relay signals later carries the request's `traceparent` in its row (src/telemetry/context.ts).
 *
 * On only when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/config.ts): otherwise `startTracing` is
 * never called and nothing is registered, patched or exported.
 */
export interface Tracing {
  readonly serviceName: string;
  readonly provider: NodeTracerProvider;
  readonly tracer: Tracer;
  /** Registered first on the Fastify app: a SERVER span per request (probes and /metrics left out). */
  fastifyPlugin(): FastifyPluginCallback;
  /** For the Temporal client that starts and signals workflows. */
  clientInterceptors(): ClientInterceptors;
  /** For Worker.create: activity and workflow interceptors, and the sink for workflow spans. */
  workerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Exports what has ended so far. */
  flush(): Promise<void>;
  /**
   * Each caller of `startTracing` calls this once when it stops; the last one exports what is left
   * and stops tracing (the ingress and the worker in one process share the provider).
   */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (spans go to <url>/v1/traces). */
  otlpEndpoint?: string;
  /** Instead of OTLP: an exporter fed span by span (tests pass an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/** The module the workflow bundle must include for workflow spans (see bundleWorkflows). */
export const WORKFLOW_TRACING_INTERCEPTORS =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** Paths traced by nobody: liveness, readiness and metrics scrapes would drown the real traces. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\/|\?|$)/;

let running: Tracing | undefined;
let users = 0;

/**
 * Starts tracing for this process: one provider, registered as the global one (with the W3C
 * trace-context propagator and an AsyncLocalStorage context manager). Once per process: a later
 * call (ingress and worker in one process) returns the running one.
 */
export function startTracing(opts: StartTracingOptions): Tracing {
  users++;
  if (running) return running;
  if (!opts.exporter && !opts.otlpEndpoint) throw new Error('startTracing needs an OTLP endpoint or an exporter');
  const resource = new Resource({ [ATTR_SERVICE_NAME]: opts.serviceName });
  const processor: SpanProcessor = opts.exporter
    ? new SimpleSpanProcessor(opts.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(opts.otlpEndpoint!) }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const tracer = provider.getTracer('navigator-dialpad');

  const fastify = new FastifyOtelInstrumentation({
    // Request and handler spans; a span per lifecycle hook would only add noise.
    instrumentHooks: false,
    ignorePaths: ({ url }) => UNTRACED_PATHS.test(url),
    // Named by route (the HTTP conventions: the method alone when no route matched); `url.path`
    // without the query string.
    requestHook: (span, request) => {
      const route = request.routeOptions.url;
      span.updateName(route ? `${request.method} ${route}` : request.method);
      span.setAttribute('url.path', request.url.split('?')[0]!);
    },
    // The plugin would name the handler's span after the source text of the plugin that declared it.
    lifecycleHook: (span, { hookName, request }) => {
      if (hookName === 'handler') span.updateName(`handler ${request.routeOptions.url ?? ''}`.trim());
    },
  });
  fastify.setTracerProvider(provider);

  // Only queries made inside a traced request or activity: the relay's and the rate limiter's
  // polling would otherwise be a trace each. No statement values are recorded (the default).
  const pgInstrumentation = new PgInstrumentation({ requireParentSpan: true });
  pgInstrumentation.setTracerProvider(provider);
  instrumentLoadedPg(pgInstrumentation);

  const options = { tracer };
  let stopped: Promise<void> | undefined;
  running = {
    serviceName: opts.serviceName,
    provider,
    tracer,
    fastifyPlugin: () => fastify.plugin(),
    clientInterceptors: () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor(options)] }),
    workerOptions: () => ({
      interceptors: {
        workflowModules: [WORKFLOW_TRACING_INTERCEPTORS],
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx, options),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: makeWorkflowExporter(new WorkflowSpanAttributes(processor), resource) },
    }),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      users = Math.max(0, users - 1);
      if (users > 0) return;
      await (stopped ??= provider.shutdown().catch(() => undefined));
    },
  };
  tracingStarted(tracer);
  return running;
}

/** Starts tracing when the configuration names an OTLP endpoint; undefined (off) otherwise. */
export function tracingFromConfig(config: Pick<Config, 'tracing'>, defaultServiceName: string): Tracing | undefined {
  if (!config.tracing.otlpEndpoint) return undefined;
  return startTracing({
    serviceName: config.tracing.serviceName ?? defaultServiceName,
    otlpEndpoint: config.tracing.otlpEndpoint,
  });
}

/**
 * The workflow span sink adds the whole WorkflowInfo to each span's attributes: objects (memo,
 * search attributes, deployment version) that are not valid attribute values, and the memo's call
 * summary. Only its plain values are kept (workflowId, runId, workflowType, taskQueue, attempt, …).
 */
class WorkflowSpanAttributes implements SpanProcessor {
  constructor(private readonly inner: SpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const attributes = span.attributes as Record<string, unknown>;
    for (const [key, value] of Object.entries(attributes)) {
      if (!isAttributeValue(value)) delete attributes[key];
    }
    this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return Promise.resolve(); // the provider shuts the real processor down
  }
}

function isAttributeValue(value: unknown): boolean {
  const primitive = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return primitive(value) || (Array.isArray(value) && value.every((v) => v == null || primitive(v)));
}

/** The OTLP/HTTP traces URL for a base endpoint, as the spec derives it from OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * instrumentation-pg patches `pg` when it is required after the instrumentation is enabled (its
 * require hook stays registered for that). Our processes load `pg` before they read their
 * configuration (src/db/knex.ts), so the module already in memory is patched here too, with the
 * instrumentation's own patch for the `pg` module (`getModuleDefinitions`, the instrumentation
 * API for applying a patch without the require hook). Patching twice is safe: the patch unwraps
 * what it wrapped before.
 */
function instrumentLoadedPg(instrumentation: PgInstrumentation): void {
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name !== 'pg' || !definition.patch) continue;
    definition.patch(pg);
  }
}
