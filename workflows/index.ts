/**
 * Every workflow the worker runs (the worker bundles this file). One export line per workflow;
 * workflow function names are a durable API: renaming one orphans running executions.
 */
export { bookAppointmentWorkflow } from './book-appointment.workflow';
export { seriesWorkflow } from './series.workflow';
export { seriesCancelWorkflow } from './series-cancel.workflow';
export { waitlistMonitorWorkflow } from './waitlist-monitor.workflow';
export { rescheduleBookingWorkflow } from './reschedule-booking.workflow';
export { cancelBookingWorkflow } from './cancel-booking.workflow';
export { syncRetryWorkflow } from './sync-retry.workflow';
export { holdSweeperWorkflow } from './hold-sweeper.workflow';
export { bookingLifecycleWorkflow } from './booking-lifecycle.workflow';
export { reservationExpiryWorkflow } from './reservation-expiry.workflow';
// Side effect only: PINNED / AUTO_UPGRADE per workflow type for versioned workers.
import './versioning';
export { notificationRelayWorkflow } from './notification-relay.workflow';
export { webhookDeliveryWorkflow } from './webhook-delivery.workflow';
export { webhookDispatcherWorkflow } from './webhook-dispatcher.workflow';
export { calendarInboundWorkflow } from './calendar-inbound.workflow';
export { calendarReconcileWorkflow } from './calendar-reconcile.workflow';
