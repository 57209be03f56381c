/**
 * The real stack behind the booking HTTP suites: createApp (supertest) over the API test database
 * with a real Temporal Client to the shared dev server, and an in-process Worker on a task queue
 * of its own over the same database (test/harness/in-process-worker.ts: private Cal.com emulator,
 * Redis availability cache, SMTP sink). Catalog rows go straight to the database for a fresh
 * company whose manager key comes from the admin API.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { loadConfig } from '../../infra/config';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import type { AppDeps } from '../../api/app-deps';
import { ADMIN_KEY, apiTestDatabaseUrl, createCompany, startApiHarness, type ApiHarness, type TestCompany } from '../api/api-harness';
import { deleteReconcileSchedulesOnQueue, linkCalendar, type LinkedCalendar } from '../harness/calendar-link';
import { startInProcessWorker } from '../harness/in-process-worker';
import { getTestEnv } from '../harness/temporal';

export interface BookingCatalog {
  branchId: string;
  serviceId: string;
  customerId: string;
  staff: { anna: string; ben: string };
}

export interface BookingStack {
  api: ApiHarness;
  app: ApiHarness['app'];
  company: TestCompany;
  catalog: BookingCatalog;
  /** The company's calendar connection and its emulator account. */
  calendar: LinkedCalendar;
  emulator: CalcomEmulator;
  workerDb: Db;
  taskQueue: string;
  /** The worker's availability-cache prefix in Redis. */
  cachePrefix: string;
  /** Another app over the same database and Temporal (e.g. with a fixed clock). */
  extraApp(overrides: Partial<AppDeps>): Promise<ApiHarness>;
  close(): Promise<void>;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

export async function startBookingStack(name: string, options: { bookingWaitMs?: number } = {}): Promise<BookingStack> {
  const temporal = await getTestEnv();
  const taskQueue = `${name}-${randomUUID()}`;
  const config = { ...loadConfig(), databaseUrl: apiTestDatabaseUrl(), adminApiKey: ADMIN_KEY, temporalTaskQueue: taskQueue, bookingWaitMs: options.bookingWaitMs ?? 15_000 };
  const api = await startApiHarness({ config, temporal: temporal.client, rateLimit: false });
  const company = await createCompany(api.app, `Bookings ${name}`);
  const workerDb = createPrisma(config.databaseUrl, { max: 6 });
  const worker = await startInProcessWorker(workerDb, taskQueue);
  const catalog = await seedCatalog(workerDb, company.id);
  // The company's own Cal.com account in the worker's emulator: Anna and Ben are two of its users.
  const calendar = await linkCalendar(workerDb, {
    companyId: company.id,
    branchId: catalog.branchId,
    emulatorUrl: worker.emulator.url,
    staffIds: [catalog.staff.anna, catalog.staff.ben],
    serviceIds: [catalog.serviceId],
  });
  const extras: ApiHarness[] = [];
  return {
    api,
    app: api.app,
    company,
    catalog,
    calendar,
    emulator: worker.emulator,
    workerDb,
    taskQueue,
    cachePrefix: worker.cachePrefix,
    async extraApp(overrides) {
      const extra = await startApiHarness({ config, temporal: temporal.client, rateLimit: false, ...overrides });
      extras.push(extra);
      return extra;
    },
    async close() {
      await worker.close();
      await Promise.all(extras.map((e) => e.close()));
      await workerDb.$disconnect();
      await api.close();
      // Connections made through this stack's API left their Schedules on its private queue.
      await deleteReconcileSchedulesOnQueue(taskQueue);
    },
  };
}

/** A Berlin branch open Mon–Fri 09–18, two staff with the `cut` skill, a 60-minute service, a customer. */
export async function seedCatalog(db: Db, companyId: string): Promise<BookingCatalog> {
  const branchId = newId('br');
  const ids = { serviceId: newId('svc'), customerId: newId('cus') };
  const staff = { anna: newId('stf'), ben: newId('stf') };
  const open = { open: true, start: '09:00', end: '18:00' };
  await db.branch.create({
    data: {
      id: branchId,
      companyId,
      name: 'Mitte',
      timezone: 'Europe/Berlin',
      operatingHours: { ...Object.fromEntries(WEEKDAYS.map((d) => [d, open])), saturday: { open: false }, sunday: { open: false } },
      closures: [],
      specialHours: [],
      rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 365, slotIntervalMinutes: 30, maxDailyBookingsPerCustomer: null },
    },
  });
  const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '09:00', end: '18:00' }]]));
  // Cal.com ids come from the company's own account (linkCalendar in startBookingStack).
  await db.staff.create({ data: { id: staff.anna, companyId, branchId, name: 'Anna', gender: 'female', languages: ['de'], skills: ['cut'], workingHours: hours } });
  await db.staff.create({ data: { id: staff.ben, companyId, branchId, name: 'Ben', gender: 'male', languages: ['de'], skills: ['cut'], workingHours: hours } });
  await db.service.create({ data: { id: ids.serviceId, companyId, branchId, name: 'Haircut', durationMinutes: 60, requiredSkills: ['cut'], calcomEventTypeId: null } });
  await db.customer.create({ data: { id: ids.customerId, companyId, name: 'Carla', email: `carla-${ids.customerId}@example.test` } });
  return { branchId, staff, ...ids };
}

export function bookingBody(catalog: BookingCatalog, start: string, extra: Record<string, unknown> = {}) {
  return { branchId: catalog.branchId, serviceId: catalog.serviceId, customerId: catalog.customerId, staffId: catalog.staff.anna, start, ...extra };
}

export function postBooking(stack: BookingStack, body: object, key?: string) {
  const req = request(stack.app).post('/v1/bookings').set(stack.company.auth);
  if (key) req.set('Idempotency-Key', key);
  return req.send(body);
}

export async function setFaults(emulator: CalcomEmulator, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emulator.url}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

export async function calendarBookings(emulator: CalcomEmulator): Promise<Array<{ uid: string; status: string; start: string; metadata?: Record<string, string> }>> {
  const res = await fetch(`${emulator.url}/__control/bookings`);
  return ((await res.json()) as { data: Array<{ uid: string; status: string; start: string; metadata?: Record<string, string> }> }).data;
}

/** Polls until `check` returns a value (not undefined); fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
