/**
 * Outcome shapes shared by the booking workflows. Business answers are values, not failures, so
 * the API maps them to 201/202/409/422/502 without parsing error chains. Plain data only.
 */
import type { AlternativeSlot, RuleViolation } from '../../domain/errors';

export type { AlternativeSlot, RuleViolation };

export interface BookedSlot {
  bookingId: string;
  staffId: string;
  resourceId: string | null;
  /** UTC ISO instants of the visible appointment */
  start: string;
  end: string;
  /** Cal.com booking uid, null when the service has no calendar sync */
  externalId: string | null;
}

export type ConflictOutcome = { kind: 'conflict'; alternatives: AlternativeSlot[] };
export type RuleViolationOutcome = { kind: 'rule_violation'; violations: RuleViolation[] };
export type CalendarFailedOutcome = { kind: 'calendar_failed'; bookingId: string; error: string };
export type NotFoundOutcome = { kind: 'not_found'; entity: string; id: string };
export type InvalidStateOutcome = { kind: 'invalid_state'; bookingId: string; status: string; message: string };

/** Search attribute values of `BookingStatus` as the saga advances. */
export type SagaStatus =
  | 'validating'
  | 'holding'
  | 'syncing_calendar'
  | 'confirmed'
  | 'compensating'
  | 'failed'
  | 'rejected'
  | 'rescheduled'
  | 'cancelled'
  | 'no_show'
  | 'retrying'
  | 'resolved'
  | 'open';
