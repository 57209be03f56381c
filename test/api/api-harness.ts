/**
 * Shared set-up for API tests: the real app (createApp) over a real, migrated PostgreSQL database
 * `booking_apitest` (or `<BOOKING_TEST_DB>_api`) on the configured server, and helpers to make companies and keys through the
 * public API itself. Each test makes its own company, so files and tests never see each other's
 * rows (tenant scoping does the isolation).
 */
import path from 'node:path';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../infra/config';
import { migrate } from '../../infra/db/migrator';
import { createPrisma, type PrismaClient } from '../../infra/db/prisma';
import type { AppDeps } from '../../api/app-deps';
import { createApp } from '../../api/app';

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');
export const ADMIN_KEY = 'test-admin-key';

export function apiTestDatabaseUrl(): string {
  const url = new URL(loadConfig().databaseUrl);
  // Side-by-side checkouts (BOOKING_TEST_DB set) each get their own API database too.
  url.pathname = process.env.BOOKING_TEST_DB ? `/${process.env.BOOKING_TEST_DB}_api` : '/booking_apitest';
  return url.toString();
}

export interface ApiHarness {
  app: Express;
  db: PrismaClient;
  config: AppConfig;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function startApiHarness(overrides: Partial<AppDeps> = {}): Promise<ApiHarness> {
  const databaseUrl = apiTestDatabaseUrl();
  await migrate(databaseUrl, MIGRATIONS_DIR);
  const config: AppConfig = { ...loadConfig(), databaseUrl, adminApiKey: ADMIN_KEY };
  const db = createPrisma(databaseUrl, { max: 4 });
  const deps: AppDeps = {
    config,
    db,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    readiness: { database: async () => void (await db.$queryRaw`SELECT 1`) },
    ...overrides,
  };
  return { app: createApp(deps), db, config, deps, close: () => db.$disconnect() };
}

export interface TestCompany {
  id: string;
  /** manager key */
  key: string;
  auth: { Authorization: string };
}

export async function createCompany(app: Express, name = 'Acme'): Promise<TestCompany> {
  const res = await request(app).post('/v1/admin/companies').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name });
  if (res.status !== 201) throw new Error(`company creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, key: res.body.apiKey, auth: { Authorization: `Bearer ${res.body.apiKey}` } };
}

export async function createKey(app: Express, company: TestCompany, role: 'manager' | 'booking' | 'support' | 'public') {
  const res = await request(app).post('/v1/api-keys').set(company.auth).send({ name: `${role} key`, role });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { Authorization: `Bearer ${res.body.apiKey}` };
}

export const BERLIN_BRANCH = {
  name: 'Mitte',
  timezone: 'Europe/Berlin',
  operatingHours: {
    monday: { open: true, start: '09:00', end: '18:00' },
    tuesday: { open: true, start: '09:00', end: '18:00' },
    sunday: { open: false },
  },
};

export async function createBranch(app: Express, company: TestCompany, body: object = BERLIN_BRANCH): Promise<{ id: string } & Record<string, unknown>> {
  const res = await request(app).post('/v1/branches').set(company.auth).send(body);
  if (res.status !== 201) throw new Error(`branch creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Field paths of a validation_error answer, sorted. */
export function errorPaths(body: { errors?: Array<{ path: string }> }): string[] {
  return (body.errors ?? []).map((e) => e.path).sort();
}

/** A 400 validation_error problem+json listing exactly `paths` (in any order). */
export function expectValidation(res: request.Response, paths: string[]): void {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 400, code: 'validation_error', type: expect.any(String), title: expect.any(String) });
  expect(errorPaths(res.body)).toEqual([...paths].sort());
}

export interface CatalogHarness {
  /** Filled in by the file's beforeAll. */
  h: ApiHarness;
  /** onBranchChanged(companyId, branchId) calls, cleared before every test. */
  branchChanged: jest.Mock<void, [string, string]>;
}

/** For catalog suites: registers the hooks that start the app with an onBranchChanged spy and close it after the file. */
export function useCatalogHarness(): CatalogHarness {
  const branchChanged = jest.fn<void, [string, string]>();
  const h = {} as ApiHarness;
  beforeAll(async () => {
    Object.assign(h, await startApiHarness({ onBranchChanged: (companyId, branchId) => branchChanged(companyId, branchId) }));
  });
  afterAll(() => h.close());
  beforeEach(() => branchChanged.mockClear());
  return { h, branchChanged };
}
