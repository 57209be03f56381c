/**
 * Approval services (API.md "Catalog depth"): a booking waits `awaiting_approval` until a manager
 * approves or declines it, or until it is declined by itself `approvalTimeoutHours` after it was
 * made, but never later than its start (an undecided request must not outlive its appointment).
 * Pure: `now` is an argument.
 */
export const DEFAULT_APPROVAL_TIMEOUT_HOURS = 24;

const HOUR_MS = 60 * 60 * 1000;

/** Epoch ms of the automatic decline: min(now + hours, start), and not before now. */
export function approvalDeadline(nowMs: number, startMs: number, timeoutHours: number): number {
  return Math.max(nowMs, Math.min(nowMs + timeoutHours * HOUR_MS, startMs));
}

/** Who may still decide: only a booking that is awaiting approval. */
export function isAwaitingApproval(status: string): boolean {
  return status === 'awaiting_approval';
}
