/**
 * Reservations (API.md "Reservations, next free slots, phone lookup"): hold a slot while the
 * caller decides (reservation.service.ts), read it, release it. Booking it is POST /v1/bookings
 * with `reservationId` (api/bookings/create-from-reservation.ts).
 */
import { idParams } from '../common.schemas';
import { defineRoute, routeGroup } from '../route-kit';
import { createReservation, getReservation, releaseReservation } from './reservation.service';
import { createReservationBody, reservationSchema } from './reservations.schemas';

const TAGS = ['reservations'];

export const reservationsRoutes = routeGroup('reservations', [
  defineRoute({
    method: 'post',
    path: '/v1/reservations',
    tags: TAGS,
    summary: 'Hold a slot for a few minutes (30..900 s) while the caller decides',
    description:
      'The slot is held under the same constraints as a booking and offered to nobody else until expiresAt; then it is free again within 5 seconds and waiting lists are woken. Book it with POST /v1/bookings {reservationId, customerId}. 409 slot_unavailable with alternatives when it is taken. A package service cannot be reserved (422 booking_rule_violation, rule service_availability): book it directly.',
    request: { body: createReservationBody },
    responses: { 201: { description: 'Held', schema: reservationSchema } },
    problems: ['slot_unavailable', 'booking_rule_violation', 'dependency_unavailable'],
    handler: ({ body }, ctx) => createReservation(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/reservations/:id',
    tags: TAGS,
    summary: 'A reservation and its state',
    request: { params: idParams },
    responses: { 200: { description: 'Reservation', schema: reservationSchema } },
    handler: async ({ params }, ctx) => ({ body: await getReservation(ctx, params.id) }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/reservations/:id',
    tags: TAGS,
    summary: 'Release a reservation (the slot is free at once)',
    description: 'Idempotent: a reservation that already ended (expired, released, converted) is answered as it is.',
    request: { params: idParams },
    responses: { 200: { description: 'Released (or as it was)', schema: reservationSchema } },
    handler: async ({ params }, ctx) => ({ body: await releaseReservation(ctx, params.id) }),
  }),
]);
