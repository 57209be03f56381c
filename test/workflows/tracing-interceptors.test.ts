/**
 * Which workflow runs load OpenTelemetry (workflows/tracing.interceptors.ts): only those whose
 * start carried a W3C trace context. The header is the one @temporalio/interceptors-opentelemetry's
 * client interceptor writes: an empty carrier while no tracer is registered (tracing off).
 * (That traced runs still export workflow and activity spans is test/deploy/tracing.test.ts.)
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { headersWithContext } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { tracedStart } from '../../workflows/tracing.interceptors';

test('the client header of an untraced start (empty carrier) does not load OpenTelemetry', () => {
  expect(tracedStart(headersWithContext({}))).toBe(false);
  expect(tracedStart({})).toBe(false);
  expect(tracedStart(undefined)).toBe(false);
});

test('a start with a W3C trace context does', () => {
  const carrier = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'requestId=r1' };
  expect(tracedStart({ '_tracer-data': defaultPayloadConverter.toPayload(carrier) })).toBe(true);
});

test('an unreadable header counts as untraced', () => {
  expect(tracedStart({ '_tracer-data': { metadata: { encoding: new TextEncoder().encode('binary/plain') }, data: new Uint8Array([1, 2]) } })).toBe(false);
});
