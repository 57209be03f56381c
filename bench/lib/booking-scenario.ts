/**
 * The booking benchmark's workload in the bench database: a company with a manager API key, and
 * per load level a branch open every day 06:00–22:00 (Europe/Berlin) with N staff, a 30-minute
 * service without buffers and one customer. Each staff member is linked to a Cal.com user of its
 * own, so bookings of different staff at the same time do not collide in the emulator.
 * `distinctSlots` lists (staff, start) pairs that never overlap, so every request of a level can
 * be confirmed; staff rotate fastest, so concurrent requests hit different staff at one time.
 */
import { DateTime } from 'luxon';
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import type { PrismaClient } from '../../infra/db/prisma';

export const BENCH_BOOKING_ZONE = 'Europe/Berlin';
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const OPEN = '06:00';
const CLOSE = '22:00';
const SLOT_MINUTES = 30;
const SLOTS_PER_DAY = ((22 - 6) * 60) / SLOT_MINUTES;

export interface BenchCompany {
  companyId: string;
  authorization: string;
}

export interface BenchBranch {
  branchId: string;
  serviceId: string;
  customerId: string;
  staffIds: string[];
}

export async function seedBenchCompany(db: PrismaClient): Promise<BenchCompany> {
  const companyId = newId('cmp');
  const key = generateApiKey();
  await db.company.create({ data: { id: companyId, name: 'Booking bench' } });
  await db.apiKey.create({ data: { id: newId('key'), companyId, name: 'bench', role: 'manager', keyHash: key.hash, prefix: key.prefix } });
  return { companyId, authorization: `Bearer ${key.key}` };
}

export async function seedBenchBranch(db: PrismaClient, companyId: string, opts: { staffCount: number; calcomHostBase: number; customerEmail: string }): Promise<BenchBranch> {
  const branchId = newId('br');
  const serviceId = newId('svc');
  const customerId = newId('cus');
  const staffIds = Array.from({ length: opts.staffCount }, () => newId('stf'));
  await db.branch.create({
    data: {
      id: branchId, companyId, name: `Bench ${branchId.slice(-4)}`, timezone: BENCH_BOOKING_ZONE,
      operatingHours: Object.fromEntries(DAYS.map((d) => [d, { open: true, start: OPEN, end: CLOSE }])),
      specialHours: [], closures: [],
      rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 365, slotIntervalMinutes: SLOT_MINUTES, maxDailyBookingsPerCustomer: null },
    },
  });
  const hours = Object.fromEntries(DAYS.map((d) => [d, [{ start: OPEN, end: CLOSE }]]));
  await db.staff.createMany({
    data: staffIds.map((id, i) => ({
      id, companyId, branchId, name: `Staff ${i}`, gender: i % 2 ? 'male' : 'female', languages: ['de'], skills: ['cut'],
      workingHours: hours, calcomUserId: opts.calcomHostBase + i,
    })),
  });
  await db.service.create({
    data: { id: serviceId, companyId, branchId, name: 'Cut', durationMinutes: SLOT_MINUTES, requiredSkills: ['cut'], calcomEventTypeId: 1 },
  });
  await db.customer.create({ data: { id: customerId, companyId, name: 'Bench Customer', email: opts.customerEmail } });
  return { branchId, serviceId, customerId, staffIds };
}

/** `count` non-overlapping (staff, start) pairs from `firstDay` (YYYY-MM-DD, branch zone) on. */
export function distinctSlots(branch: BenchBranch, firstDay: string, count: number): Array<{ staffId: string; start: string }> {
  const staff = branch.staffIds.length;
  const day0 = DateTime.fromISO(`${firstDay}T${OPEN}`, { zone: BENCH_BOOKING_ZONE });
  return Array.from({ length: count }, (_, i) => {
    const slot = Math.floor(i / staff);
    const start = day0.plus({ days: Math.floor(slot / SLOTS_PER_DAY) }).plus({ minutes: (slot % SLOTS_PER_DAY) * SLOT_MINUTES });
    return { staffId: branch.staffIds[i % staff], start: start.toUTC().toISO() as string };
  });
}
