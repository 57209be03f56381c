/**
 * The bookings' Idempotency-Key handling lives in api/idempotency.ts (shared with series and the
 * waiting list); this module keeps the bookings' imports working.
 */
export * from '../idempotency';
