-- Seats (issue 16, API.md "Catalog depth"): a service with seats {capacity} lets up to capacity
-- customers book the same staff member and start, one booking each. The bookings of one such
-- class share a seat_key (service|start|staff) and hold seats 1..capacity.
--
-- The exclusion constraints now refuse an overlap only between rows of DIFFERENT seat keys; a row
-- without a seat key stands for itself (its id), so every other booking conflicts exactly as
-- before. The unique index below hands out each seat of a class once, so a storm of requests for
-- one class gets exactly `capacity` rows (no read-then-write race: PostgreSQL decides).
ALTER TABLE "services" ADD COLUMN "seats" JSONB;
ALTER TABLE "bookings" ADD COLUMN "seat_key" TEXT;
ALTER TABLE "bookings" ADD COLUMN "seat" INTEGER;

ALTER TABLE "bookings" DROP CONSTRAINT "bookings_no_staff_overlap";
ALTER TABLE "bookings" DROP CONSTRAINT "bookings_no_resource_overlap";
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_staff_overlap"
    EXCLUDE USING gist ("staff_id" WITH =, tstzrange("blocked_start", "blocked_end", '[)') WITH &&, (COALESCE("seat_key", "id")) WITH <>)
    WHERE ("status" IN ('pending', 'confirmed'));
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_resource_overlap"
    EXCLUDE USING gist ("resource_id" WITH =, tstzrange("blocked_start", "blocked_end", '[)') WITH &&, (COALESCE("seat_key", "id")) WITH <>)
    WHERE ("resource_id" IS NOT NULL AND "status" IN ('pending', 'confirmed'));
CREATE UNIQUE INDEX "bookings_seat_taken" ON "bookings" ("seat_key", "seat")
    WHERE "seat_key" IS NOT NULL AND "status" IN ('pending', 'confirmed');
