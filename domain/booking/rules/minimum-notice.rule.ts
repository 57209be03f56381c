import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** The start is at least `minimumNoticeMinutes` after now. */
export const minimumNoticeRule: BookingRule = {
  code: 'minimum_notice',
  check: (ctx) => fromReasons('minimum_notice', generalReasons(ctx, ['minimum_notice'])),
};
