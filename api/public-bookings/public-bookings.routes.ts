/**
 * The customer's endpoints (API.md "The booking after confirmation"):
 * - keyless, under `/v1/public/bookings/:token` (the signed token is the credential and names the
 *   one booking; a tampered or expired token is a 404 before any database read): the booking,
 *   the staff member's free slots for a move, cancel, reschedule, and the review;
 * - `POST /v1/public/bookings` for the `public` role (the web channel's publishable key).
 */
import { availabilityServiceOf } from '../availability/availability.deps';
import { availabilityQuery, availabilityResponse } from '../availability/availability.schemas';
import { idempotencyHeaders, replayedHeader } from '../bookings/bookings.schemas';
import { defineRoute, routeGroup } from '../route-kit';
import { createReview } from '../reviews/reviews.service';
import { formatInstant } from '../common.schemas';
import { z } from '../zod';
import { createPublicBooking } from './create-public-booking';
import { renderPublicBooking } from './public-booking.view';
import {
  createPublicBookingBody,
  publicAvailabilityQuery,
  publicBookingCreated,
  publicBookingView,
  publicCancelBody,
  publicRescheduleBody,
  reviewBody,
  tokenParams,
} from './public-bookings.schemas';
import { selfServiceCancel, selfServiceReschedule } from './self-service';
import { bookingOfToken } from './self-service-token';

const TAGS = ['self-service'];
const publicReview = z.object({ rating: z.number().int(), comment: z.string().nullable(), createdAt: z.string() }).openapi('PublicReview');

export const publicBookingsRoutes = routeGroup('public-bookings', [
  defineRoute({
    method: 'post',
    path: '/v1/public/bookings',
    tags: TAGS,
    summary: 'Book a reservation for a customer given by phone or e-mail (public key; source "web")',
    description:
      'Like POST /v1/bookings with reservationId: 201 confirmed, 202 pending, 409 reservation_expired or slot_unavailable, 422, 502. The customer is found by phone (first) or e-mail, or created. The answer adds manageUrl, the customer\'s self-service link.',
    request: { body: createPublicBookingBody, headers: idempotencyHeaders },
    responses: {
      201: { description: 'Confirmed', schema: publicBookingCreated, headers: replayedHeader },
      202: { description: 'Still pending', schema: publicBookingCreated, headers: replayedHeader },
    },
    problems: ['slot_unavailable', 'reservation_expired', 'booking_rule_violation', 'idempotency_key_reused', 'calendar_sync_failed', 'dependency_unavailable'],
    handler: ({ body, headers }, ctx) => createPublicBooking(ctx, body, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/public/bookings/:token',
    keyless: true,
    tags: TAGS,
    summary: 'The booking behind a self-service link (no key: the token is the credential)',
    request: { params: tokenParams },
    responses: { 200: { description: 'The booking, customer-safe fields only', schema: publicBookingView } },
    handler: async ({ params }, ctx) => ({ body: renderPublicBooking(ctx, await bookingOfToken(ctx, params.token)) }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/public/bookings/:token/availability',
    keyless: true,
    tags: TAGS,
    summary: "Free slots to move the booking to: the same service and staff member (at most 62 days)",
    request: { params: tokenParams, query: publicAvailabilityQuery },
    responses: { 200: { description: 'Slots per day', schema: availabilityResponse } },
    handler: async ({ params, query }, ctx) => {
      const row = await bookingOfToken(ctx, params.token);
      const minutes = Math.round((row.endAt.getTime() - row.startAt.getTime()) / 60_000);
      const search = availabilityQuery.parse({
        branchId: row.branchId,
        serviceId: row.serviceId,
        staffId: row.staffId,
        from: query.from,
        to: query.to,
        ...(minutes !== row.service.durationMinutes ? { durationMinutes: String(minutes) } : {}),
      });
      // Not a new customer's search: left out of the analytics' conversion figure.
      const answer = await availabilityServiceOf(ctx.deps).search(row.companyId, search, { record: false });
      ctx.res.status(200).set({ 'Content-Type': 'application/json; charset=utf-8', 'X-Cache': answer.cache }).end(answer.body);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/public/bookings/:token/cancel',
    keyless: true,
    tags: TAGS,
    summary: 'Cancel the booking (self-service: not later than cancellationCutoffHours before its start)',
    description: '200 cancelled (the slot is free at once), also for a request still awaiting approval (withdrawn: never written to the calendar, no decision follows); 422 booking_rule_violation with rule cancellation_cutoff; 409 invalid_state; 404 for a tampered or expired link.',
    request: { params: tokenParams, body: publicCancelBody, headers: idempotencyHeaders },
    responses: { 200: { description: 'Cancelled', schema: publicBookingView, headers: replayedHeader } },
    problems: ['booking_rule_violation', 'invalid_state', 'idempotency_key_reused', 'dependency_unavailable'],
    handler: ({ params, body, headers }, ctx) => selfServiceCancel(ctx, params.token, body?.reason, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/public/bookings/:token/reschedule',
    keyless: true,
    tags: TAGS,
    summary: 'Move the booking to another start with the same staff member (self-service rules apply)',
    description:
      '200 moved; 409 slot_unavailable (alternatives) or invalid_state; 422 booking_rule_violation (cancellation_cutoff, max_reschedules, or the rules of the new start); 502 when the calendar refused (old time kept); 202 when the move needs longer than BOOKING_WAIT_MS.',
    request: { params: tokenParams, body: publicRescheduleBody, headers: idempotencyHeaders },
    responses: {
      200: { description: 'Moved', schema: publicBookingView, headers: replayedHeader },
      202: { description: 'Still running', schema: publicBookingView, headers: replayedHeader },
    },
    problems: ['slot_unavailable', 'invalid_state', 'booking_rule_violation', 'idempotency_key_reused', 'calendar_sync_failed', 'dependency_unavailable'],
    handler: ({ params, body, headers }, ctx) => selfServiceReschedule(ctx, params.token, body.start, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/public/bookings/:token/review',
    keyless: true,
    tags: TAGS,
    summary: 'Review the completed booking (once)',
    description: '201 with the review; 409 already_reviewed for a second one; 409 invalid_state before the booking is completed.',
    request: { params: tokenParams, body: reviewBody },
    responses: { 201: { description: 'Reviewed', schema: publicReview } },
    problems: ['already_reviewed', 'invalid_state'],
    handler: async ({ params, body }, ctx) => {
      const row = await bookingOfToken(ctx, params.token);
      const review = await createReview(ctx.deps.db, row, body);
      return { status: 201, body: { rating: review.rating, comment: review.comment, createdAt: formatInstant(review.createdAt, row.branch.timezone) } };
    },
  }),
]);
