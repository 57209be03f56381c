/**
 * "Start (or join) a workflow and wait a bounded time for its business outcome": update-with-start
 * of the workflow's outcome update (STYLE.md principle 12, the early-return sample), under a gRPC
 * deadline of `waitMs`.
 *
 * Answers
 * - `outcome`: the update returned (or, for a run that had already closed, its result did);
 * - `pending`: the workflow runs but had no outcome within `waitMs` (the caller answers 202).
 * Throws when Temporal cannot be reached: then no workflow was started, so nothing is half-done.
 *
 * Idempotency: the workflow id is the caller's business key. WorkflowIdConflictPolicy USE_EXISTING
 * makes a repeat join the running execution; with reuse policy REJECT_DUPLICATE a repeat after
 * the run closed is refused by the server and answered from that run's result instead of starting
 * the saga a second time.
 */
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  isGrpcDeadlineError,
  type Client,
} from '@temporalio/client';
import type { SearchAttributePair, UpdateDefinition } from '@temporalio/common';
import { ensureReachable, isTemporalUnavailable } from './temporal-client';

export type StartAndAwaitResult<R> = { kind: 'outcome'; value: R; workflowId: string } | { kind: 'pending'; workflowId: string };

export interface StartAndAwaitOptions<R> {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  update: UpdateDefinition<R, []>;
  waitMs: number;
  /** REJECT_DUPLICATE: one run per id, ever (sagas). ALLOW_DUPLICATE: a repeat re-runs (harmless runs). */
  reusePolicy: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE';
  /** Maps a closed run's result to the update's result type. Default: the result itself. */
  fromResult?: (result: unknown) => R;
  /** Shown in the Temporal UI from the start (the workflow upserts its own later). */
  memo?: Record<string, unknown>;
  /** Search attributes set at start, so operators find the run from its first moment. */
  searchAttributes?: SearchAttributePair[];
  /** Deadline of the existence check after a timed-out wait. Default 3 s. */
  probeMs?: number;
}

export class TemporalUnavailableError extends Error {
  readonly code = 'dependency_unavailable';
  readonly dependency = 'temporal';
  /** false: the server surely did not start the workflow (the caller may forget the request). */
  constructor(cause?: unknown, readonly maybeStarted = false) {
    super('temporal is unavailable, try again shortly', { cause });
    this.name = 'TemporalUnavailableError';
  }
  details() {
    return { dependency: this.dependency };
  }
}

/** Throws TemporalUnavailableError (surely nothing started) unless Temporal answered just now. */
export async function assertReachable(client: Client): Promise<void> {
  await ensureReachable(client).catch((error: unknown) => unavailable(error));
}

export async function startAndAwait<R>(client: Client, options: StartAndAwaitOptions<R>): Promise<StartAndAwaitResult<R>> {
  const { workflowId } = options;
  // A dead server is found within the rpc timeout, not after the whole wait budget.
  await assertReachable(client);
  const deadline = Date.now() + options.waitMs;
  const startOperation = new WithStartWorkflowOperation(options.workflowType, {
    workflowId,
    taskQueue: options.taskQueue,
    args: options.args,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: options.reusePolicy,
    ...(options.memo ? { memo: options.memo } : {}),
    ...(options.searchAttributes ? { typedSearchAttributes: options.searchAttributes } : {}),
  });
  try {
    const value = await client.withDeadline(deadline, () =>
      client.workflow.executeUpdateWithStart(options.update, { startWorkflowOperation: startOperation }),
    );
    return { kind: 'outcome', value, workflowId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError || isClosedWorkflowError(error)) {
      return closedRunOutcome(client, options, deadline);
    }
    const started = await startOperation.workflowHandle().then(() => true, () => false);
    if (isGrpcDeadlineError(error) || (error as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') {
      if (started || (await workflowExists(client, workflowId, options.probeMs ?? 3000))) return { kind: 'pending', workflowId };
      unavailable(error);
    }
    if (isTemporalUnavailable(error)) unavailable(error, started);
    throw error;
  }
}

/** The run closed before (or while) we asked: its result is the outcome. */
async function closedRunOutcome<R>(client: Client, options: StartAndAwaitOptions<R>, deadline: number): Promise<StartAndAwaitResult<R>> {
  const handle = client.workflow.getHandle(options.workflowId);
  try {
    const result = await client.withDeadline(Math.max(deadline, Date.now() + 1000), () => handle.result());
    return { kind: 'outcome', value: options.fromResult ? options.fromResult(result) : (result as R), workflowId: options.workflowId };
  } catch (error) {
    if (isTemporalUnavailable(error)) unavailable(error);
    throw error;
  }
}

/** Whether the server knows the workflow; unreachable counts as "no" (nothing was started then). */
async function workflowExists(client: Client, workflowId: string, probeMs: number): Promise<boolean> {
  try {
    await client.withDeadline(Date.now() + probeMs, () => client.workflow.getHandle(workflowId).describe());
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || isTemporalUnavailable(error)) return false;
    throw error;
  }
}

function unavailable(cause: unknown, maybeStarted = false): never {
  throw new TemporalUnavailableError(cause, maybeStarted);
}

/** An update sent to a run that completed in between: the server says the execution is closed. */
function isClosedWorkflowError(error: unknown): boolean {
  const message = String((error as Error)?.message ?? '') + String(((error as { cause?: Error })?.cause as Error)?.message ?? '');
  return /already completed|workflow execution already finished|execution has completed/i.test(message);
}
