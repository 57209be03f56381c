/**
 * Links a test company to its own Cal.com account in an emulator: creates the account through the
 * emulator's control API, stores a calendar connection for it (key encrypted as the API does),
 * names it on the branch and gives staff and services the account's user and event type ids.
 * Straight to the database: suites that test the connection endpoints themselves use the API.
 */
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import type { Db } from '../../infra/db/prisma';
import { createSecretBox } from '../../infra/secrets/secret-box';
import { reconcileScheduleId } from '../../workflows/calendar-reconcile.contract';
import { testEnv } from './env';
import { testDataConverter } from './temporal';

export interface EmulatorAccountInfo {
  apiKey: string;
  userIds: number[];
  eventTypeIds: number[];
}

export async function createEmulatorAccount(emulatorUrl: string): Promise<EmulatorAccountInfo> {
  const res = await fetch(`${emulatorUrl}/__control/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (res.status !== 201) throw new Error(`emulator account: ${res.status} ${await res.text()}`);
  return (await res.json()) as EmulatorAccountInfo;
}

export interface LinkedCalendar {
  connectionId: string;
  account: EmulatorAccountInfo;
}

/** Staff get the account's users in order, services its event types in order (at most three each). */
export async function linkCalendar(
  db: Db,
  opts: { companyId: string; branchId: string; emulatorUrl: string; staffIds?: string[]; serviceIds?: string[]; account?: EmulatorAccountInfo },
): Promise<LinkedCalendar> {
  const account = opts.account ?? (await createEmulatorAccount(opts.emulatorUrl));
  const secrets = createSecretBox(testEnv().calendarSecretKey);
  const connectionId = newId('cal');
  await db.calendarConnection.create({
    data: {
      id: connectionId,
      companyId: opts.companyId,
      name: 'Test Cal.com',
      baseUrl: opts.emulatorUrl,
      apiKeyEnc: secrets.encrypt(account.apiKey),
      accountId: account.userIds[0]!,
      accountEmail: null,
    },
  });
  await db.branch.update({ where: { id: opts.branchId }, data: { calendarConnectionId: connectionId } });
  for (const [i, id] of (opts.staffIds ?? []).entries()) await db.staff.update({ where: { id }, data: { calcomUserId: account.userIds[i % 3]! } });
  for (const [i, id] of (opts.serviceIds ?? []).entries()) await db.service.update({ where: { id }, data: { calcomEventTypeId: account.eventTypeIds[i % 3]! } });
  return { connectionId, account };
}

/**
 * Through the public API: a new emulator account connected by the company (POST
 * /v1/calendar-connections) and named on the branch (PATCH /v1/branches/:id).
 */
export async function connectBranchViaApi(
  app: Parameters<typeof request>[0],
  auth: Record<string, string>,
  branchId: string,
  emulatorUrl: string = testEnv().calcomBaseUrl,
): Promise<{ connectionId: string; account: EmulatorAccountInfo }> {
  const account = await createEmulatorAccount(emulatorUrl);
  const created = await request(app).post('/v1/calendar-connections').set(auth).send({ name: 'Cal.com', provider: 'calcom', baseUrl: emulatorUrl, apiKey: account.apiKey });
  if (created.status !== 201) throw new Error(`connection: ${created.status} ${JSON.stringify(created.body)}`);
  const linked = await request(app).patch(`/v1/branches/${branchId}`).set(auth).send({ calendarConnectionId: created.body.id });
  if (linked.status !== 200) throw new Error(`branch link: ${linked.status} ${JSON.stringify(linked.body)}`);
  return { connectionId: created.body.id, account };
}

/**
 * Deletes the reconciliation Schedules that start their runs on `taskQueue`: a test stack's
 * connections made through the API (each with its Schedule on the stack's private queue), which
 * would otherwise outlive the stack and start a run every interval on a queue nobody polls. Over
 * a connection of its own: a file's shared test environment may already be torn down when its
 * last afterAll closes the stack.
 */
export async function deleteReconcileSchedulesOnQueue(taskQueue: string): Promise<string[]> {
  const { temporalAddress, temporalNamespace } = testEnv();
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection, namespace: temporalNamespace, dataConverter: testDataConverter() });
    const deleted: string[] = [];
    for await (const summary of client.schedule.list()) {
      if (!summary.scheduleId.startsWith(reconcileScheduleId(''))) continue;
      const handle = client.schedule.getHandle(summary.scheduleId);
      const described = await handle.describe().catch(() => undefined);
      if (described?.action.type !== 'startWorkflow' || described.action.taskQueue !== taskQueue) continue;
      await handle.delete().catch((error: unknown) => {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      });
      deleted.push(summary.scheduleId);
    }
    return deleted;
  } finally {
    await connection.close();
  }
}
