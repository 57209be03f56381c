/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: one tracer provider per
 * process (API or worker) exporting OTLP/HTTP (JSON) to `<endpoint>/v1/traces` in batches, W3C
 * trace context + baggage propagation, AsyncLocalStorage context. The API opens a span per HTTP
 * request (api/tracing.ts) and puts the request id into the baggage; Temporal's interceptors
 * (@temporalio/interceptors-opentelemetry) carry both through the workflow start, the workflow and
 * its activities, so one trace joins request → workflow → activities, and every log line written
 * inside it names the trace and the request (traceFields, the logger's mixin).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Baggage key of the API's request id (X-Request-Id). */
export const REQUEST_ID_BAGGAGE = 'request.id';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

export function startTracing(endpoint: string, serviceName: string): Tracing | undefined {
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': serviceName });
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/** Trace, span and request id of the active context, for every log line (empty when none). */
export function traceFields(): Record<string, string> {
  const active = context.active();
  const span = trace.getSpanContext(active);
  const requestId = propagation.getBaggage(active)?.getEntry(REQUEST_ID_BAGGAGE)?.value;
  const fields: Record<string, string> = {};
  if (span && trace.isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  if (requestId) fields.requestId = requestId;
  return fields;
}
