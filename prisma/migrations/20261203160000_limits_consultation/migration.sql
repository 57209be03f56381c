-- Booking limits of a branch and of a service ({perStaff: {day?, week?, month?}, perCustomer: {...}}),
-- and the consultation a consultation-first service requires (issue 16, API.md "Catalog depth").
ALTER TABLE "branches" ADD COLUMN "limits" JSONB;
ALTER TABLE "services" ADD COLUMN "limits" JSONB;
ALTER TABLE "services" ADD COLUMN "consultation_service_id" TEXT;
