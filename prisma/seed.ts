/**
 * `npm run db:seed`: a demo company to try the API with, in the database of DATABASE_URL.
 * Idempotent: fixed, readable ids (`br_demo_mitte`, `stf_demo_anna`, ...) and upserts, so a
 * second run resets the demo catalog to this state and changes nothing else (bookings made while
 * trying things out stay). Prints the keys; `npm run dev` shows them in its summary.
 *
 * The demo manager key is a fixed, well-known string ON PURPOSE (so the README can use it); only
 * its SHA-256 is stored, as for every key. Never seed a production database.
 *
 * Calendar: the demo company gets a calendar connection (`cal_demo`) to CALCOM_BASE_URL with
 * CALCOM_API_KEY (default: the local emulator and its built-in demo account, whose users 1–3 and
 * team event types 1001–1004 the demo staff and services are linked to). With a real Cal.com key
 * the account is asked who it is (GET /v2/me) and the demo staff and services stay unlinked
 * (`calendar.status: "not_linked"`) until you link them to ids of that account.
 */
import { DEMO_API_KEYS, loadConfig } from '../infra/config';
import { apiKeyDisplayPrefix, hashApiKey } from '../infra/db/api-keys';
import { createCalcomClient } from '../infra/calcom/calcom.client';
import { createPrisma, type DbTx } from '../infra/db/prisma';
import { createSecretBox } from '../infra/secrets/secret-box';

export const DEMO_COMPANY_ID = 'cmp_demo';
export const DEMO_BRANCH_ID = 'br_demo_mitte';
export const DEMO_MANAGER_KEY = DEMO_API_KEYS.manager;
export const DEMO_BOOKING_KEY = DEMO_API_KEYS.booking;
export const DEMO_CONNECTION_ID = 'cal_demo';
export const DEMO_SUPPORT_KEY = DEMO_API_KEYS.support;
/** Publishable (role `public`): the customer booking page's link carries it. */
export const DEMO_PUBLIC_KEY = DEMO_API_KEYS.public;
/** The Cal.com event type of the haircut service (a team event type of the emulator's demo account). */
export const DEMO_CALCOM_EVENT_TYPE_ID = 1001;

const weekdays = (hours: { start: string; end: string }) => ({
  monday: [hours], tuesday: [hours], wednesday: [hours], thursday: [hours], friday: [hours],
});

const branch = {
  id: DEMO_BRANCH_ID,
  name: 'Demo Salon Mitte',
  timezone: 'Europe/Berlin',
  address: 'Torstraße 125, 10119 Berlin',
  operatingHours: {
    monday: { open: true, start: '08:00', end: '18:00' },
    tuesday: { open: true, start: '08:00', end: '18:00' },
    wednesday: { open: true, start: '08:00', end: '18:00' },
    thursday: { open: true, start: '08:00', end: '20:00' },
    friday: { open: true, start: '08:00', end: '18:00' },
    saturday: { open: true, start: '09:00', end: '14:00' },
    sunday: { open: false },
  },
  specialHours: [{ date: '2026-12-24', open: true, start: '09:00', end: '12:00' }],
  closures: [{ date: '2026-12-25', reason: 'Christmas' }, { date: '2026-12-26', reason: 'Christmas' }],
  rules: { minimumNoticeMinutes: 60, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: 3 },
};

const resources = [
  { id: 'res_demo_chair_1', name: 'Chair 1', kind: 'chair' },
  { id: 'res_demo_chair_2', name: 'Chair 2', kind: 'chair' },
  { id: 'res_demo_wash', name: 'Colour wash basin', kind: 'basin' },
];

const staff = [
  {
    id: 'stf_demo_anna', name: 'Anna Schmidt', email: 'anna@demo.example.test', gender: 'female',
    languages: ['de', 'en'], skills: ['haircut', 'coloring'], calcomUserId: 1, maxDailyBookings: 8,
    workingHours: weekdays({ start: '09:00', end: '17:00' }),
    breaks: { monday: [{ start: '12:00', end: '12:30' }], wednesday: [{ start: '12:00', end: '12:30' }] },
  },
  {
    id: 'stf_demo_ben', name: 'Ben Yilmaz', email: 'ben@demo.example.test', gender: 'male',
    languages: ['de', 'tr'], skills: ['haircut', 'beard'], calcomUserId: 2, maxDailyBookings: null,
    workingHours: {
      tuesday: [{ start: '10:00', end: '18:00' }], wednesday: [{ start: '10:00', end: '18:00' }],
      thursday: [{ start: '12:00', end: '20:00' }], friday: [{ start: '10:00', end: '18:00' }],
      saturday: [{ start: '09:00', end: '14:00' }],
    },
    breaks: {},
  },
  {
    id: 'stf_demo_chiara', name: 'Chiara Rossi', email: 'chiara@demo.example.test', gender: 'female',
    languages: ['it', 'en', 'de'], skills: ['coloring', 'consultation'], calcomUserId: 3, maxDailyBookings: 6,
    workingHours: {
      monday: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '16:00' }],
      wednesday: [{ start: '08:00', end: '14:00' }],
      friday: [{ start: '08:00', end: '14:00' }],
    },
    breaks: {},
  },
];

const services = [
  {
    id: 'svc_demo_haircut', name: 'Haircut', durationMinutes: 30, price: '35.00', bufferAfterMinutes: 5,
    requiredSkills: ['haircut'], resourceRequirements: ['res_demo_chair_1', 'res_demo_chair_2'],
    calcomEventTypeId: DEMO_CALCOM_EVENT_TYPE_ID,
  },
  {
    id: 'svc_demo_coloring', name: 'Colouring', durationMinutes: 90, price: '89.00', bufferBeforeMinutes: 10, bufferAfterMinutes: 15,
    requiredSkills: ['coloring'], resourceRequirements: ['res_demo_wash'], calcomEventTypeId: 1002,
  },
  {
    id: 'svc_demo_consultation', name: 'Colour consultation', durationMinutes: 20, price: '0.00',
    requiredSkills: ['consultation'], resourceRequirements: [], calcomEventTypeId: 1003,
  },
  {
    id: 'svc_demo_beard', name: 'Beard trim', durationMinutes: 15, price: '15.00', category: 'flexible',
    flexible: { minMinutes: 15, maxMinutes: 45, stepMinutes: 15 },
    requiredSkills: ['beard'], resourceRequirements: ['res_demo_chair_1', 'res_demo_chair_2'], calcomEventTypeId: 1004,
  },
];

const customers = [
  { id: 'cus_demo_max', name: 'Max Mustermann', email: 'max@customer.example.test', phone: '+49301234567', language: 'de', timezone: 'Europe/Berlin' },
  { id: 'cus_demo_emma', name: 'Emma Jones', email: 'emma@customer.example.test', phone: null, language: 'en', timezone: 'Europe/London' },
];

const keys = [
  { id: 'key_demo_manager', name: 'demo manager key', role: 'manager', secret: DEMO_MANAGER_KEY },
  { id: 'key_demo_booking', name: 'demo booking key', role: 'booking', secret: DEMO_BOOKING_KEY },
  { id: 'key_demo_support', name: 'demo support key', role: 'support', secret: DEMO_SUPPORT_KEY },
  { id: 'key_demo_public', name: 'demo public key (booking page)', role: 'public', secret: DEMO_PUBLIC_KEY },
];

export interface DemoConnection {
  baseUrl: string;
  apiKeyEnc: string;
  accountId: number;
  accountEmail: string | null;
  /** false: a real account; the demo's Cal.com ids are the emulator's, so staff and services stay unlinked. */
  emulated: boolean;
}

/** Writes the demo company in one transaction; safe to run any number of times. */
export async function seedDemo(tx: DbTx, connection: DemoConnection | null = null): Promise<void> {
  const companyId = DEMO_COMPANY_ID;
  await tx.company.upsert({ where: { id: companyId }, create: { id: companyId, name: 'Demo Salon GmbH' }, update: { name: 'Demo Salon GmbH' } });
  for (const key of keys) {
    const data = { companyId, name: key.name, role: key.role, keyHash: hashApiKey(key.secret), prefix: apiKeyDisplayPrefix(key.secret), revokedAt: null };
    await tx.apiKey.upsert({ where: { keyHash: data.keyHash }, create: { id: key.id, ...data }, update: data });
  }
  if (connection) {
    const { emulated: _emulated, ...data } = connection;
    const row = { companyId, name: 'Demo Cal.com', provider: 'calcom', ...data };
    await tx.calendarConnection.upsert({ where: { id: DEMO_CONNECTION_ID }, create: { id: DEMO_CONNECTION_ID, ...row }, update: { ...row, keyVersion: { increment: 1 } } });
  }
  const linked = connection?.emulated === true;
  const { id: branchId, ...rest } = branch;
  const branchData = { ...rest, calendarConnectionId: connection ? DEMO_CONNECTION_ID : null };
  await tx.branch.upsert({ where: { id: branchId }, create: { id: branchId, companyId, ...branchData }, update: branchData });
  for (const { id, ...data } of resources) {
    await tx.resource.upsert({ where: { id }, create: { id, companyId, branchId, ...data }, update: data });
  }
  for (const { id, ...seeded } of staff) {
    const data = { ...seeded, calcomUserId: linked ? seeded.calcomUserId : null };
    await tx.staff.upsert({ where: { id }, create: { id, companyId, branchId, active: true, ...data }, update: { ...data, active: true } });
  }
  for (const { id, ...seeded } of services) {
    const data = { ...seeded, calcomEventTypeId: linked ? seeded.calcomEventTypeId : null };
    await tx.service.upsert({ where: { id }, create: { id, companyId, branchId, active: true, ...data }, update: { ...data, active: true } });
  }
  for (const { id, ...data } of customers) {
    await tx.customer.upsert({ where: { id }, create: { id, companyId, ...data }, update: { ...data, blocked: false, blockedReason: null } });
  }
}

/** The demo connection: the emulator's demo account, or the account of a real CALCOM_API_KEY (asked with GET /v2/me). */
async function demoConnection(config: ReturnType<typeof loadConfig>): Promise<DemoConnection | null> {
  const secrets = createSecretBox(config.calendarSecretKey);
  const base = { baseUrl: config.calcomBaseUrl.replace(/\/+$/, ''), apiKeyEnc: secrets.encrypt(config.calcomApiKey) };
  if (config.calcomEmulated) return { ...base, accountId: 1, accountEmail: 'owner@cal.emulator.test', emulated: true };
  try {
    const me = await createCalcomClient({ baseUrl: config.calcomBaseUrl, apiKey: config.calcomApiKey }).me();
    return { ...base, accountId: me.id, accountEmail: me.email ?? null, emulated: false };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  // The demo keys are public (README): a production database must never hold them.
  if (config.nodeEnv === 'production') throw new Error('Refusing to seed the demo company with NODE_ENV=production');
  const db = createPrisma(config.databaseUrl, { max: 2 });
  const connection = await demoConnection(config);
  try {
    await db.$transaction((tx) => seedDemo(tx, connection));
  } finally {
    await db.$disconnect();
  }
  console.log(`Seeded demo company ${DEMO_COMPANY_ID} (branch ${DEMO_BRANCH_ID}, Europe/Berlin): ${staff.length} staff, ${services.length} services, ${resources.length} resources, ${customers.length} customers`);
  console.log(
    connection
      ? `Calendar connection:  ${DEMO_CONNECTION_ID} -> ${connection.baseUrl} (account ${connection.accountId}${connection.emulated ? ', emulator demo account; staff and services linked' : '; staff and services not linked yet'})`
      : 'Calendar connection:  none (Cal.com did not accept CALCOM_API_KEY); bookings are not_linked',
  );
  console.log(`Admin API key:        ${config.adminApiKey}`);
  console.log(`Demo manager API key: ${DEMO_MANAGER_KEY}`);
  console.log(`Demo booking API key: ${DEMO_BOOKING_KEY}`);
  console.log(`Demo support API key: ${DEMO_SUPPORT_KEY}`);
  console.log(`Demo public API key:  ${DEMO_PUBLIC_KEY}   (booking page: /book/br_demo_mitte?key=${DEMO_PUBLIC_KEY})`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`seed failed: ${error.message}`);
    process.exit(1);
  });
}
