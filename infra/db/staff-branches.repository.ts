/**
 * Branches linked by staff who work in several of them (API.md "Staff in several branches"): a
 * booking, time off or catalog change in one branch changes what those people can take in the
 * other branches, so availability caches of the linked branches are invalidated together.
 */
import type { Db } from './prisma';

/** The other branches that share at least one staff member with `branchId` (none without assignments). */
export async function linkedBranchIds(db: Db, branchId: string): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT DISTINCT x.id
    FROM staff s
    CROSS JOIN LATERAL (
      SELECT s.branch_id AS id
      UNION ALL
      SELECT a ->> 'branchId' FROM jsonb_array_elements(s.assignments) a
    ) x
    WHERE s.assignments <> '[]'::jsonb
      AND (s.branch_id = ${branchId} OR s.assignments @> jsonb_build_array(jsonb_build_object('branchId', ${branchId}::text)))
      AND x.id IS NOT NULL AND x.id <> ${branchId}`;
  return rows.map((r) => r.id);
}

/** A cache whose branch invalidation also reaches the linked branches (best effort for the links). */
export function withLinkedBranches<C extends { invalidateBranch(branchId: string): Promise<void> }>(
  cache: C,
  db: Db,
): { invalidateBranch(branchId: string): Promise<void> } {
  return {
    async invalidateBranch(branchId: string): Promise<void> {
      await cache.invalidateBranch(branchId);
      for (const linked of await linkedBranchIds(db, branchId)) await cache.invalidateBranch(linked);
    },
  };
}
