/**
 * Reservation schemas (API.md "Reservations, next free slots, phone lookup"): hold a slot for a
 * few minutes while a caller decides, then book it with `reservationId`.
 */
import { id, instant, instantOut, name } from '../common.schemas';
import { z } from '../zod';

export const MIN_TTL_SECONDS = 30;
export const MAX_TTL_SECONDS = 900;

const participant = z.strictObject({ name, email: z.email().max(320).optional() });

export const createReservationBody = z
  .strictObject({
    branchId: id,
    serviceId: id,
    start: instant,
    staffId: id.optional().openapi({ description: 'Omit to auto-assign' }),
    durationMinutes: z.number().int().min(5).max(24 * 60).optional().openapi({ description: 'Flexible services only' }),
    participants: z.array(participant).max(500).optional().openapi({ description: 'Group services: the group (its size is what is held)' }),
    ttlSeconds: z
      .number()
      .int()
      .min(MIN_TTL_SECONDS)
      .max(MAX_TTL_SECONDS)
      .optional()
      .openapi({ description: `How long the slot is held (${MIN_TTL_SECONDS}..${MAX_TTL_SECONDS} s; default RESERVATION_TTL, 300)` }),
  })
  .openapi('CreateReservation');
export type CreateReservationBody = z.infer<typeof createReservationBody>;

export const reservationSchema = z
  .object({
    id,
    branchId: id,
    serviceId: id,
    staffId: id,
    start: instantOut,
    end: instantOut,
    expiresAt: instantOut,
    status: z.enum(['active', 'expired', 'released', 'converted']).openapi({ description: 'converted: booked with reservationId (see bookingId)' }),
    bookingId: z.string().nullable(),
  })
  .openapi('Reservation');
export type ReservationOut = z.infer<typeof reservationSchema>;
