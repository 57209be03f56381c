import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** A group booking needs the service's group settings and a size within them. */
export const groupSizeRule: BookingRule = {
  code: 'group_size',
  check: (ctx) => fromReasons('group_size', generalReasons(ctx, ['group_size'])),
};
