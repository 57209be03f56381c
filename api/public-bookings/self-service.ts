/**
 * The customer's own changes through the self-service link: cancel and reschedule run exactly the
 * company endpoints' paths (booking-actions.ts: the cancellation workflow and the reschedule saga,
 * idempotency, lifecycle signals), scoped to the token's booking, after the self-service rules of
 * the branch (cancellation_cutoff, max_reschedules: domain/booking/rules/self-service-change.ts),
 * which bind only this path. The answer is the customer-safe view.
 *
 * A self-service reschedule keeps the staff member (the link's availability lists their slots).
 * The check here answers the common case before any workflow starts; concurrent moves of one
 * booking may all pass it, so the saga also claims the move under the branch's maxReschedules (a
 * guarded increment, reschedule-claim.activities.ts): one of them goes ahead, the others are
 * refused with the same 422 max_reschedules, and the count never passes the limit.
 */
import { validateSelfServiceChange, selfServicePolicyOf } from '../../domain/booking/rules';
import { violationView } from '../../domain/errors';
import { cancelBooking, rescheduleBooking } from '../bookings/booking-actions';
import { ApiError } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import { disabledOf, renderPublicBooking } from './public-booking.view';
import { bookingOfToken, customerContext, type TokenBooking } from './self-service-token';

function assertSelfServiceAllows(ctx: RouteContext, row: TokenBooking, action: 'cancel' | 'reschedule'): void {
  // Other states get the company path's own answer (a cancelled booking cancels again as 200, a failed one is 409).
  // A request awaiting approval is bound like a confirmed booking when cancelled (it cannot be moved).
  if (row.status !== 'confirmed' && !(action === 'cancel' && row.status === 'awaiting_approval')) return;
  const violations = validateSelfServiceChange({
    change: { action, bookingStart: row.startAt.getTime(), rescheduledCount: row.rescheduledCount },
    policy: selfServicePolicyOf(row.branch.rules),
    now: ctx.now().getTime(),
    disabledRules: disabledOf(row.branch.rules),
  });
  if (violations.length > 0) {
    throw new ApiError('booking_rule_violation', violations.map((v) => v.message).join('; '), {
      violations: violations.map(violationView),
    });
  }
}

/** The company path's answer, re-rendered for the customer (problems pass through as sent). */
async function asCustomerAnswer(ctx: RouteContext, token: string, reply: Reply | void): Promise<Reply | void> {
  if (!reply) return reply;
  return { ...reply, body: renderPublicBooking(ctx, await bookingOfToken(ctx, token)) };
}

export async function selfServiceCancel(ctx: RouteContext, token: string, reason: string | undefined, key: string | undefined): Promise<Reply | void> {
  const row = await bookingOfToken(ctx, token);
  assertSelfServiceAllows(ctx, row, 'cancel');
  const reply = await cancelBooking(customerContext(ctx, row), row.id, reason ?? 'cancelled by the customer', key);
  return asCustomerAnswer(ctx, token, reply);
}

export async function selfServiceReschedule(ctx: RouteContext, token: string, start: Date, key: string | undefined): Promise<Reply | void> {
  const row = await bookingOfToken(ctx, token);
  assertSelfServiceAllows(ctx, row, 'reschedule');
  const limited = !disabledOf(row.branch.rules).includes('max_reschedules');
  const { maxReschedules } = selfServicePolicyOf(row.branch.rules);
  const request = { start, reason: 'rescheduled by the customer', ...(limited ? { maxReschedules } : {}) };
  const reply = await rescheduleBooking(customerContext(ctx, row), row.id, request, key);
  return asCustomerAnswer(ctx, token, reply);
}
