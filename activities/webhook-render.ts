/**
 * Renders a webhook's `data` from the outbox snapshot (the subject's row as PostgreSQL's to_jsonb
 * wrote it at commit, plus the branch zone), field for field as the API renders that resource:
 * the booking of api/bookings/booking.view.ts, the waiting-list entry of
 * api/waiting-list/waiting-list.service.ts, the sync failure of api/sync-failures. Activities may
 * not import api/ (layer rule), so the mapping is restated here and kept honest by
 * test/integration/webhooks.test.ts, which compares a delivered booking with GET /v1/bookings/:id.
 */
import { DateTime } from 'luxon';

export interface WebhookSnapshot {
  kind: 'booking' | 'waitlist_entry' | 'sync_failure';
  zone: string;
  row: Record<string, unknown>;
}

const at = (value: unknown, zone: string): string | null => {
  if (value === null || value === undefined) return null;
  const date = new Date(String(value));
  return DateTime.fromJSDate(date).setZone(zone).toISO({ suppressMilliseconds: true }) ?? date.toISOString();
};
const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** As api/bookings/booking.view.ts publicFailureReason: a stable code, never upstream text. */
function publicFailureReason(reason: string | null): string | null {
  if (reason === null) return null;
  const code = reason.split(':', 1)[0]!.trim();
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(code) ? code : 'failed';
}

function renderBooking(r: Record<string, unknown>, zone: string) {
  return {
    id: r.id,
    status: r.status,
    branchId: r.branch_id,
    serviceId: r.service_id,
    customerId: r.customer_id,
    staffId: r.staff_id,
    resourceId: r.resource_id ?? null,
    start: at(r.start_at, zone),
    end: at(r.end_at, zone),
    source: r.source,
    participants: list(r.participants),
    rescheduledCount: r.rescheduled_count,
    calendar: { status: r.calendar_status, externalId: r.calendar_external_id ?? null },
    workflowId: r.workflow_id ?? null,
    failureReason: publicFailureReason(str(r.failure_reason)),
    notes: r.notes ?? null,
    seriesId: r.series_id ?? null,
    createdAt: at(r.created_at, zone),
    updatedAt: at(r.updated_at, zone),
  };
}

function renderEntry(r: Record<string, unknown>, zone: string) {
  const offers = list(r.offers) as Array<{ start: string; end: string; staffId: string }>;
  return {
    id: r.id,
    status: r.status,
    branchId: r.branch_id,
    serviceId: r.service_id,
    customerId: r.customer_id,
    staffId: r.staff_id ?? null,
    from: r.from_date,
    to: r.to_date,
    timeWindows: list(r.time_windows),
    autoBook: r.auto_book,
    offers: offers.map((o) => ({ start: at(o.start, zone), end: at(o.end, zone), staffId: o.staffId })),
    bookingId: r.booking_id ?? null,
    notificationsSent: r.notifications_sent,
    workflowId: r.workflow_id,
    expiresAt: at(r.expires_at, zone),
    createdAt: at(r.created_at, zone),
  };
}

function renderSyncFailure(r: Record<string, unknown>, zone: string) {
  return {
    id: r.id,
    bookingId: r.booking_id,
    operation: r.operation,
    error: r.error,
    attempts: r.attempts,
    status: r.status,
    createdAt: at(r.created_at, zone),
    updatedAt: at(r.updated_at, zone),
  };
}

export function renderWebhookData(snapshot: WebhookSnapshot): Record<string, unknown> {
  switch (snapshot.kind) {
    case 'booking':
      return renderBooking(snapshot.row, snapshot.zone);
    case 'waitlist_entry':
      return renderEntry(snapshot.row, snapshot.zone);
    case 'sync_failure':
      return renderSyncFailure(snapshot.row, snapshot.zone);
  }
}

/** The signed body: `{type, timestamp, data}` (timestamp: when the change committed, branch offset). */
export function webhookBody(event: string, occurredAt: Date, snapshot: WebhookSnapshot): string {
  return JSON.stringify({ type: event, timestamp: at(occurredAt, snapshot.zone), data: renderWebhookData(snapshot) });
}
