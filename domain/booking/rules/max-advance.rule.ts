import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** The start is at most `maxAdvanceDays` × 24 h after now. */
export const maxAdvanceRule: BookingRule = {
  code: 'max_advance',
  check: (ctx) => fromReasons('max_advance', generalReasons(ctx, ['max_advance'])),
};
