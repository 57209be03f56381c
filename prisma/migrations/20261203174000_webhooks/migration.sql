-- Outbound webhooks (issue 15 item 7, API.md "Outbound webhooks").
--
-- Capture is a transactional outbox fed by triggers, not by call sites: every path that writes a
-- booking history row (sagas, API actions, the sweeper, the lifecycle, approval, inbound calendar
-- changes, self-service, ... present and future), changes a waiting-list entry's offers or status,
-- or opens/resolves a sync failure gets its webhook_deliveries rows in ITS OWN transaction, for
-- every endpoint of that company subscribed to the event. Nothing commits without its event and
-- no event exists for a change that rolled back.
--
-- Order: each subject (a booking, with its sync failures; a waiting-list entry) has a counter in
-- webhook_subject_seqs, bumped with a row lock held until commit, so two transactions emitting for
-- one subject get their seq in commit order. The delivery workflow (workflows/webhook-delivery)
-- delivers one endpoint's pending rows of one subject in seq order.
--
-- Snapshot: the row as it is at commit (booking-history trigger deferred to commit, so the booking
-- row already has its new status even when the history row was written first) and the branch's
-- zone; activities/webhook-render.ts renders it exactly as the API renders that resource.
CREATE TABLE "webhook_endpoints" (
    "id" TEXT NOT NULL,
    "company_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "description" TEXT,
    "secret_enc" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "webhook_endpoints_company_id_idx" ON "webhook_endpoints"("company_id");

CREATE TABLE "webhook_subject_seqs" (
    "subject_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "webhook_subject_seqs_pkey" PRIMARY KEY ("subject_id")
);

CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL,
    "company_id" TEXT NOT NULL,
    "endpoint_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "snapshot" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "retry_until" TIMESTAMPTZ(3) NOT NULL,
    "dispatched_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "webhook_deliveries_endpoint_id_created_at_idx" ON "webhook_deliveries"("endpoint_id", "created_at");
CREATE INDEX "webhook_deliveries_endpoint_id_subject_id_status_seq_idx" ON "webhook_deliveries"("endpoint_id", "subject_id", "status", "seq");
CREATE INDEX "webhook_deliveries_dispatched_at_idx" ON "webhook_deliveries"("dispatched_at");
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One event for every subscribed endpoint of the company (none subscribed: nothing written, and no
-- counter bumped, so companies without endpoints pay one indexed lookup per event).
CREATE FUNCTION webhook_emit(p_company TEXT, p_event TEXT, p_subject TEXT, p_snapshot JSONB, p_at TIMESTAMPTZ) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  v_seq BIGINT;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE company_id = p_company AND p_event = ANY (events)) THEN
    RETURN;
  END IF;
  INSERT INTO webhook_subject_seqs AS s (subject_id, seq) VALUES (p_subject, 1)
    ON CONFLICT (subject_id) DO UPDATE SET seq = s.seq + 1
    RETURNING s.seq INTO v_seq;
  INSERT INTO webhook_deliveries (id, company_id, endpoint_id, event, subject_id, seq, occurred_at, snapshot, retry_until)
  SELECT 'whd_' || translate(substr(md5(gen_random_uuid()::text), 1, 16), '0189', 'wxyz'),
         p_company, e.id, p_event, p_subject, v_seq, COALESCE(p_at, now()), p_snapshot, now() + interval '72 hours'
  FROM webhook_endpoints e
  WHERE e.company_id = p_company AND p_event = ANY (e.events);
END $$;

-- Booking history → booking.* events (the history event names of activities/, infra/booking/,
-- api/bookings/ and the approval / inbound-calendar / self-service lanes: `rescheduled*` and
-- `cancelled*` cover rescheduled_in_calendar, cancelled_in_calendar, cancelled_by_customer, ...).
-- Reservation holds (source 'hold') are internal and never emit. A `failed` history row only
-- counts while the booking really is failed (the saga may write it after a cancel won).
CREATE FUNCTION webhook_on_booking_history() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  v_event TEXT;
  b bookings%ROWTYPE;
  v_zone TEXT;
BEGIN
  v_event := CASE
    WHEN NEW.event = 'confirmed' THEN 'booking.confirmed'
    WHEN NEW.event IN ('failed', 'hold_expired') THEN 'booking.failed'
    WHEN NEW.event = 'awaiting_approval' THEN 'booking.awaiting_approval'
    WHEN NEW.event = 'declined' THEN 'booking.declined'
    WHEN NEW.event LIKE 'rescheduled%' THEN 'booking.rescheduled'
    WHEN NEW.event LIKE 'cancelled%' THEN 'booking.cancelled'
    WHEN NEW.event = 'no_show' THEN 'booking.no_show'
    WHEN NEW.event = 'completed' THEN 'booking.completed'
  END;
  IF v_event IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT * INTO b FROM bookings WHERE id = NEW.booking_id;
  IF NOT FOUND OR b.source = 'hold' OR (v_event = 'booking.failed' AND b.status <> 'failed') THEN
    RETURN NULL;
  END IF;
  SELECT timezone INTO v_zone FROM branches WHERE id = b.branch_id;
  PERFORM webhook_emit(b.company_id, v_event, b.id,
    jsonb_build_object('kind', 'booking', 'zone', COALESCE(v_zone, 'UTC'), 'row', to_jsonb(b)), NEW.at);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER "booking_history_webhooks" AFTER INSERT ON "booking_history"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION webhook_on_booking_history();

-- Waiting list: new offers (status notified with other offers) → waitlist.offered; booked → waitlist.booked.
CREATE FUNCTION webhook_on_waitlist_entry() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  v_event TEXT;
  v_zone TEXT;
BEGIN
  IF NEW.status = 'booked' AND OLD.status IS DISTINCT FROM 'booked' THEN
    v_event := 'waitlist.booked';
  ELSIF NEW.status = 'notified' AND (OLD.status IS DISTINCT FROM 'notified' OR NEW.offers IS DISTINCT FROM OLD.offers) THEN
    v_event := 'waitlist.offered';
  ELSE
    RETURN NULL;
  END IF;
  SELECT timezone INTO v_zone FROM branches WHERE id = NEW.branch_id;
  PERFORM webhook_emit(NEW.company_id, v_event, NEW.id,
    jsonb_build_object('kind', 'waitlist_entry', 'zone', COALESCE(v_zone, 'UTC'), 'row', to_jsonb(NEW)), now());
  RETURN NULL;
END $$;

CREATE TRIGGER "waiting_list_entries_webhooks" AFTER UPDATE ON "waiting_list_entries"
  FOR EACH ROW EXECUTE FUNCTION webhook_on_waitlist_entry();

-- Sync failures: opened on insert (or when a resolved one opens again), resolved once. Their
-- subject is the booking, so they keep their order with that booking's events.
CREATE FUNCTION webhook_on_sync_failure() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  v_event TEXT;
  v_zone TEXT;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.status = 'open' THEN
    v_event := 'sync_failure.opened';
  ELSIF TG_OP = 'UPDATE' AND NEW.status = 'open' AND OLD.status = 'resolved' THEN
    v_event := 'sync_failure.opened';
  ELSIF TG_OP = 'UPDATE' AND NEW.status = 'resolved' AND OLD.status IS DISTINCT FROM 'resolved' THEN
    v_event := 'sync_failure.resolved';
  ELSE
    RETURN NULL;
  END IF;
  SELECT br.timezone INTO v_zone FROM bookings b JOIN branches br ON br.id = b.branch_id WHERE b.id = NEW.booking_id;
  PERFORM webhook_emit(NEW.company_id, v_event, NEW.booking_id,
    jsonb_build_object('kind', 'sync_failure', 'zone', COALESCE(v_zone, 'UTC'), 'row', to_jsonb(NEW)), now());
  RETURN NULL;
END $$;

CREATE TRIGGER "sync_failures_webhooks" AFTER INSERT OR UPDATE ON "sync_failures"
  FOR EACH ROW EXECUTE FUNCTION webhook_on_sync_failure();
