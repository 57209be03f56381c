/**
 * Public contract of the notification relay (issue 12): a Temporal Schedule (`notification-relay`,
 * every minute, overlap skip; ensured by every worker at start-up like the hold sweeper) runs
 * `notificationRelayWorkflow`, which resends `pending` notifications whose sends failed, with
 * backoff, until sent or 72 hours old (then `failed`). Names are a durable API.
 */
export const NOTIFICATION_RELAY_WORKFLOW = 'notificationRelayWorkflow';
export const NOTIFICATION_RELAY_SCHEDULE_ID = 'notification-relay';
export const NOTIFICATION_RELAY_INTERVAL = '1 minute';
/** A scheduled run that cannot finish ends before the next is due. */
export const NOTIFICATION_RELAY_RUN_TIMEOUT = '55 seconds';

export interface NotificationRelayInput {
  /** Rows per pass (default 100); the next scheduled run continues. */
  limit?: number;
}

export interface NotificationRelayResult {
  sent: number;
  retryLater: number;
  failed: number;
}
