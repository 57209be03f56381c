/**
 * OpenTelemetry in workflows (@temporalio/interceptors-opentelemetry), loaded only by the runs that
 * are traced: those whose start carried a W3C trace context (`traceparent` in the `_tracer-data`
 * header the client interceptor writes; with tracing off that header holds an empty carrier).
 *
 * Why: the worker reuses one V8 context, but every cached workflow evaluates the bundle's modules
 * for itself. The OpenTelemetry API, SDK and semantic conventions were ~0.55 MB of the ~0.75 MB
 * of workflow-thread heap each idle waiting-list monitor held (bench:waitlist: 300 cached
 * monitors, 251 MB heap with them, 81 MB without). Untraced runs now never evaluate them.
 *
 * Replay: the decision is taken from the start's headers, which are in the history, so a replay
 * decides as the first run did. A traced run behaves exactly as before. An untraced run loses
 * only spans nobody exported and the trace header on its commands (headers are not compared on
 * replay); the interceptor's extra yields exist only for histories without the SDK flag
 * OpenTelemetryInterceporsAvoidsExtraYields, i.e. started before this project traced at all.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type {
  Next,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

const TRACE_HEADER = '_tracer-data';

/** Whether the run's start carried a trace context worth continuing. */
export function tracedStart(headers: Record<string, Payload> | undefined): boolean {
  const payload = headers?.[TRACE_HEADER];
  if (!payload) return false;
  try {
    const carrier = defaultPayloadConverter.fromPayload<Record<string, unknown> | null>(payload);
    return typeof carrier?.traceparent === 'string';
  } catch {
    return false;
  }
}

interface Loaded {
  inbound: WorkflowInboundCallsInterceptor;
  outbound: WorkflowOutboundCallsInterceptor;
  internals: WorkflowInternalsInterceptor;
}

function load(): Loaded {
  // Required here, not imported: webpack evaluates the module (and OpenTelemetry) on first use.
  const otel = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof import('@temporalio/interceptors-opentelemetry/lib/workflow');
  return {
    inbound: new otel.OpenTelemetryInboundInterceptor(),
    outbound: new otel.OpenTelemetryOutboundInterceptor(),
    internals: new otel.OpenTelemetryInternalsInterceptor(),
  };
}

type AnyFn = (input: unknown, next: (input: unknown) => unknown) => unknown;

/** Calls the loaded interceptor's method when the run is traced, else the next one. */
function delegate<T extends object>(of: () => T | undefined, method: string) {
  return (input: unknown, next: (input: unknown) => unknown) => {
    const target = of() as Record<string, AnyFn> | undefined;
    const fn = target?.[method];
    return fn ? fn.call(target, input, next) : next(input);
  };
}

export const interceptors = (): WorkflowInterceptors => {
  let loaded: Loaded | undefined;
  const inboundOf = () => loaded?.inbound;
  const outboundOf = () => loaded?.outbound;
  const inbound = {
    execute(input, next) {
      // The first call of every run (also of a replay): decide once, from the start's headers.
      if (!loaded && tracedStart(input.headers)) loaded = load();
      return loaded?.inbound.execute ? loaded.inbound.execute(input, next) : next(input);
    },
    handleSignal: delegate(inboundOf, 'handleSignal'),
    handleUpdate: delegate(inboundOf, 'handleUpdate'),
    validateUpdate: delegate(inboundOf, 'validateUpdate'),
    handleQuery: delegate(inboundOf, 'handleQuery'),
  } as WorkflowInboundCallsInterceptor & { execute: (input: Parameters<Next<WorkflowInboundCallsInterceptor, 'execute'>>[0], next: Next<WorkflowInboundCallsInterceptor, 'execute'>) => Promise<unknown> };
  const outbound = Object.fromEntries(
    ['scheduleActivity', 'scheduleLocalActivity', 'startNexusOperation', 'startChildWorkflowExecution', 'continueAsNew', 'signalWorkflow', 'getLogAttributes', 'getMetricTags'].map(
      (method) => [method, delegate(outboundOf, method)],
    ),
  ) as WorkflowOutboundCallsInterceptor;
  const internals = { dispose: delegate(() => loaded?.internals, 'dispose') } as WorkflowInternalsInterceptor;
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
