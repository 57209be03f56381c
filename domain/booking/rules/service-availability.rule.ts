import { fromReasons, generalReasons, type BookingRule } from './rule.types';

/** The service is active, the duration is one it offers, and one of its resources is free. */
export const serviceAvailabilityRule: BookingRule = {
  code: 'service_availability',
  check: (ctx) => fromReasons('service_availability', generalReasons(ctx, ['service_inactive', 'invalid_duration', 'resource_unavailable'])),
};
