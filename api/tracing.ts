/**
 * One OpenTelemetry server span per HTTP request (infra/telemetry/tracing.ts), continuing a
 * caller's W3C `traceparent`, with the request id in the baggage so the workflow and activity log
 * lines of this request carry it too. Without a registered tracer provider (tracing off) the
 * spans are no-ops and nothing is propagated.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { REQUEST_ID_BAGGAGE } from '../infra/telemetry/tracing';

export function httpTracing(): RequestHandler {
  const tracer = trace.getTracer('booking-api');
  return (req, res, next) => {
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
