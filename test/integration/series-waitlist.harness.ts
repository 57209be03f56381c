/**
 * Real stack for the series, waiting-list and analytics HTTP suites: the app (startApiHarness over
 * booking_apitest) with a real Temporal client to the dev server, and an in-process Worker on a
 * unique task queue over the same PostgreSQL (test/harness/in-process-worker.ts: private Cal.com
 * emulator, Redis, SMTP sink). Catalog rows come from the
 * availability fixture (a fresh company each), with a manager key written for it.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { apiTestDatabaseUrl, startApiHarness, type ApiHarness } from '../api/api-harness';
import { startInProcessWorker } from '../harness/in-process-worker';
import { getTestEnv } from '../harness/temporal';
import { linkCalendar } from '../harness/calendar-link';
import { seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

export interface Stack {
  api: ApiHarness;
  db: Db;
  temporal: TestWorkflowEnvironment;
  taskQueue: string;
  emulator: CalcomEmulator;
  close(): Promise<void>;
}

export async function startStack(name: string): Promise<Stack> {
  const taskQueue = `${name}-${randomUUID()}`;
  const temporal = await getTestEnv();
  const api = await startApiHarness({ temporal: temporal.client });
  // Only the queue and a generous wait budget differ from the defaults; the waiting-list
  // check interval stays at its default (5 minutes) on purpose.
  api.deps.config = { ...api.config, temporalTaskQueue: taskQueue, bookingWaitMs: 30_000 };
  const db = createPrisma(apiTestDatabaseUrl(), { max: 5 });
  const worker = await startInProcessWorker(db, taskQueue);
  return {
    api, db, temporal, taskQueue, emulator: worker.emulator,
    async close() {
      await worker.close();
      await db.$disconnect();
      await api.close();
    },
  };
}

export interface Tenant extends AvailabilityFixture {
  auth: { Authorization: string };
}

/** A fresh company with the availability fixture's catalog and a manager key; with `emulatorUrl`, linked to its own Cal.com account there. */
export async function seedTenant(db: Db, emulatorUrl?: string): Promise<Tenant> {
  const fx = await seedAvailabilityFixture(db);
  if (emulatorUrl) await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
  const key = generateApiKey();
  await db.apiKey.create({ data: { id: newId('key'), companyId: fx.companyId, name: 'test', role: 'manager', keyHash: key.hash, prefix: key.prefix } });
  return { ...fx, auth: { Authorization: `Bearer ${key.key}` } };
}

/** Polls `probe` until it returns a value (never a timed assertion: the deadline only ends a hang). */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, label: string, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const http = (stack: Stack) => request(stack.api.app);
