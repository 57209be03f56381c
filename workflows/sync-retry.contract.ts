/**
 * Public contract of the support retry of a calendar sync failure (`POST
 * /v1/sync-failures/:id/retry` → 202 {id, status: "retrying", workflowId}). The workflow marks the
 * failure `retrying`, replays the failed operation (create: re-hold the original slot if still
 * free and create/adopt the Cal.com booking, then confirm; reschedule: run the reschedule saga again
 * as a child workflow towards the requested start; cancel: cancel the Cal.com booking), then marks
 * it `resolved`, or
 * `open` again with attempts + 1 and the new error. Names are a durable API.
 */
import { defineQuery } from '@temporalio/workflow';
import type { NotFoundOutcome } from './lib/outcomes';

export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const SYNC_RETRY_WORKFLOW = 'syncRetryWorkflow';

export type SyncOperation = 'create' | 'reschedule' | 'cancel' | 'inbound_reschedule';

export interface SyncRetryInput {
  syncFailureId: string;
  /** The failure's `attempts` + 1 at request time; part of the workflow id. */
  attempt: number;
}

export type SyncRetryResult =
  | { kind: 'resolved'; syncFailureId: string; bookingId: string; operation: SyncOperation; externalId: string | null }
  | { kind: 'still_open'; syncFailureId: string; bookingId: string; operation: SyncOperation; error: string }
  | { kind: 'not_retryable'; syncFailureId: string; status: string }
  | NotFoundOutcome;

export type SyncRetryStep = 'starting' | 'retrying_calendar' | 'confirming' | 'resolving' | 'reopening' | 'done';

/**
 * One run per attempt: a repeated POST for the same attempt attaches to it (WorkflowIdConflictPolicy
 * USE_EXISTING, reuse policy REJECT_DUPLICATE), the next attempt gets a new id.
 */
export const syncRetryWorkflowId = (syncFailureId: string, attempt: number): string =>
  `sync-retry-${syncFailureId}-${attempt}`;

export const syncRetryStepQuery = defineQuery<SyncRetryStep>('currentStep');
