/**
 * One OpenTelemetry server span per HTTP request (infra/telemetry/tracing.ts), continuing a
 * caller's W3C `traceparent`, with the request id in the baggage so the workflow and activity log
 * lines of this request carry it too. Without a registered tracer provider (tracing off) the
 * spans are no-ops and nothing is propagated.
 */
import { context, propagation, ProxyTracerProvider, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { REQUEST_ID_BAGGAGE } from '../infra/telemetry/tracing';

const TRACER = 'booking-api';

/**
 * The registered tracer, or undefined while tracing is off (no provider registered: the default).
 * Asked per request, so a provider registered after the app was built is used from then on.
 */
function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(TRACER) : provider.getTracer(TRACER);
}

export function httpTracing(): RequestHandler {
  return (req, res, next) => {
    // Tracing off: the span would be a no-op and, without a context manager, the context and
    // baggage set here are seen by nothing; extracting, starting and wrapping them cost a
    // cached read a visible share of its CPU.
    const tracer = activeTracer();
    if (!tracer) return next();
    const parent = propagation.extract(context.active(), req.headers);
    const baggage = (propagation.getBaggage(parent) ?? propagation.createBaggage()).setEntry(REQUEST_ID_BAGGAGE, { value: req.id });
    const span = tracer.startSpan(`${req.method} ${req.path}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path, 'request.id': req.id },
    }, parent);
    res.once('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      if (typeof route === 'string') span.updateName(`${req.method} ${req.baseUrl}${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(propagation.setBaggage(trace.setSpan(parent, span), baggage), next);
  };
}
