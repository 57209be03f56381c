/**
 * Plain-data shapes of planning and holding a slot, shared by the API (which takes a booking's
 * hold itself, infra/booking/slot-holds.ts), the activities and, by `import type`, the workflows.
 * Instants are UTC ISO strings.
 */
import type { BookAppointmentInput, PartSlot } from '../../workflows/book-appointment.contract';
import type { AlternativeSlot, ConflictOutcome, NotFoundOutcome, RuleViolationOutcome } from '../../workflows/lib/outcomes';

/** Where a booking goes: the visible appointment and the range kept free around it. */
export interface SlotPlan {
  staffId: string;
  resourceId: string | null;
  start: string;
  end: string;
  blockedStart: string;
  blockedEnd: string;
  /** Seat services: the class (service|start|staff) whose next free seat the hold takes. */
  seatKey?: string;
  /** Approval services: the booking waits `awaiting_approval` until a decision or `deadline` (UTC ISO). */
  approval?: { deadline: string };
  /** Set when the branch has no calendar connection or the staff member or service no Cal.com id: no calendar call. */
  calendar?: 'not_linked';
  /** Packages: every part in order (the plan's own staff, resource and blocked range are the first part's). */
  parts?: PartSlot[];
}

export type PlanResult = { kind: 'ok'; plan: SlotPlan } | RuleViolationOutcome | ConflictOutcome | NotFoundOutcome;

/** The saga input's slot fields, with the group as a count (planning needs no names). */
export interface PlanRequest
  extends Pick<BookAppointmentInput, 'companyId' | 'branchId' | 'serviceId' | 'start' | 'staffId' | 'durationMinutes' | 'preferences'> {
  /** null: no customer yet (a reservation): the customer's rules are judged when it becomes a booking. */
  customerId: string | null;
  participants?: number | null;
  /** Rescheduling: this booking's own time does not count as busy. */
  excludeBookingId?: string | null;
}

/** The rules engine and slot search behind validation, assignment and alternatives. */
export interface BookingPlanner {
  plan(request: PlanRequest): Promise<PlanResult>;
  alternatives(request: PlanRequest): Promise<AlternativeSlot[]>;
}
