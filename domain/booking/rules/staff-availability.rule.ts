import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/**
 * The requested staff member (or, when auto-assigning, some matching staff member) has the skills,
 * matches the preferences, works then, is not on a break or time off and has no other appointment
 * whose blocked range meets this one's.
 */
export const staffAvailabilityRule: BookingRule = {
  code: 'staff_availability',
  check: (ctx) => {
    if (ctx.noCandidate) {
      return [{ rule: 'staff_availability', message: 'No staff member has the required skills and matches the preferences', reasons: ['skill_mismatch'] }];
    }
    const reasons = ctx.staffReasons.filter((r) => r.code !== 'max_daily_bookings' && r.code !== 'booking_limit');
    return fromReasons('staff_availability', [...generalReasons(ctx, ['unknown_staff']), ...reasons]);
  },
};
