/**
 * Starts the booking's lifecycle (booking-lifecycle.contract.ts) as an abandoned child of the
 * workflow that confirmed it: it outlives its parent, runs on the same task queue, and a second
 * start (a retried or replayed confirmation path) finds it running and leaves it alone.
 */
import { log, ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { LIFECYCLE_WORKFLOW, lifecycleWorkflowId, type LifecycleInput } from '../booking-lifecycle.contract';
import { describeFailure } from './failures';

export async function startLifecycle(bookingId: string): Promise<void> {
  const args: [LifecycleInput] = [{ bookingId }];
  await startChild(LIFECYCLE_WORKFLOW, {
    workflowId: lifecycleWorkflowId(bookingId),
    args,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  }).catch((error: unknown) => {
    // Already started (or once ran) for this booking: the existing one is the lifecycle.
    log.warn('lifecycle not started', { bookingId, error: describeFailure(error) });
  });
}
