-- Reservations (API.md "Reservations, next free slots, phone lookup") hold their slot the way a
-- booking does: a row of "bookings" (id rsv_..., source 'hold', status pending) under the same
-- exclusion constraints, until "hold_expires_at". It has no customer until it becomes a booking,
-- so customer_id may be null, but only on such hold rows. (schema.prisma keeps customerId
-- required: every Prisma read of bookings skips source 'hold' rows; reservations are read in SQL.)
ALTER TABLE "bookings" ALTER COLUMN "customer_id" DROP NOT NULL;
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_customer_unless_hold" CHECK ("customer_id" IS NOT NULL OR "source" = 'hold');
ALTER TABLE "bookings" ADD COLUMN "hold_expires_at" TIMESTAMPTZ(3);
