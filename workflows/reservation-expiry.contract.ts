/**
 * Public contract of a reservation's expiry (API.md "Reservations"): one small workflow per
 * reservation, `reservation-<reservationId>`, started by the API when it took the hold. Names are
 * a durable API: never rename.
 */
import { defineSignal } from '@temporalio/workflow';

export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const RESERVATION_EXPIRY_WORKFLOW = 'reservationExpiryWorkflow';

export interface ReservationExpiryInput {
  reservationId: string;
  branchId: string;
  /** UTC ISO instant at which the hold ends unless it became a booking or was released. */
  expiresAt: string;
}

/** What the hold became: expired here, released by DELETE, or gone otherwise (converted into a booking). */
export interface ReservationExpiryResult {
  outcome: 'expired' | 'released' | 'not_pending';
}

/** The freed slot of a reservation the API released (DELETE): the workflow wakes waiting lists and ends. */
export interface ReservationReleasedEvent {
  staffId: string;
  start: string;
  end: string;
}

export const reservationReleasedSignal = defineSignal<[ReservationReleasedEvent]>('reservationReleased');

export const reservationWorkflowId = (reservationId: string): string => `reservation-${reservationId}`;
