/**
 * Business metrics recorded from inside workflows (bundled as a workflow interceptor module, see
 * worker/workflow-bundle.ts). They go through the workflow metric meter, which the SDK silences
 * during replay, so a replayed history never counts twice; they reach the worker's Prometheus
 * endpoint (WORKER_METRICS_PORT) (custom metrics carry no `temporal_` prefix; labels namespace, taskQueue, workflowType):
 *   booking_outcomes{outcome}   every booking saga's result kind (confirmed, conflict,
 *                                        rule_violation, calendar_failed, not_found, ...)
 * Compensations are counted where they run (workflows/lib/saga.ts: booking_compensations).
 * No commands are added: this changes nothing in any history.
 */
import { metricMeter, workflowInfo, type WorkflowExecuteInput, type WorkflowInboundCallsInterceptor, type WorkflowInterceptorsFactory, type Next } from '@temporalio/workflow';

const BOOKING_WORKFLOW = 'bookAppointmentWorkflow';

class BookingOutcomes implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    if (workflowInfo().workflowType === BOOKING_WORKFLOW) {
      const outcome = (result as { kind?: unknown } | undefined)?.kind;
      metricMeter.createCounter('booking_outcomes', 'bookings', 'Booking sagas by outcome').add(1, { outcome: typeof outcome === 'string' ? outcome : 'unknown' });
    }
    return result;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new BookingOutcomes()] });
