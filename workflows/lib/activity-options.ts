/**
 * Activity timeouts and retry policies shared by the booking workflows.
 *
 * - Database steps retry without an attempt limit: they are idempotent and a DB outage should
 *   pause the saga, not fail it (a hold must never be left `pending` by giving up).
 * - Calendar steps retry timeouts, network errors, 429 and 5xx with backoff; the activities throw
 *   4xx answers as non-retryable ApplicationFailures. The attempt budget (~8 s of backoff) keeps a
 *   definitive answer inside the API's default 10 s wait for fast failures.
 * - Notifications and cache invalidation are best effort after the business outcome: bounded
 *   retries, and the workflows continue when they give up.
 * - Local database steps (plan, hold, confirm of the booking saga) run inside the workflow task
 *   on the worker, saving a server round trip each. Same unlimited retry; backoffs up to the
 *   local retry threshold sleep on the worker, longer ones become server timers. A worker that
 *   dies mid-step loses the workflow task and the step runs again (they are idempotent).
 * Start-to-close timeouts also bound how long a SIGKILLed worker's in-flight step stays hidden.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

export const DB_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

export const LOCAL_DB_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: DB_ACTIVITY.retry,
};

export const CALENDAR_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['CalendarRejected', 'CalendarSlotTaken', 'CalendarNotConfigured', 'NotFound'],
  },
};

/** Compensating calendar cancels try longer: leaving a remote booking behind breaks an invariant. */
export const CALENDAR_UNDO_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 12 },
};

export const BEST_EFFORT_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};
