/**
 * Public contract of calendar reconciliation (API.md "Calendar connections"): one Temporal
 * Schedule per connection (`calendar-reconcile-<connectionId>`, every CALENDAR_RECONCILE_INTERVAL,
 * overlap SKIP) and `POST /v1/calendar-connections/:id/reconcile` (workflow
 * `calendar-reconcile-<connectionId>-manual`, conflict USE_EXISTING) run one workflow that compares
 * the next 62 days of the account's Cal.com bookings with ours, repairs what a lost webhook missed
 * through the inbound steps, and records `lastReconciledAt` and `drift` on the connection. Cal.com
 * unreachable: the run fails and the next one tries again; nothing is changed without Cal.com's
 * positive word. Names are a durable API.
 */
export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const CALENDAR_RECONCILE_WORKFLOW = 'calendarReconcileWorkflow';

/** How far ahead bookings are compared (from one day back, for appointments under way). */
export const RECONCILE_WINDOW_DAYS = 62;
/** Most repairs one run applies; the rest wait for the next run. */
export const RECONCILE_MAX_REPAIRS = 100;

export const reconcileScheduleId = (connectionId: string): string => `calendar-reconcile-${connectionId}`;
export const manualReconcileWorkflowId = (connectionId: string): string => `calendar-reconcile-${connectionId}-manual`;

export interface CalendarReconcileInput {
  connectionId: string;
}

export type CalendarReconcileResult =
  | { kind: 'gone'; connectionId: string }
  | {
      kind: 'done';
      connectionId: string;
      /** Our bookings in the window compared. */
      examined: number;
      /** Changes applied (cancelled or moved here). */
      repaired: number;
      /** Differences left: refused moves (sync failures) and uids Cal.com did not show. */
      open: number;
      /** Cal.com requests this run made (paced under the account's rate limit). */
      requests: number;
    };
