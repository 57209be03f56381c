/** The customer-safe view of a booking behind a self-service link (public-bookings.schemas.ts). */
import { selfServicePolicyOf, validateSelfServiceChange } from '../../domain/booking/rules';
import { manageLinkFor, reviewLinkFor } from '../../infra/self-service/links';
import { formatInstant } from '../common.schemas';
import type { RouteContext } from '../route-kit';
import type { PublicBookingView } from './public-bookings.schemas';
import type { TokenBooking } from './self-service-token';

const HOUR = 3_600_000;

export function renderPublicBooking(ctx: RouteContext, row: TokenBooking): PublicBookingView {
  const zone = row.branch.timezone;
  const now = ctx.now().getTime();
  const policy = selfServicePolicyOf(row.branch.rules);
  const disabledRules = disabledOf(row.branch.rules);
  const change = (action: 'cancel' | 'reschedule') =>
    validateSelfServiceChange({ change: { action, bookingStart: row.startAt.getTime(), rescheduledCount: row.rescheduledCount }, policy, now, disabledRules });
  const live = row.status === 'confirmed';
  // A request awaiting approval can be withdrawn (cancelled), not moved.
  const cancellable = live || row.status === 'awaiting_approval';
  return {
    id: row.id,
    status: row.status,
    start: formatInstant(row.startAt, zone),
    end: formatInstant(row.endAt, zone),
    timezone: zone,
    branch: { id: row.branch.id, name: row.branch.name, timezone: zone },
    service: { id: row.service.id, name: row.service.name, durationMinutes: row.service.durationMinutes, price: row.service.price === null ? null : Number(row.service.price.toString()) },
    staff: { id: row.staff.id, name: row.staff.name },
    customer: { name: row.customer?.name ?? '' },
    rescheduledCount: row.rescheduledCount,
    selfService: {
      canCancel: cancellable && change('cancel').length === 0,
      canReschedule: live && change('reschedule').length === 0,
      changeableUntil: formatInstant(new Date(row.startAt.getTime() - policy.cancellationCutoffHours * HOUR), zone),
      cancellationCutoffHours: policy.cancellationCutoffHours,
      maxReschedules: policy.maxReschedules,
      reschedulesLeft: Math.max(0, policy.maxReschedules - row.rescheduledCount),
    },
    canReview: row.status === 'completed' && !row.review,
    review: row.review ? { rating: row.review.rating, comment: row.review.comment, createdAt: formatInstant(row.review.createdAt, zone) } : null,
    // Past its end the manage link would be dead: the review link (end + 30 days) serves then.
    manageUrl: row.endAt.getTime() > now ? manageLinkFor(ctx.deps.config, { id: row.id, end: row.endAt }) : reviewLinkFor(ctx.deps.config, { id: row.id, end: row.endAt }),
  };
}

export function disabledOf(rules: unknown): string[] {
  const list = (rules as { disabledRules?: unknown } | null)?.disabledRules;
  return Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string') : [];
}
