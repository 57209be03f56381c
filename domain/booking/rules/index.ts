export { validateBooking, DEFAULT_RULES, type BookingValidation } from './validate-booking';
export type { BookingRule, BookingRequest, CustomerStatus, RuleContext, ValidateBookingInput, Violation } from './rule.types';
export { minimumNoticeRule } from './minimum-notice.rule';
export { maxAdvanceRule } from './max-advance.rule';
export { businessHoursRule } from './business-hours.rule';
export { staffAvailabilityRule } from './staff-availability.rule';
export { serviceAvailabilityRule } from './service-availability.rule';
export { customerBlockedRule } from './customer-blocked.rule';
export { maxDailyBookingsRule } from './max-daily-bookings.rule';
export { groupSizeRule } from './group-size.rule';
export { consultationRequiredRule } from './consultation-required.rule';
export { bookingLimitRule } from './booking-limit.rule';
export {
  cancellationCutoffRule,
  cutoffText,
  maxReschedulesReason,
  maxReschedulesRule,
  selfServicePolicyOf,
  selfServiceReasons,
  validateSelfServiceChange,
  DEFAULT_CANCELLATION_CUTOFF_HOURS,
  DEFAULT_MAX_RESCHEDULES,
  type SelfServiceChange,
  type SelfServicePolicy,
} from './self-service-change';
