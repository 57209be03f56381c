/**
 * Keeps prisma/schema.prisma and the hand-written SQL migrations in step (the schema engine that
 * would diff them is not available offline): every table, column, type, nullability, default,
 * index and foreign key Prisma would create must exist exactly, and every model must round-trip
 * through the generated client against the migrated database.
 */
import path from 'node:path';
import { Client } from 'pg';
import { createPrisma, Db, Prisma } from '../../infra/db/prisma';
import { expectedColumnInfo, Model, readSchema } from './schema-model';
import { migratedTempDatabase, TempDatabase } from './temp-database';

const models = readSchema(path.resolve(__dirname, '..', '..', 'prisma', 'schema.prisma'));
/** Indexes that exist in SQL only (exclusion constraints are backed by GiST indexes). */
/** Also the GIN index over staff assignments (jsonb_path_ops: Prisma cannot state the operator class; migration 20261203175000). */
const SQL_ONLY_INDEXES = ['bookings_no_staff_overlap', 'bookings_no_resource_overlap', 'waiting_list_entries_open_reach', 'staff_assignments_idx'];
/** Partial unique indexes (Prisma cannot state a WHERE): name → unique. */
const SQL_ONLY_UNIQUE_INDEXES = ['bookings_seat_taken'];
/** Nullable in SQL only: a reservation's hold row has no customer yet (CHECK: only source 'hold'; migration 20261203140100). */
const SQL_ONLY_NULLABLE = ['bookings.customer_id'];

let temp: TempDatabase;
let pg: Client;
let db: Db;

beforeAll(async () => {
  temp = await migratedTempDatabase();
  pg = new Client({ connectionString: temp.url });
  await pg.connect();
  db = createPrisma(temp.url);
});

afterAll(async () => {
  await db?.$disconnect();
  await pg?.end();
  await temp?.drop();
});

describe('SQL schema matches schema.prisma', () => {
  test('the schema reader found every model', () => {
    expect(models.length).toBeGreaterThanOrEqual(17);
  });

  test('same set of tables', async () => {
    const { rows } = await pg.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename",
    );
    expect(rows.map((r) => r.tablename)).toEqual(models.map((m) => m.table).sort());
  });

  test.each(models.map((m) => [m.name, m] as [string, Model]))('%s: columns, types, nullability, defaults', async (_name, model) => {
    const { rows } = await pg.query(
      `SELECT column_name, data_type, udt_name, is_nullable, column_default IS NOT NULL AS has_default,
              datetime_precision, numeric_precision, numeric_scale
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
      [model.table],
    );
    const actual = Object.fromEntries(rows.map((r) => [r.column_name, r]));
    expect(Object.keys(actual).sort()).toEqual(model.columns.map((c) => c.name).sort());
    for (const column of model.columns) {
      const row = actual[column.name];
      expect({ column: column.name, data_type: row.data_type, udt_name: row.udt_name, is_nullable: row.is_nullable, has_default: row.has_default }).toEqual({
        column: column.name,
        ...expectedColumnInfo(column),
        ...(SQL_ONLY_NULLABLE.includes(`${model.table}.${column.name}`) ? { is_nullable: 'YES' } : {}),
      });
      const precision = /^Timestamptz\((\d+)\)$/.exec(column.dbType ?? '');
      if (precision) expect({ column: column.name, p: row.datetime_precision }).toEqual({ column: column.name, p: Number(precision[1]) });
      const decimal = /^Decimal\((\d+),\s*(\d+)\)$/.exec(column.dbType ?? '');
      if (decimal) expect([row.numeric_precision, row.numeric_scale]).toEqual([Number(decimal[1]), Number(decimal[2])]);
    }
  });

  test('indexes: exactly the ones Prisma would create, plus the exclusion constraints', async () => {
    const { rows } = await pg.query<{ indexname: string; unique: boolean }>(
      `SELECT i.relname AS indexname, x.indisunique AS unique
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.indexname, r.unique]));
    const expected: Record<string, boolean> = {};
    for (const model of models) for (const [name, unique] of model.indexes) expected[name] = unique;
    for (const name of SQL_ONLY_INDEXES) expected[name] = false;
    for (const name of SQL_ONLY_UNIQUE_INDEXES) expected[name] = true;
    expect(actual).toEqual(expected);
  });

  test('foreign keys: names, columns, targets and ON DELETE rules', async () => {
    const { rows } = await pg.query<{ name: string; columns: string[]; ref_table: string; on_delete: string }>(
      `SELECT c.conname AS name, t.relname AS table, r.relname AS ref_table,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
              CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL' ELSE c.confdeltype::text END AS on_delete,
              c.confupdtype AS on_update
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
        WHERE c.contype = 'f'`,
    );
    const actual = rows.map(({ name, columns, ref_table, on_delete }) => ({ name, columns, refTable: ref_table, onDelete: on_delete }));
    const expected = models.flatMap((m) => m.foreignKeys);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(actual.sort(byName)).toEqual([...expected].sort(byName));
    expect(rows.every((r) => (r as unknown as { on_update: string }).on_update === 'c')).toBe(true);
  });
});

describe('every model round-trips through the generated client', () => {
  const t = (iso: string) => new Date(iso);

  test('create and read one row of each model with every field set', async () => {
    const company = { id: 'cmp_drift', name: 'Drift GmbH', country: 'AT', createdAt: t('2030-01-01T00:00:00.123Z') };
    const apiKey = { id: 'key_drift', companyId: company.id, name: 'k', role: 'manager', keyHash: 'h'.repeat(64), prefix: 'sk_live_abc', createdAt: t('2030-01-01T00:00:00Z'), revokedAt: t('2030-01-02T00:00:00Z') };
    const connection = {
      id: 'cal_drift', companyId: company.id, name: 'Cal', provider: 'calcom', baseUrl: 'https://api.cal.com', apiKeyEnc: 'v1:k:iv:tag:data', keyVersion: 3,
      accountId: 77, accountEmail: 'owner@example.test', webhookId: 'wh_1', webhookSecretEnc: 'v1:k:iv:tag:secret', status: 'active',
      lastReconciledAt: t('2030-01-03T00:00:00Z'), driftRepaired: 2, driftOpen: 1,
    };
    const branch = {
      id: 'br_drift', companyId: company.id, name: 'Mitte', timezone: 'Europe/Berlin', country: 'DE', calendarConnectionId: connection.id,
      operatingHours: { monday: { open: true, start: '09:00', end: '18:00' } },
      specialHours: [{ date: '2030-12-24', open: true, start: '09:00', end: '12:00' }],
      closures: [{ date: '2030-12-25', reason: 'Xmas' }],
      rules: { minimumNoticeMinutes: 60, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: 2 },
    };
    const resource = { id: 'res_drift', companyId: company.id, branchId: branch.id, name: 'Room 1', kind: 'room' };
    const staff = {
      id: 'stf_drift', companyId: company.id, branchId: branch.id, name: 'Anna', email: 'anna@example.test', gender: 'female',
      languages: ['de', 'en'], skills: ['cut', 'color'], workingHours: { monday: [{ start: '09:00', end: '17:00' }] },
      breaks: { monday: [{ start: '12:00', end: '12:30' }] }, maxDailyBookings: 8, calcomUserId: 42, active: false,
    };
    const timeOff = { id: 'off_drift', companyId: company.id, staffId: staff.id, startAt: t('2030-02-01T00:00:00Z'), endAt: t('2030-02-02T00:00:00Z'), reason: 'vacation' };
    const service = {
      id: 'svc_drift', companyId: company.id, branchId: branch.id, name: 'Cut', durationMinutes: 45, price: new Prisma.Decimal('39.90'),
      bufferBeforeMinutes: 5, bufferAfterMinutes: 10, requiredSkills: ['cut'], resourceRequirements: [resource.id], requiresConsultation: true,
      category: 'flexible', flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 }, packageServiceIds: ['svc_other'],
      group: { minParticipants: 1, maxParticipants: 4 }, travelMinutes: 20, calcomEventTypeId: 7, active: false,
    };
    const customer = { id: 'cus_drift', companyId: company.id, name: 'Bob', email: 'bob@example.test', phone: '+49301234', language: 'de', timezone: 'Europe/Berlin', blocked: true, blockedReason: 'no-shows' };
    const booking = {
      id: 'bkg_drift', companyId: company.id, branchId: branch.id, serviceId: service.id, customerId: customer.id, staffId: staff.id, resourceId: resource.id,
      startAt: t('2030-03-01T10:00:00Z'), endAt: t('2030-03-01T10:45:00Z'), blockedStart: t('2030-03-01T09:35:00Z'), blockedEnd: t('2030-03-01T11:15:00Z'),
      status: 'confirmed', source: 'phone', participants: [{ name: 'Bob' }], notes: 'n', rescheduledCount: 2, calendarStatus: 'synced',
      calendarExternalId: 'cal_uid', workflowId: 'booking:bkg_drift', failureReason: 'none', seriesId: 'ser_drift', cancelledAt: t('2030-03-01T08:00:00Z'),
    };
    const history = { id: 'his_drift', bookingId: booking.id, at: t('2030-03-01T09:00:00Z'), event: 'confirmed', detail: { by: 'test' }, dedupeKey: 'booking:bkg_drift:confirm' };
    const rescheduleClaim = { id: 'reschedule-bkg_drift-1:claim', bookingId: booking.id, createdAt: t('2030-03-01T09:00:00Z') };
    const syncFailure = { id: 'syf_drift', companyId: company.id, bookingId: booking.id, operation: 'reschedule', error: 'boom', attempts: 3, status: 'retrying', payload: { start: '2030-03-02T10:00:00Z' } };
    const idempotency = { id: 'idem_drift', companyId: company.id, scope: 'POST /v1/bookings', key: 'k-1', requestHash: 'r'.repeat(64), resourceId: booking.id, responseStatus: 201, responseBody: { id: booking.id }, expiresAt: t('2030-03-02T00:00:00Z') };
    const waiting = {
      id: 'wl_drift', companyId: company.id, branchId: branch.id, serviceId: service.id, customerId: customer.id, staffId: staff.id, fromDate: '2030-03-01', toDate: '2030-03-10',
      timeWindows: [{ start: '09:00', end: '12:00' }], autoBook: true, status: 'notified', offers: [{ start: '2030-03-02T10:00:00Z', end: '2030-03-02T10:45:00Z', staffId: staff.id }],
      bookingId: booking.id, notificationsSent: 1, expiresAt: t('2030-03-11T00:00:00Z'), workflowId: 'waitlist:wl_drift',
    };
    const series = { id: 'ser_drift', companyId: company.id, branchId: branch.id, serviceId: service.id, customerId: customer.id, staffId: staff.id, start: t('2030-03-01T10:00:00Z'), recurrence: { frequency: 'weekly', count: 4 }, onConflict: 'alternative', status: 'completed', workflowId: 'series:ser_drift' };
    const occurrence = { id: 'occ_drift', seriesId: series.id, index: 0, start: t('2030-03-01T10:00:00Z'), status: 'booked', bookingId: booking.id, reason: 'r', alternatives: [{ start: '2030-03-01T11:00:00Z' }] };
    const notification = {
      id: 'ntf_drift', companyId: company.id, bookingId: booking.id, customerId: customer.id, channel: 'sms', kind: 'booking_confirmed', recipient: 'bob@example.test',
      subject: 's', body: 'b', status: 'sent', error: 'e', dedupeKey: 'ntf:bkg_drift:confirmed', attempts: 1, sentAt: t('2030-03-01T09:01:00Z'), claimedUntil: t('2030-03-01T09:02:00Z'), createdAt: t('2030-03-01T09:00:30Z'),
    };
    // Keyed by (company, kind, value), not by id: read back through its composite key.
    const customerKey = { id: 'drift-key', companyId: company.id, kind: 'phone', value: '+49301234', customerId: customer.id, createdAt: t('2030-01-01T00:00:00Z') };
    const customerKeys = {
      create: ({ data }: { data: object }) => { const { id: _id, ...row } = data as typeof customerKey; return db.customerKey.create({ data: row }); },
      findUniqueOrThrow: async () => ({ id: customerKey.id, ...(await db.customerKey.findUniqueOrThrow({ where: { companyId_kind_value: { companyId: company.id, kind: 'phone', value: '+49301234' } } })) }),
    };
    const review = {
      id: 'rev_drift', companyId: company.id, bookingId: booking.id, branchId: branch.id, staffId: staff.id, serviceId: service.id, customerId: customer.id,
      rating: 4, comment: 'Gut', hiddenAt: t('2030-03-02T00:00:00Z'), createdAt: t('2030-03-01T12:00:00Z'),
    };
    const search = { id: 'srch_drift', companyId: company.id, branchId: branch.id, serviceId: service.id, at: t('2030-03-01T08:00:00Z') };
    const webhookEndpoint = { id: 'whe_drift', companyId: company.id, url: 'https://hooks.example.com/x', events: ['booking.confirmed', 'waitlist.booked'], description: 'd', secretEnc: 'v1:k:iv:tag:s' };
    const webhookDelivery = {
      id: 'whd_drift', companyId: company.id, endpointId: webhookEndpoint.id, event: 'booking.confirmed', subjectId: booking.id, seq: BigInt(3), occurredAt: t('2030-03-01T09:00:00Z'),
      snapshot: { kind: 'booking', zone: 'Europe/Berlin', row: { id: booking.id } }, status: 'failed', attempts: 4, lastStatusCode: 500, lastError: 'HTTP 500',
      lastAttemptAt: t('2030-03-01T09:05:00Z'), nextAttemptAt: t('2030-03-01T09:10:00Z'), retryUntil: t('2030-03-04T09:00:00Z'), dispatchedAt: t('2030-03-01T09:00:01Z'),
      deliveredAt: t('2030-03-01T09:20:00Z'), createdAt: t('2030-03-01T09:00:00.5Z'),
    };
    // Keyed by subject, not by id.
    const subjectSeq = { id: booking.id, seq: BigInt(7) };
    const subjectSeqs = {
      create: ({ data }: { data: object }) => { const { id, seq } = data as typeof subjectSeq; return db.webhookSubjectSeq.create({ data: { subjectId: id, seq } }); },
      findUniqueOrThrow: async () => { const row = await db.webhookSubjectSeq.findUniqueOrThrow({ where: { subjectId: subjectSeq.id } }); return { id: row.subjectId, seq: row.seq }; },
    };
    // Rollups (written by triggers in the application; here directly) are keyed by company, period, branch and one more key.
    const day = t('2031-01-06T00:00:00Z');
    const rollup = <K extends string>(keyField: K, keyValue: string | number, period: 'day' | 'week', row: object, delegate: {
      create(a: { data: object }): Promise<unknown>;
      findUniqueOrThrow(a: { where: Record<string, object> }): Promise<Record<string, unknown>>;
    }, compound: string) => {
      const data = { id: `${compound}:${keyValue}`, companyId: company.id, [period]: day, branchId: branch.id, [keyField]: keyValue, ...row };
      const where = { [compound]: { companyId: company.id, [period]: day, branchId: branch.id, [keyField]: keyValue } };
      return [{
        create: ({ data: d }: { data: object }) => { const { id: _id, ...rest } = d as typeof data; return delegate.create({ data: rest }); },
        findUniqueOrThrow: async () => ({ id: data.id, ...(await delegate.findUniqueOrThrow({ where })) }),
      }, data] as const;
    };
    const money = (v: string) => new Prisma.Decimal(v);
    const [serviceDays, serviceDay] = rollup('serviceId', service.id, 'day', {
      bookings: 5, cancellations: 1, noShows: 1, paid: 3, phone: 1, web: 2, api: 1, mobile: 1, leadMs: BigInt(86_400_000), keptMs: BigInt(10_800_000),
    }, db.analyticsServiceDay as never, 'companyId_day_branchId_serviceId');
    const [staffDays, staffDay] = rollup('staffId', staff.id, 'day', { bookings: 2, cancellations: 1, noShows: 0, keptMs: BigInt(3_600_000), revenue: money('39.90') }, db.analyticsStaffDay as never, 'companyId_day_branchId_staffId');
    const [staffWeeks, staffWeek] = rollup('staffId', staff.id, 'week', { bookings: 2, cancellations: 1, noShows: 0, keptMs: BigInt(3_600_000), revenue: money('39.90') }, db.analyticsStaffWeek as never, 'companyId_week_branchId_staffId');
    const [branchHours, branchHour] = rollup('hour', 10, 'day', { bookings: 4 }, db.analyticsBranchHour as never, 'companyId_day_branchId_hour');

    const cases: Array<[string, { create(a: { data: object }): Promise<unknown>; findUniqueOrThrow(a: { where: { id: string } }): Promise<unknown> }, { id: string }]> = [
      ['company', db.company, company], ['apiKey', db.apiKey, apiKey], ['calendarConnection', db.calendarConnection, connection], ['branch', db.branch, branch], ['resource', db.resource, resource],
      ['staff', db.staff, staff], ['staffTimeOff', db.staffTimeOff, timeOff], ['service', db.service, service], ['customer', db.customer, customer],
      ['booking', db.booking, booking], ['bookingHistory', db.bookingHistory, history], ['rescheduleClaim', db.rescheduleClaim, rescheduleClaim], ['syncFailure', db.syncFailure, syncFailure],
      ['idempotencyRecord', db.idempotencyRecord, idempotency], ['waitingListEntry', db.waitingListEntry, waiting], ['series', db.series, series],
      ['seriesOccurrence', db.seriesOccurrence, occurrence], ['notification', db.notification, notification], ['availabilitySearch', db.availabilitySearch, search],
      ['customerKey', customerKeys, customerKey],
      ['webhookEndpoint', db.webhookEndpoint, webhookEndpoint], ['webhookDelivery', db.webhookDelivery, webhookDelivery], ['webhookSubjectSeq', subjectSeqs, subjectSeq],
      ['review', db.review, review],
      ['analyticsServiceDay', serviceDays, serviceDay], ['analyticsStaffDay', staffDays, staffDay], ['analyticsStaffWeek', staffWeeks, staffWeek],
      ['analyticsBranchHour', branchHours, branchHour],
    ];
    expect(cases.map(([name]) => name.toLowerCase()).sort()).toEqual(models.map((m) => m.name.toLowerCase()).sort());

    for (const [name, delegate, data] of cases) {
      await delegate.create({ data });
      const row = (await delegate.findUniqueOrThrow({ where: { id: data.id } })) as Record<string, unknown>;
      const normalise = (value: unknown) => (Prisma.Decimal.isDecimal(value) ? (value as Prisma.Decimal).toFixed(2) : value);
      const picked = Object.fromEntries(Object.keys(data).map((k) => [k, normalise(row[k])]));
      const wanted = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, normalise(v)]));
      expect({ model: name, row: picked }).toEqual({ model: name, row: wanted });
      if ('updatedAt' in row) expect(row.updatedAt).toBeInstanceOf(Date);
    }
  });

  test('defaults declared in schema.prisma are applied by the database', async () => {
    await db.company.create({ data: { id: 'cmp_defaults', name: 'D' } });
    await db.branch.create({ data: { id: 'br_defaults', companyId: 'cmp_defaults', name: 'B', timezone: 'UTC', operatingHours: {} } });
    const staff = await db.staff.create({ data: { id: 'stf_defaults', companyId: 'cmp_defaults', branchId: 'br_defaults', name: 'S' } });
    expect(staff).toMatchObject({ languages: [], skills: [], workingHours: {}, breaks: {}, active: true, maxDailyBookings: null });
    const service = await db.service.create({ data: { id: 'svc_defaults', companyId: 'cmp_defaults', branchId: 'br_defaults', name: 'S', durationMinutes: 30 } });
    expect(service).toMatchObject({ bufferBeforeMinutes: 0, bufferAfterMinutes: 0, category: 'fixed', requiredSkills: [], travelMinutes: 0, price: null });
    const branch = await db.branch.findUniqueOrThrow({ where: { id: 'br_defaults' } });
    expect(branch).toMatchObject({ specialHours: [], closures: [], rules: {} });
    expect(branch.createdAt).toBeInstanceOf(Date);
  });
});
