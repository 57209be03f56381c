import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** The branch is open that day and the whole appointment lies inside its opening hours. */
export const businessHoursRule: BookingRule = {
  code: 'business_hours',
  check: (ctx) => fromReasons('business_hours', generalReasons(ctx, ['branch_closed', 'outside_business_hours'])),
};
