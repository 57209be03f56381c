/**
 * Booking schemas (API.md "Bookings"): request bodies and queries that validate (every invalid
 * field reported at once), and the booking representation the handlers render. Instants in
 * requests need an offset; output instants carry the branch's offset.
 */
import { date, id, instant, instantOut, pageQuery, name, plainText } from '../common.schemas';
import { z } from '../zod';
import { customerSchema } from '../customers/customers.schemas';
import { expandedFields, expandQuery } from './booking-expand';

export const BOOKING_ORDERS = ['start', '-start', 'createdAt', '-createdAt'] as const;
export type BookingOrder = (typeof BOOKING_ORDERS)[number];

export const SOURCES = ['phone', 'web', 'api', 'mobile'] as const;
/** API.md Booking `calendar.status`: not_linked when the branch, staff member or service has no calendar link. */
export const CALENDAR_STATUSES = ['not_linked', 'pending', 'synced', 'failed'] as const;
export const BOOKING_STATUSES = ['pending', 'awaiting_approval', 'confirmed', 'declined', 'cancelled', 'failed', 'no_show', 'completed'] as const;

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: 'Repeats with the same key and body answer the original result (Idempotent-Replayed: true); kept 24 h' }),
});

const participant = z.strictObject({
  name,
  email: z.email().max(320).optional(),
});

const fullBookingBody = z
  .strictObject({
    branchId: id,
    serviceId: id,
    customerId: id,
    start: instant,
    staffId: id.optional().openapi({ description: 'Omit to auto-assign. For a package this person takes every part; a part they cannot do (skills, hours, other appointments) makes the start unavailable (409 slot_unavailable with alternatives)' }),
    durationMinutes: z.number().int().min(5).max(24 * 60).optional().openapi({ description: 'Flexible services only' }),
    preferences: z
      .strictObject({ gender: z.string().min(1).max(40).optional(), language: z.string().min(2).max(20).optional() })
      .optional(),
    participants: z.array(participant).max(500).optional(),
    source: z.enum(SOURCES).default('api'),
    notes: plainText(2000).optional(),
    reservationId: id.optional().openapi({
      description: 'Book this reservation\'s slot with the full body sent along: branchId, serviceId, start, staffId and durationMinutes must then be the reservation\'s own (else 400 validation_error). The short form is CreateBookingFromReservation.',
    }),
  })
  .openapi('CreateBooking');
export type FullBookingBody = z.infer<typeof fullBookingBody>;

/** API.md: `{reservationId, customerId, source?, notes?, participants?}` is a complete body; it books exactly the reservation's slot. */
const reservationBookingBody = z
  .strictObject({
    reservationId: id.openapi({ description: 'Book exactly this reservation\'s slot (branch, service, staff, start, end)' }),
    customerId: id,
    participants: z.array(participant).max(500).optional(),
    preferences: z.strictObject({ gender: z.string().min(1).max(40).optional(), language: z.string().min(2).max(20).optional() }).optional(),
    source: z.enum(SOURCES).default('api'),
    notes: plainText(2000).optional(),
  })
  .openapi('CreateBookingFromReservation');
export type ReservationBookingBody = z.infer<typeof reservationBookingBody>;
/** A booking of a reservation: the short form, or the full body with `reservationId` (its slot fields must match). */
export type ReservationRequest = ReservationBookingBody & Partial<Pick<FullBookingBody, 'branchId' | 'serviceId' | 'start' | 'staffId' | 'durationMinutes'>>;

export const createBookingBody = z.union([reservationBookingBody, fullBookingBody]);
export type CreateBookingBody = z.infer<typeof createBookingBody>;

export const rescheduleBody = z
  .strictObject({ start: instant, staffId: id.optional(), reason: plainText(500).optional() })
  .openapi('RescheduleBooking');

export const cancelBody = z.strictObject({ reason: plainText(500).optional() }).optional().openapi('CancelBooking');

export const declineBody = z.strictObject({ reason: plainText(500).optional() }).optional().openapi('DeclineBooking');

/** `from`/`to`: an instant with offset, or a date (whole day, branch zone; UTC without branchId). */
const instantOrDate = z.union([instant, date]).openapi({ type: 'string', description: 'Instant with offset, or YYYY-MM-DD' });

export const listBookingsQuery = pageQuery.extend({
  branchId: id.optional(),
  staffId: id.optional(),
  customerId: id.optional(),
  status: z.enum(BOOKING_STATUSES).optional(),
  from: instantOrDate.optional().openapi({ description: 'Bookings starting at or after (a date: from its first minute)' }),
  to: instantOrDate.optional().openapi({ description: 'Bookings starting before (a date: up to its last minute)' }),
  order: z.enum(BOOKING_ORDERS).default('createdAt').openapi({ description: 'Sort key; a leading "-" sorts descending. Ties are broken by id. A cursor belongs to the order it was made with.' }),
  expand: expandQuery,
});
export type ListBookingsQuery = z.infer<typeof listBookingsQuery>;

export const bookingSchema = z
  .object({
    id,
    status: z.enum(BOOKING_STATUSES),
    branchId: id,
    serviceId: id,
    customerId: id,
    staffId: id.nullable(),
    resourceId: id.nullable(),
    start: instantOut,
    end: instantOut,
    source: z.string(),
    participants: z.array(z.object({ name: z.string(), email: z.string().nullish() })),
    rescheduledCount: z.number().int(),
    calendar: z.object({ status: z.enum(CALENDAR_STATUSES), externalId: z.string().nullable() }),
    workflowId: z.string().nullable(),
    failureReason: z.string().nullable(),
    notes: z.string().nullable(),
    seriesId: z.string().nullable(),
    parts: z
      .array(z.object({
        serviceId: id,
        staffId: id,
        resourceId: id.nullable(),
        start: instantOut,
        end: instantOut,
        calendar: z.object({ status: z.enum(CALENDAR_STATUSES), externalId: z.string().nullable() }),
      }))
      .optional()
      .openapi({ description: 'Packages only: every part in packageServiceIds order (the booking\'s staffId and resourceId are the first part\'s); each part is held, synced, moved and freed with the booking' }),
    createdAt: instantOut,
    updatedAt: instantOut,
    ...expandedFields(customerSchema),
  })
  .openapi('Booking');

export const getBookingQuery = z.object({ expand: expandQuery });
export type BookingOut = z.infer<typeof bookingSchema>;

export const bookingWithHistorySchema = bookingSchema
  .extend({ history: z.array(z.object({ at: instantOut, event: z.string(), detail: z.record(z.string(), z.unknown()) })) })
  .openapi('BookingWithHistory');

export const replayedHeader = {
  'Idempotent-Replayed': { description: '"true" when this answer repeats an earlier one for the same Idempotency-Key', schema: { type: 'string' as const } },
};
