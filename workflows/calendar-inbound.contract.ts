/**
 * Public contract of the inbound calendar sync (API.md "Calendar connections", inbound changes):
 * one execution per Cal.com webhook event, `calcom-inbound-<connectionId>-<uid>-<trigger>-<hash>`
 * (hash of the event's times, predecessor uid and ownership metadata), started by `POST /v1/webhooks/calcom/:connectionId`
 * with conflict policy USE_EXISTING and reuse policy REJECT_DUPLICATE, so a redelivered event is a
 * no-op. Reconciliation (calendar-reconcile.contract.ts) applies the events a lost webhook missed
 * through the same steps. Names are a durable API.
 */
export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const CALENDAR_INBOUND_WORKFLOW = 'calendarInboundWorkflow';

export const INBOUND_TRIGGERS = ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'] as const;
export type InboundTrigger = (typeof INBOUND_TRIGGERS)[number];

/** What the service needs of a Cal.com booking event (UTC ISO instants). */
export interface CalendarInboundEvent {
  trigger: InboundTrigger;
  /** The Cal.com booking the event is about (for a reschedule: the NEW booking). */
  uid: string;
  /** BOOKING_RESCHEDULED: the uid it replaced (`rescheduleUid`); null otherwise. */
  previousUid: string | null;
  start: string;
  end: string;
  /** Our ownership metadata when the booking carries it (`metadata.bookingId` / `metadata.companyId`). */
  bookingId: string | null;
  companyId: string | null;
  /** Cal.com user ids hosting it (organizer first). */
  hostIds: number[];
  reason: string | null;
}

export interface CalendarInboundInput {
  connectionId: string;
  event: CalendarInboundEvent;
  source: 'webhook' | 'reconcile';
}

/** What an event means here (decided by one activity from the database). */
export type InboundDecision =
  | { kind: 'ignore'; reason: string }
  | { kind: 'cancel'; bookingId: string; branchId: string }
  | { kind: 'reschedule'; bookingId: string; branchId: string }
  | { kind: 'refresh_busy'; branchIds: string[] };

export type CalendarInboundResult =
  | { kind: 'ignored'; reason: string }
  | { kind: 'cancelled'; bookingId: string }
  | { kind: 'rescheduled'; bookingId: string; start: string; previousStart: string }
  /** The new time is not free here: the booking keeps its time, support gets a sync failure. */
  | { kind: 'reschedule_refused'; bookingId: string; syncFailureId: string; error: string }
  | { kind: 'busy_refreshed'; branchIds: string[] };

/** 32-bit FNV-1a as 8 hex digits (pure: the contract is bundled with the workflows). */
function fnv1a(text: string, seed = 0x811c9dc5): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const safe = (part: string) => part.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);

/**
 * The key shared by every path that applies this change (webhook, redelivery, reconciliation):
 * history and sync-failure dedupe keys derive from it, so the change is applied once.
 */
export const inboundChangeKey = (connectionId: string, event: Pick<CalendarInboundEvent, 'uid' | 'trigger'>): string =>
  `calcom-inbound-${safe(connectionId)}-${safe(event.uid)}-${event.trigger}`;

/** The workflow id of one delivered event: same event (uid, trigger, times, predecessor, metadata) → same id. */
export function calendarInboundWorkflowId(connectionId: string, event: CalendarInboundEvent): string {
  const material = `${event.start}|${event.end}|${event.previousUid ?? ''}|${event.bookingId ?? ''}|${event.companyId ?? ''}`;
  return `${inboundChangeKey(connectionId, event)}-${fnv1a(material)}${fnv1a(material, 0x12345678)}`;
}
