/**
 * POST /v1/public/bookings (role `public`, API.md "The booking after confirmation"): the web
 * channel books a reservation it made for a customer given by name and phone or e-mail. The
 * customer is found or created exactly as `POST /v1/customers/find-or-create` does (phone first,
 * any spelling; concurrent calls make one customer), then the booking runs the path of
 * `POST /v1/bookings` with `reservationId` (create-from-reservation.ts) with `source: "web"`.
 * A found customer keeps their stored name and contact data. The answer adds `manageUrl`, the
 * customer's self-service link.
 */
import { manageLinkFor } from '../../infra/self-service/links';
import type { BookingOut } from '../bookings/bookings.schemas';
import { createFromReservation } from '../bookings/create-from-reservation';
import { findOrCreateCustomer } from '../customers/customer-keys';
import { companyCountry, e164OrInvalid } from '../customers/phone';
import type { Reply, RouteContext } from '../route-kit';
import type { CreatePublicBookingBody } from './public-bookings.schemas';

export async function createPublicBooking(ctx: RouteContext, body: CreatePublicBookingBody, idempotencyKey: string | undefined): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const companyId = ctx.companyId();
  const phone = body.customer.phone ? e164OrInvalid(body.customer.phone, await companyCountry(db, companyId), 'customer.phone') : null;
  const { customer } = await findOrCreateCustomer(db, companyId, {
    name: body.customer.name,
    phone,
    email: body.customer.email ?? null,
    language: body.customer.language ?? null,
  });
  const reply = await createFromReservation(
    ctx,
    { reservationId: body.reservationId, customerId: customer.id, source: 'web', ...(body.notes !== undefined ? { notes: body.notes } : {}) },
    idempotencyKey,
  );
  if (!reply || !reply.body) return reply;
  const booking = reply.body as BookingOut;
  return { ...reply, body: { ...booking, manageUrl: manageLinkFor(config, { id: booking.id, end: new Date(booking.end) }) } };
}
