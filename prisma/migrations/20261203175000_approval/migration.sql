-- Approval (issue 16, API.md "Catalog depth"): a service with requires_approval answers a booking
-- `awaiting_approval`: the slot is held (the row is live for the exclusion constraints exactly like
-- a pending or confirmed one) but the calendar is not written until a manager approves. Declined
-- bookings (by a manager or by the approval timer) hold nothing, like cancelled ones.
ALTER TABLE "services" ADD COLUMN "requires_approval" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "services" ADD COLUMN "approval_timeout_hours" INTEGER NOT NULL DEFAULT 24;
ALTER TABLE "services" ADD CONSTRAINT "services_approval_timeout_positive" CHECK ("approval_timeout_hours" BETWEEN 1 AND 8760);

ALTER TABLE "bookings" DROP CONSTRAINT "bookings_status_check";
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_status_check"
    CHECK ("status" IN ('pending', 'awaiting_approval', 'confirmed', 'declined', 'cancelled', 'failed', 'no_show', 'completed'));

-- The live statuses now include awaiting_approval (same keys as the seats migration: per staff
-- member and per resource, whatever the branch; rows of one seat class never conflict).
ALTER TABLE "bookings" DROP CONSTRAINT "bookings_no_staff_overlap";
ALTER TABLE "bookings" DROP CONSTRAINT "bookings_no_resource_overlap";
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_staff_overlap"
    EXCLUDE USING gist ("staff_id" WITH =, tstzrange("blocked_start", "blocked_end", '[)') WITH &&, (COALESCE("seat_key", "id")) WITH <>)
    WHERE ("status" IN ('pending', 'awaiting_approval', 'confirmed'));
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_resource_overlap"
    EXCLUDE USING gist ("resource_id" WITH =, tstzrange("blocked_start", "blocked_end", '[)') WITH &&, (COALESCE("seat_key", "id")) WITH <>)
    WHERE ("resource_id" IS NOT NULL AND "status" IN ('pending', 'awaiting_approval', 'confirmed'));
DROP INDEX "bookings_seat_taken";
CREATE UNIQUE INDEX "bookings_seat_taken" ON "bookings" ("seat_key", "seat")
    WHERE "seat_key" IS NOT NULL AND "status" IN ('pending', 'awaiting_approval', 'confirmed');
