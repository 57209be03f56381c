/**
 * The booking behind a self-service token. The signature and expiry are checked first, without
 * touching the database (a forged or expired token costs one HMAC); then the one booking it names
 * is read, and its company scopes everything the request does. Every refusal is the same 404, so
 * a caller learns nothing about which bookings exist.
 */
import type { Principal } from '../access-policy';
import { ApiError } from '../error-handler';
import type { RouteContext } from '../route-kit';
import { verifyBookingToken } from '../../infra/self-service/tokens';
import { HOLD_SOURCE } from '../bookings/booking.view';

export const tokenNotFound = () => new ApiError('not_found', 'Unknown or expired booking link');

export async function bookingOfToken(ctx: RouteContext, token: string) {
  const claims = verifyBookingToken(token, ctx.deps.config.selfServiceSecret, ctx.now());
  if (!claims) throw tokenNotFound();
  const row = await ctx.deps.db.booking.findFirst({
    where: { id: claims.bookingId, source: { not: HOLD_SOURCE } },
    include: {
      branch: { select: { id: true, name: true, timezone: true, rules: true } },
      service: { select: { id: true, name: true, durationMinutes: true, price: true } },
      staff: { select: { id: true, name: true } },
      customer: { select: { id: true, name: true } },
      review: true,
    },
  });
  if (!row) throw tokenNotFound();
  return row;
}
export type TokenBooking = Awaited<ReturnType<typeof bookingOfToken>>;

/**
 * The request context of a self-service call: scoped to the token's company, acting as the
 * customer (the `public` role: not a booking key, so the booking key's limits do not apply; the
 * self-service rules are checked by the caller before).
 */
export function customerContext(ctx: RouteContext, booking: { id: string; companyId: string }): RouteContext {
  const principal: Principal = { kind: 'company', companyId: booking.companyId, role: 'public', keyId: `self-service:${booking.id}` };
  return { ...ctx, companyId: () => booking.companyId, principal: () => principal };
}
