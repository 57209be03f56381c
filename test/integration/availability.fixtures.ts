/**
 * Catalog rows for the availability suites, written straight to the database (the catalog API is
 * exercised by its own tests). Every call makes a fresh company, so suites sharing the test
 * database never see each other's rows.
 */
import { Client, Connection } from '@temporalio/client';
import { deleteCompany } from '../../infra/company/delete-company';
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import { testEnv } from '../harness/env';
import type { Db } from '../../infra/db/prisma';

export interface AvailabilityFixture {
  companyId: string;
  branchId: string;
  serviceId: string;
  flexibleServiceId: string;
  customerId: string;
  staff: { anna: string; ben: string };
  resourceId: string;
}

const WEEK = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

export async function seedAvailabilityFixture(db: Db, options: { calcomUserId?: number; timezone?: string } = {}): Promise<AvailabilityFixture> {
  const companyId = newId('cmp');
  const branchId = newId('br');
  const ids = { serviceId: newId('svc'), flexibleServiceId: newId('svc'), customerId: newId('cus'), resourceId: newId('res') };
  const staff = { anna: newId('stf'), ben: newId('stf') };
  const open = { open: true, start: '09:00', end: '18:00' };
  await db.company.create({ data: { id: companyId, name: 'Availability test' } });
  await db.branch.create({
    data: {
      id: branchId,
      companyId,
      name: 'Mitte',
      timezone: options.timezone ?? 'Europe/Berlin',
      operatingHours: { ...Object.fromEntries(WEEK.map((d) => [d, open])), saturday: { open: true, start: '10:00', end: '14:00' }, sunday: { open: false } },
      closures: [],
      specialHours: [],
      rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 365, slotIntervalMinutes: 30, maxDailyBookingsPerCustomer: null },
    },
  });
  await db.resource.create({ data: { id: ids.resourceId, companyId, branchId, name: 'Chair 1' } });
  const hours = Object.fromEntries(WEEK.map((d) => [d, [{ start: '09:00', end: '13:00' }, { start: '14:00', end: '18:00' }]]));
  await db.staff.create({
    data: { id: staff.anna, companyId, branchId, name: 'Anna', gender: 'female', languages: ['de', 'en'], skills: ['cut'], workingHours: hours, calcomUserId: options.calcomUserId ?? null },
  });
  await db.staff.create({
    data: { id: staff.ben, companyId, branchId, name: 'Ben', gender: 'male', languages: ['de'], skills: ['cut'], workingHours: hours },
  });
  await db.service.create({
    data: { id: ids.serviceId, companyId, branchId, name: 'Haircut', durationMinutes: 60, requiredSkills: ['cut'], calcomEventTypeId: 1 },
  });
  await db.service.create({
    data: {
      id: ids.flexibleServiceId, companyId, branchId, name: 'Consultation', durationMinutes: 30, category: 'flexible',
      flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 },
    },
  });
  await db.customer.create({ data: { id: ids.customerId, companyId, name: 'Carla', email: 'carla@example.test' } });
  return { companyId, branchId, staff, ...ids };
}

/** Inserts a live booking row the way the booking saga's hold does (blocked = visible range here). */
export async function insertBooking(
  db: Db,
  fx: AvailabilityFixture,
  input: { staffId: string; start: Date; minutes?: number; status?: string; calendarExternalId?: string; resourceId?: string },
): Promise<string> {
  const id = newId('bkg');
  const end = new Date(input.start.getTime() + (input.minutes ?? 60) * 60_000);
  await db.booking.create({
    data: {
      id, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId,
      staffId: input.staffId, resourceId: input.resourceId ?? null, startAt: input.start, endAt: end,
      blockedStart: input.start, blockedEnd: end, status: input.status ?? 'confirmed',
      calendarExternalId: input.calendarExternalId ?? null,
    },
  });
  return id;
}

/** A manager API key for the fixture's company, written the way POST /v1/api-keys stores one. */
export async function createManagerKey(db: Db, companyId: string): Promise<{ Authorization: string }> {
  const generated = generateApiKey();
  await db.apiKey.create({ data: { id: newId('key'), companyId, name: 'availability tests', role: 'manager', keyHash: generated.hash, prefix: generated.prefix } });
  return { Authorization: `Bearer ${generated.key}` };
}

/** A Cal.com user id no other suite on the shared emulator uses. */
export function uniqueCalcomUserId(): number {
  return 700_000 + Math.floor(Math.random() * 200_000_000);
}

/**
 * Deletes a test company and everything it owns, as the service does (infra/company/delete-company.ts):
 * the reconciliation Schedules of its calendar connections on the test Temporal server first (a
 * client of its own, only when it has connections), then its rows. A company another suite's rows
 * still reference stays, as before.
 */
export async function dropCompany(db: Db, companyId: string): Promise<void> {
  const connections = await db.calendarConnection.count({ where: { companyId } });
  const connection = connections > 0 ? await Connection.connect({ address: testEnv().temporalAddress }) : undefined;
  try {
    const temporal = connection ? new Client({ connection, namespace: testEnv().temporalNamespace }) : undefined;
    await deleteCompany({ db, temporal }, companyId).catch(async (error: unknown) => {
      if (!(await db.company.findUnique({ where: { id: companyId }, select: { id: true } }))) throw error;
    });
  } finally {
    await connection?.close();
  }
}
