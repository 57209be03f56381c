/**
 * Start a long-running workflow whose id is derived from a business id, or join it when it
 * exists: the heart of idempotent POST /v1/series and POST /v1/waiting-list. Concurrent repeats
 * of one Idempotency-Key work on the same reserved id, so they all land on ONE execution:
 * - running: WorkflowIdConflictPolicy USE_EXISTING hands back the running execution;
 * - closed: reuse policy REJECT_DUPLICATE refuses a second run, and we return the old run's handle.
 * Temporal unreachable becomes TemporalUnavailableError (503); `maybeStarted` is true only when
 * the server may have accepted the start before the deadline ran out (the caller keeps its rows).
 * `startOrJoinOwning` is the common use: the caller wrote the rows the workflow owns just before,
 * and takes them back when nothing can be running on the id.
 */
import { WorkflowExecutionAlreadyStartedError, isGrpcDeadlineError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { assertReachable, TemporalUnavailableError } from '../../infra/temporal/start-and-await';
import { isTemporalUnavailable } from '../../infra/temporal/temporal-client';

export interface StartOrJoinOptions {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  /** Operator visibility set in the start request (search attributes and a one-line memo). */
  searchAttributes?: SearchAttributePair[];
  memo?: Record<string, unknown>;
}

export async function startOrJoin(client: Client, options: StartOrJoinOptions): Promise<WorkflowHandle> {
  await assertReachable(client);
  try {
    return await client.workflow.start(options.workflowType, {
      workflowId: options.workflowId,
      taskQueue: options.taskQueue,
      args: options.args,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...(options.searchAttributes ? { typedSearchAttributes: options.searchAttributes } : {}),
      ...(options.memo ? { memo: options.memo } : {}),
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(options.workflowId);
    if (isTemporalUnavailable(error)) throw new TemporalUnavailableError(error, isGrpcDeadlineError(error));
    throw error;
  }
}

/**
 * startOrJoin for a workflow whose rows the caller has just written: when the start fails and
 * nothing can be running on the id, `forgetRows` takes the rows back (a repeat writes them again)
 * before the error goes on; when the start may have been accepted the rows stay.
 */
export async function startOrJoinOwning(client: Client, options: StartOrJoinOptions, forgetRows: () => Promise<unknown>): Promise<WorkflowHandle> {
  try {
    return await startOrJoin(client, options);
  } catch (err) {
    if (!(err instanceof TemporalUnavailableError && err.maybeStarted)) await forgetRows();
    throw err;
  }
}
