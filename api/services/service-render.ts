/**
 * A stored service → its API shape (API.md "Service"): price as a number, JSON settings as
 * objects or null, instants in the branch's offset.
 */
import type { Service } from '../../infra/db/prisma';
import type { WithBranchZone } from '../branch-zone';
import { formatInstant } from '../common.schemas';
import type { ServiceOut } from './services.schemas';

export type ServiceRow = WithBranchZone<Service>;

export function renderService(row: ServiceRow): ServiceOut {
  const zone = row.branch.timezone;
  return {
    id: row.id,
    branchId: row.branchId,
    name: row.name,
    durationMinutes: row.durationMinutes,
    price: row.price === null ? null : Number(row.price.toString()),
    bufferBeforeMinutes: row.bufferBeforeMinutes,
    bufferAfterMinutes: row.bufferAfterMinutes,
    requiredSkills: row.requiredSkills,
    resourceRequirements: row.resourceRequirements,
    requiresConsultation: row.requiresConsultation,
    // Only when set: answers of services without them stay exactly as they were.
    ...(row.consultationServiceId ? { consultationServiceId: row.consultationServiceId } : {}),
    ...(row.limits ? { limits: row.limits as ServiceOut['limits'] } : {}),
    ...(row.seats ? { seats: row.seats as ServiceOut['seats'] } : {}),
    requiresApproval: row.requiresApproval,
    approvalTimeoutHours: row.approvalTimeoutHours,
    category: row.category as ServiceOut['category'],
    flexible: (row.flexible ?? null) as ServiceOut['flexible'],
    packageServiceIds: row.packageServiceIds,
    group: (row.group ?? null) as ServiceOut['group'],
    travelMinutes: row.travelMinutes,
    calcomEventTypeId: row.calcomEventTypeId,
    active: row.active,
    createdAt: formatInstant(row.createdAt, zone),
    updatedAt: formatInstant(row.updatedAt, zone),
  };
}
