import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** A consultation-first service needs the customer's consultation (see scheduling/consultation.ts). */
export const consultationRequiredRule: BookingRule = {
  code: 'consultation_required',
  check: (ctx) => fromReasons('consultation_required', generalReasons(ctx, ['consultation_required'])),
};
