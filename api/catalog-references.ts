/**
 * The catalog rows a series or waiting-list request names, checked before anything is written:
 * the branch must belong to the caller's company, the service and staff member (when named) to
 * that branch, the customer to the company. Any miss is a 404 naming the first missing row.
 */
import type { Branch } from '../infra/db/prisma';
import { findBranch } from './branches/branches.routes';
import { notFound } from './error-handler';
import type { RouteContext } from './route-kit';

export interface BranchReferences {
  branchId: string;
  serviceId: string;
  customerId: string;
  staffId?: string;
}

/** The referenced branch, once every referenced row is known to exist in the caller's company. */
export async function checkBranchReferences(ctx: RouteContext, refs: BranchReferences): Promise<Branch> {
  const companyId = ctx.companyId();
  const branch = await findBranch(ctx, refs.branchId);
  const [service, customer, staff] = await Promise.all([
    ctx.deps.db.service.findFirst({ where: { id: refs.serviceId, companyId, branchId: branch.id } }),
    ctx.deps.db.customer.findFirst({ where: { id: refs.customerId, companyId } }),
    refs.staffId
      ? ctx.deps.db.staff.findFirst({
          // Its own staff or those assigned to it from other branches (API.md "Staff in several branches").
          where: { id: refs.staffId, companyId, OR: [{ branchId: branch.id }, { assignments: { array_contains: [{ branchId: branch.id }] } }] },
        })
      : Promise.resolve(true),
  ]);
  if (!service) throw notFound('Service', refs.serviceId);
  if (!customer) throw notFound('Customer', refs.customerId);
  if (!staff) throw notFound('Staff', refs.staffId ?? '');
  return branch;
}
