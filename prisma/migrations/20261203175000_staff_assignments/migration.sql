-- Staff in several branches (issue 16, API.md "Catalog depth"): besides the primary branch_id and
-- working_hours, a staff member may work in other branches of the company, each with its own
-- hours: assignments = [{branchId, workingHours, breaks}]. A person is one row, so the exclusion
-- constraint (keyed by staff_id, not by branch) already refuses overlapping bookings of one person
-- in two branches. The GIN index serves "staff assigned to branch X" (assignments @> [{branchId}]).
ALTER TABLE "staff" ADD COLUMN "assignments" JSONB NOT NULL DEFAULT '[]';
CREATE INDEX "staff_assignments_idx" ON "staff" USING gin ("assignments" jsonb_path_ops);
