-- Self-service reschedules count under maxReschedules with a guarded increment taken by the
-- reschedule saga before it holds the new slot:
--   UPDATE bookings SET rescheduled_count = rescheduled_count + 1 WHERE id = $1 AND rescheduled_count < $max
-- Each claim is recorded here in the same transaction (key: workflow id + step), so a retried
-- claim counts once, the saga's compensation gives back exactly the claim it took, and the move
-- consumes it instead of counting again.
CREATE TABLE "reschedule_claims" (
    "id" TEXT NOT NULL,
    "booking_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reschedule_claims_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "reschedule_claims_booking_id_idx" ON "reschedule_claims"("booking_id");

ALTER TABLE "reschedule_claims" ADD CONSTRAINT "reschedule_claims_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;
