/**
 * Deleting a company with everything it owns. Its Temporal Schedules go first (each calendar
 * connection's reconciliation Schedule: the rows' ON DELETE CASCADE cannot reach Temporal, and a
 * Schedule left behind would start a run every interval for a connection that no longer exists),
 * then the rows that have no cascade from the company, then the company (the rest cascades).
 * Without a Temporal client the Schedules are left to delete themselves at their next run.
 * Repeating it is harmless.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/prisma';
import { deleteCompanyReconcileSchedules } from '../temporal/calendar-reconcile-schedule';

export async function deleteCompany(deps: { db: Db; temporal?: Client }, companyId: string): Promise<void> {
  const { db } = deps;
  if (deps.temporal) await deleteCompanyReconcileSchedules(deps.temporal, db, companyId);
  await db.notification.deleteMany({ where: { companyId } });
  await db.syncFailure.deleteMany({ where: { companyId } });
  await db.waitingListEntry.deleteMany({ where: { companyId } });
  await db.series.deleteMany({ where: { companyId } });
  await db.availabilitySearch.deleteMany({ where: { companyId } });
  await db.bookingHistory.deleteMany({ where: { booking: { companyId } } });
  await db.booking.deleteMany({ where: { companyId } });
  await db.company.deleteMany({ where: { id: companyId } });
}
