/**
 * Bookings (API.md "Bookings"): create through the booking saga, read with history, list with
 * filters, the reschedule / cancel / no-show / complete actions and the booking's notifications. Handlers parse, call the use case and
 * map; every POST accepts Idempotency-Key (api/bookings/idempotency.ts).
 */
import { idParams, listOf } from '../common.schemas';
import { defineRoute, routeGroup } from '../route-kit';
import { expandBookings } from './booking-expand';
import { cancelBooking, completeBooking, markNoShow, rescheduleBooking } from './booking-actions';
import { decideBooking } from './booking-approval';
import { bookingNotificationsSchema, listBookingNotifications } from './booking-notifications';
import { listBookings } from './booking-queries';
import { loadBookingWithHistory } from './booking.view';
import {
  bookingSchema,
  bookingWithHistorySchema,
  cancelBody,
  createBookingBody,
  declineBody,
  getBookingQuery,
  idempotencyHeaders,
  listBookingsQuery,
  replayedHeader,
  rescheduleBody,
} from './bookings.schemas';
import { createBooking } from './create-booking';
import { createFromReservation } from './create-from-reservation';

const TAGS = ['bookings'];

export const bookingsRoutes = routeGroup('bookings', [
  defineRoute({
    method: 'post',
    path: '/v1/bookings',
    tags: TAGS,
    summary: 'Book an appointment (waits up to BOOKING_WAIT_MS for the outcome)',
    description:
      '201 once the slot is held, the calendar synced and the booking confirmed; 202 (status pending) when that takes longer than the wait budget; 409 slot_unavailable with up to 5 alternatives; 422 listing every violated rule; 502 calendar_sync_failed when the calendar refused (hold released, booking failed, sync failure recorded). A 202 is not stored for Idempotency-Key replays: a repeat joins the running saga and answers its outcome.',
    request: { body: createBookingBody, headers: idempotencyHeaders },
    responses: {
      201: { description: 'Confirmed', schema: bookingSchema, headers: replayedHeader },
      202: { description: 'Still pending', schema: bookingSchema, headers: replayedHeader },
    },
    problems: ['slot_unavailable', 'reservation_expired', 'booking_rule_violation', 'idempotency_key_reused', 'calendar_sync_failed', 'dependency_unavailable'],
    handler: ({ body, headers }, ctx) => {
      const key = headers['idempotency-key'];
      if (!('branchId' in body)) return createFromReservation(ctx, body, key);
      // The full body with a reservationId books the reservation (its slot fields must match it).
      if (body.reservationId !== undefined) return createFromReservation(ctx, { ...body, reservationId: body.reservationId }, key);
      return createBooking(ctx, body, key);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/bookings',
    tags: TAGS,
    summary: 'List bookings (by branch, staff, customer, status and start range; ordered and expanded on request)',
    request: { query: listBookingsQuery },
    responses: { 200: { description: 'Bookings', schema: listOf(bookingSchema) } },
    handler: async ({ query }, ctx) => ({ status: 200, body: await listBookings(ctx.deps.db, ctx.companyId(), query) }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/bookings/:id',
    tags: TAGS,
    summary: 'A booking with its history',
    request: { params: idParams, query: getBookingQuery },
    responses: { 200: { description: 'Booking', schema: bookingWithHistorySchema } },
    handler: async ({ params, query }, ctx) => {
      const booking = await loadBookingWithHistory(ctx.deps.db, ctx.companyId(), params.id);
      const [expanded] = await expandBookings(ctx.deps.db, ctx.companyId(), [booking], query.expand);
      return { status: 200, body: expanded };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/reschedule',
    tags: TAGS,
    summary: 'Move a booking (reschedule saga)',
    description:
      '200 with rescheduledCount + 1 and the old time in history; 409 slot_unavailable or invalid_state (cancelled/failed booking); 422; 502 when the calendar refused (the old time is kept); 202 with the unchanged booking when the saga needs longer than BOOKING_WAIT_MS.',
    request: { params: idParams, body: rescheduleBody, headers: idempotencyHeaders },
    responses: {
      200: { description: 'Rescheduled', schema: bookingSchema, headers: replayedHeader },
      202: { description: 'Still running', schema: bookingSchema, headers: replayedHeader },
    },
    problems: ['slot_unavailable', 'invalid_state', 'booking_rule_violation', 'idempotency_key_reused', 'calendar_sync_failed', 'dependency_unavailable'],
    handler: ({ params, body, headers }, ctx) => rescheduleBooking(ctx, params.id, body, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/cancel',
    tags: TAGS,
    summary: 'Cancel a booking (its slot is free at once; the calendar follows durably)',
    description:
      '200 cancelled for a confirmed booking or one awaiting approval (the latter was never written to the calendar; its approval wait ends, approve and decline answer 409 afterwards); cancelling a cancelled booking answers it again; 409 invalid_state in any other state.',
    request: { params: idParams, body: cancelBody, headers: idempotencyHeaders },
    responses: { 200: { description: 'Cancelled', schema: bookingSchema, headers: replayedHeader } },
    problems: ['invalid_state', 'idempotency_key_reused', 'dependency_unavailable'],
    handler: ({ params, body, headers }, ctx) => cancelBooking(ctx, params.id, body?.reason, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/no-show',
    tags: TAGS,
    summary: 'Mark a confirmed booking as no-show (only after its start)',
    request: { params: idParams, headers: idempotencyHeaders },
    responses: { 200: { description: 'Marked', schema: bookingSchema, headers: replayedHeader } },
    problems: ['invalid_state', 'idempotency_key_reused'],
    handler: ({ params, headers }, ctx) => markNoShow(ctx, params.id, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/complete',
    tags: TAGS,
    summary: 'Mark a confirmed booking as completed (front desk checkout; only after its start)',
    description:
      'The booking lifecycle completes a confirmed booking by itself at end + completionGraceMinutes (branch rule); this does it now. Completing a completed booking answers it again; other states are 409 invalid_state.',
    request: { params: idParams, headers: idempotencyHeaders },
    responses: { 200: { description: 'Completed', schema: bookingSchema, headers: replayedHeader } },
    problems: ['invalid_state', 'idempotency_key_reused'],
    handler: ({ params, headers }, ctx) => completeBooking(ctx, params.id, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/approve',
    tags: TAGS,
    summary: 'Approve a booking that awaits approval (manager): the calendar is written and the booking confirmed',
    description:
      '200 confirmed (calendar synced when linked, customer notified, reminders scheduled); 409 invalid_state unless the booking is awaiting_approval; 502 calendar_sync_failed when the calendar refused (hold released, booking failed); 202 with the current booking when that takes longer than BOOKING_WAIT_MS.',
    request: { params: idParams, headers: idempotencyHeaders },
    responses: {
      200: { description: 'Confirmed', schema: bookingSchema, headers: replayedHeader },
      202: { description: 'Still running', schema: bookingSchema, headers: replayedHeader },
    },
    problems: ['invalid_state', 'idempotency_key_reused', 'calendar_sync_failed', 'dependency_unavailable'],
    handler: ({ params, headers }, ctx) => decideBooking(ctx, params.id, { kind: 'approve' }, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/bookings/:id/decline',
    tags: TAGS,
    summary: 'Decline a booking that awaits approval (manager): its slot is free at once',
    description: '200 declined (customer notified, waiting lists woken); 409 invalid_state unless the booking is awaiting_approval.',
    request: { params: idParams, body: declineBody, headers: idempotencyHeaders },
    responses: {
      200: { description: 'Declined', schema: bookingSchema, headers: replayedHeader },
      202: { description: 'Still running', schema: bookingSchema, headers: replayedHeader },
    },
    problems: ['invalid_state', 'idempotency_key_reused', 'dependency_unavailable'],
    handler: ({ params, body, headers }, ctx) => decideBooking(ctx, params.id, { kind: 'decline', reason: body?.reason }, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/bookings/:id/notifications',
    tags: TAGS,
    summary: "The messages sent (or not) about a booking: confirmation, reminders, changes, review request",
    request: { params: idParams },
    responses: { 200: { description: 'Notifications, oldest first', schema: bookingNotificationsSchema } },
    handler: async ({ params }, ctx) => ({ status: 200, body: await listBookingNotifications(ctx.deps.db, ctx.companyId(), params.id) }),
  }),
]);
