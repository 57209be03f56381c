/**
 * Domain errors with stable `code`s. They carry no HTTP status: api/error-handler.ts maps codes to
 * HTTP in one table, and activities turn them into ApplicationFailure with `type = code` (class
 * names are not a contract). Extensions (`errors`, `alternatives`, `violations`, ...) are plain
 * serializable data so they survive Temporal payloads.
 */

export type DomainErrorCode =
  | 'validation_error'
  | 'not_found'
  | 'slot_unavailable'
  | 'booking_rule_violation'
  | 'invalid_state'
  | 'calendar_sync_failed'
  | 'idempotency_key_reused'
  | 'dependency_unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /** Extension members for a problem answer (without type/title/status). */
  details(): Record<string, unknown> {
    return {};
  }
}

export interface FieldError {
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  readonly code = 'validation_error' as const;
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
  override details() {
    return { errors: this.errors };
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found' as const;
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export interface AlternativeSlot {
  start: string;
  end: string;
  staffId: string;
  staffName: string;
}

export class SlotUnavailableError extends DomainError {
  readonly code = 'slot_unavailable' as const;
  constructor(
    message: string,
    readonly alternatives: AlternativeSlot[] = [],
  ) {
    super(message);
  }
  override details() {
    return { alternatives: this.alternatives };
  }
}

export interface RuleViolation {
  rule: string;
  message: string;
  /** booking_limit: the limits reached, e.g. "service.perCustomer.week". */
  limits?: string[];
}

/** A violation as answers show it: its rule and message, and for booking_limit the limits reached. */
export const violationView = ({ rule, message, limits }: RuleViolation): RuleViolation => (limits?.length ? { rule, message, limits } : { rule, message });

export class BookingRuleViolationError extends DomainError {
  readonly code = 'booking_rule_violation' as const;
  constructor(readonly violations: RuleViolation[]) {
    super(violations.map((v) => v.message).join('; ') || 'Booking rules violated');
  }
  override details() {
    return { violations: this.violations.map(violationView) };
  }
}

export class InvalidStateError extends DomainError {
  readonly code = 'invalid_state' as const;
}

export class CalendarSyncFailedError extends DomainError {
  readonly code = 'calendar_sync_failed' as const;
  constructor(
    message: string,
    readonly bookingId: string,
  ) {
    super(message);
  }
  override details() {
    return { bookingId: this.bookingId };
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency_key_reused' as const;
  constructor(message = 'Idempotency-Key was already used with a different request body') {
    super(message);
  }
}

export class DependencyUnavailableError extends DomainError {
  readonly code = 'dependency_unavailable' as const;
  constructor(
    readonly dependency: string,
    message = `${dependency} is unavailable`,
  ) {
    super(message);
  }
  override details() {
    return { dependency: this.dependency };
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
