import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/**
 * No booking limit of the branch or the service (per staff member, per customer; day, week,
 * month) is reached. The violation names each limit (`limits`, e.g. "service.perCustomer.week").
 */
export const bookingLimitRule: BookingRule = {
  code: 'booking_limit',
  check: (ctx) => {
    const reasons = [...generalReasons(ctx, ['booking_limit']), ...ctx.staffReasons.filter((r) => r.code === 'booking_limit')];
    return fromReasons('booking_limit', reasons).map((v) => ({ ...v, limits: [...new Set(reasons.map((r) => r.limit as string))] }));
  },
};
