/**
 * Schemas of the customer's endpoints (API.md "The booking after confirmation"): the keyless
 * self-service endpoints under `/v1/public/bookings/:token` and `POST /v1/public/bookings` (role
 * `public`). The self-service answer is customer-safe: the booking's own times and names, never
 * other customers, internal ids of calendars or workflows, or the customer's contact data.
 */
import { date, id, instant, instantOut, name, plainText } from '../common.schemas';
import { language, phone } from '../customers/customers.schemas';
import { bookingSchema } from '../bookings/bookings.schemas';
import { z } from '../zod';

export const tokenParams = z.object({
  token: z.string().min(1).max(512).openapi({ description: 'The signed self-service token of the link `PUBLIC_BASE_URL/b/<token>`' }),
});

export const publicBookingView = z
  .object({
    id,
    status: z.string().openapi({ description: 'As on the booking: pending | awaiting_approval | confirmed | declined | cancelled | failed | no_show | completed' }),
    start: instantOut,
    end: instantOut,
    timezone: z.string(),
    branch: z.object({ id, name: z.string(), timezone: z.string() }),
    service: z.object({ id, name: z.string(), durationMinutes: z.number().int(), price: z.number().nullable() }),
    staff: z.object({ id, name: z.string() }),
    customer: z.object({ name: z.string() }),
    rescheduledCount: z.number().int(),
    selfService: z
      .object({
        canCancel: z.boolean(),
        canReschedule: z.boolean(),
        /** The last moment a cancel or move is accepted online. */
        changeableUntil: instantOut,
        cancellationCutoffHours: z.number().int(),
        maxReschedules: z.number().int(),
        reschedulesLeft: z.number().int(),
      })
      .openapi({ description: 'What this link may still do; company keys are not bound by these rules' }),
    canReview: z.boolean().openapi({ description: 'Completed and not reviewed yet' }),
    review: z.object({ rating: z.number().int(), comment: z.string().nullable(), createdAt: instantOut }).nullable(),
    manageUrl: z.string().openapi({ description: 'A fresh self-service link for this booking (valid until it ends; after its end, the review link)' }),
  })
  .openapi('PublicBooking');
export type PublicBookingView = z.infer<typeof publicBookingView>;

export const publicAvailabilityQuery = z
  .object({ from: date, to: date })
  .superRefine((q, ctx) => {
    const days = Math.round((Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000) + 1;
    if (!Number.isFinite(days)) return;
    if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must not be before `from`' });
    else if (days > 62) ctx.addIssue({ code: 'custom', path: ['to'], message: `At most 62 days per request (got ${days})` });
  });

export const publicRescheduleBody = z.strictObject({ start: instant }).openapi('PublicReschedule');
export const publicCancelBody = z.strictObject({ reason: plainText(500).optional() }).optional().openapi('PublicCancel');

export const createPublicBookingBody = z
  .strictObject({
    reservationId: id.openapi({ description: 'A reservation made with POST /v1/reservations (same company)' }),
    customer: z
      .strictObject({ name, email: z.email().max(320).optional(), phone: phone.optional(), language: language.optional() })
      .refine((c) => c.phone !== undefined || c.email !== undefined, { message: 'phone or email is required', path: ['phone'] }),
    notes: plainText(2000).optional(),
  })
  .openapi('CreatePublicBooking', {
    description: 'Books the reservation for the customer found by phone (first) or e-mail, or created; source "web".',
  });
export type CreatePublicBookingBody = z.infer<typeof createPublicBookingBody>;

export const publicBookingCreated = bookingSchema
  .extend({ manageUrl: z.string().openapi({ description: 'The customer\'s self-service link (PUBLIC_BASE_URL/b/<token>), valid until the booking ends' }) })
  .openapi('PublicBookingCreated');

export const reviewBody = z
  .strictObject({ rating: z.number().int().min(1).max(5), comment: plainText(2000).optional() })
  .openapi('CreateReview');
