import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Tracer,
} from '@opentelemetry/api';

/**
 * The trace context's light side: only `@opentelemetry/api`, loaded by every process whether
 * tracing is on or not. While tracing is off (src/telemetry/tracing.ts never started) nothing here
 * creates a span, writes a header or adds a log field.
 */

let tracer: Tracer | undefined;

/** Called by `startTracing` once the process's tracer provider is registered. */
export function tracingStarted(t: Tracer): void {
  tracer = t;
}

export function isTracingOn(): boolean {
  return tracer !== undefined;
}

/**
 * The W3C `traceparent` of the active span (the webhook request's, in the ingress), to keep with
 * what it recorded: the relay that signals later, from any process, continues the same trace.
 * Null while tracing is off or outside a span.
 */
export function activeTraceparent(): string | null {
  if (!tracer) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/**
 * Runs `fn` inside a span that continues the stored `traceparent` (a recorded delivery's), so the
 * Temporal client's interceptor carries that trace into the workflow it signals. Without a stored
 * context the span starts a trace of its own; with tracing off `fn` simply runs.
 */
export async function inStoredTrace<T>(
  name: string,
  traceparent: string | null | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracer) return fn();
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return tracer.startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * pino `mixin`: the active span's ids on every log line written inside it (a request's, an
 * activity's). Installed only while tracing is on (src/logger.ts).
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return {};
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
