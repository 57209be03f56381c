-- Company-wide analytics (issue 16): the company's currency for revenue, and an index that serves
-- a company's bookings by start across all its branches (the (company_id, branch_id, start_at)
-- index serves one branch only).
ALTER TABLE "companies" ADD COLUMN "currency" TEXT NOT NULL DEFAULT 'EUR';
CREATE INDEX "bookings_company_id_start_at_idx" ON "bookings"("company_id", "start_at");
