import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** Neither the staff member's `maxDailyBookings` nor the branch's per-customer daily limit is reached. */
export const maxDailyBookingsRule: BookingRule = {
  code: 'max_daily_bookings',
  check: (ctx) =>
    fromReasons('max_daily_bookings', [
      ...generalReasons(ctx, ['max_daily_bookings']),
      ...ctx.staffReasons.filter((r) => r.code === 'max_daily_bookings'),
    ]),
};
