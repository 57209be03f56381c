-- Packages (issue 16, API.md "Catalog depth"): a package booking holds one row per part, all in
-- "bookings" so that the exclusion constraints judge every part like any other booking.
-- * The package's own row (the booking the API shows) IS its first part for the constraints: its
--   staff_id, resource_id and blocked range are the first part's; start_at/end_at span the whole
--   package; part_service_id and part_end_at say which service the first part is and when it ends
--   (the calendar books the first part with them).
-- * Every further part is a child row (package_booking_id, part_index 1..n-1) with its own
--   service, staff, resource, times, blocked range and Cal.com uid. Children are never listed as
--   bookings; they exist for the constraints and the calendar.
-- * All parts are inserted in ONE statement: one refused part refuses them all.
-- * A trigger keeps the children's status equal to their package's, so every status change
--   (confirm, release, fail, cancel, expire, no-show, complete) frees or keeps all parts at once.
ALTER TABLE "bookings" ADD COLUMN "package_booking_id" TEXT;
ALTER TABLE "bookings" ADD COLUMN "part_index" INTEGER;
ALTER TABLE "bookings" ADD COLUMN "part_service_id" TEXT;
ALTER TABLE "bookings" ADD COLUMN "part_end_at" TIMESTAMPTZ(3);

CREATE INDEX "bookings_package_booking_id_idx" ON "bookings"("package_booking_id");
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_package_booking_id_fkey" FOREIGN KEY ("package_booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The blocked range covers the visible one; for a package's own row, the first part's.
ALTER TABLE "bookings" DROP CONSTRAINT "bookings_blocked_covers_visible";
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_blocked_covers_visible"
    CHECK ("blocked_start" <= "start_at" AND "blocked_end" >= COALESCE("part_end_at", "end_at"));
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_part_end_inside"
    CHECK ("part_end_at" IS NULL OR ("part_end_at" > "start_at" AND "part_end_at" <= "end_at"));

CREATE FUNCTION "bookings_mirror_package_status"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "bookings"
     SET "status" = NEW."status", "cancelled_at" = NEW."cancelled_at", "failure_reason" = NEW."failure_reason", "updated_at" = now()
   WHERE "package_booking_id" = NEW."id" AND "status" IS DISTINCT FROM NEW."status";
  RETURN NULL;
END
$$;
CREATE TRIGGER "bookings_package_status" AFTER UPDATE OF "status" ON "bookings"
    FOR EACH ROW WHEN (NEW."part_end_at" IS NOT NULL AND OLD."status" IS DISTINCT FROM NEW."status")
    EXECUTE FUNCTION "bookings_mirror_package_status"();
