import type { BookingRule } from './rule.types';

/** Blocked customers cannot book. */
export const customerBlockedRule: BookingRule = {
  code: 'customer_blocked',
  check: (ctx) =>
    ctx.customer?.blocked
      ? [{ rule: 'customer_blocked', message: `The customer is blocked${ctx.customer.blockedReason ? `: ${ctx.customer.blockedReason}` : ''}`, reasons: [] }]
      : [],
};
