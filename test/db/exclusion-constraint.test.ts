/**
 * The database is the last line against double booking (STYLE.md 9): these tests pin the
 * exclusion constraints of the init migration and the error shape Prisma's pg adapter gives
 * their violations, which infra/db/errors.ts relies on.
 */
import { Client } from 'pg';
import {
  bookingOverlapKind,
  constraintName,
  isCheckViolation,
  isExclusionViolation,
  isRetryableTransactionError,
  isUniqueViolation,
  sqlState,
} from '../../infra/db/errors';
import { newId } from '../../infra/db/ids';
import { createPrisma, Db } from '../../infra/db/prisma';
import { migratedTempDatabase, TempDatabase } from './temp-database';

let temp: TempDatabase;
let db: Db;
const ids = { company: newId('cmp'), branch: newId('br'), staffA: newId('stf'), staffB: newId('stf'), service: newId('svc'), customer: newId('cus'), room: newId('res') };

beforeAll(async () => {
  temp = await migratedTempDatabase();
  db = createPrisma(temp.url, { max: 25 });
  await db.company.create({ data: { id: ids.company, name: 'Constraint GmbH' } });
  await db.branch.create({ data: { id: ids.branch, companyId: ids.company, name: 'B', timezone: 'Europe/Berlin', operatingHours: {} } });
  for (const id of [ids.staffA, ids.staffB]) {
    await db.staff.create({ data: { id, companyId: ids.company, branchId: ids.branch, name: id } });
  }
  await db.service.create({ data: { id: ids.service, companyId: ids.company, branchId: ids.branch, name: 'S', durationMinutes: 30 } });
  await db.customer.create({ data: { id: ids.customer, companyId: ids.company, name: 'C' } });
  await db.resource.create({ data: { id: ids.room, companyId: ids.company, branchId: ids.branch, name: 'Room' } });
});

afterAll(async () => {
  await db?.$disconnect();
  await temp?.drop();
});

let day = 0;
/** Each test books on its own day so tests do not collide with each other. */
function freshDay(): (hhmm: string) => Date {
  day += 1;
  const date = `2031-01-${String(day).padStart(2, '0')}`;
  return (hhmm) => new Date(`${date}T${hhmm}:00Z`);
}

interface Slot {
  start: Date;
  end: Date;
  blockedStart?: Date;
  blockedEnd?: Date;
  staffId?: string;
  resourceId?: string | null;
  status?: string;
  seatKey?: string;
  seat?: number;
}

function book(slot: Slot) {
  return db.booking.create({
    data: {
      id: newId('bkg'),
      companyId: ids.company,
      branchId: ids.branch,
      serviceId: ids.service,
      customerId: ids.customer,
      staffId: slot.staffId ?? ids.staffA,
      resourceId: slot.resourceId ?? null,
      startAt: slot.start,
      endAt: slot.end,
      blockedStart: slot.blockedStart ?? slot.start,
      blockedEnd: slot.blockedEnd ?? slot.end,
      status: slot.status ?? 'pending',
      seatKey: slot.seatKey ?? null,
      seat: slot.seat ?? null,
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the database to refuse this write');
}

describe('bookings_no_staff_overlap', () => {
  test('20 concurrent overlapping pending bookings for one staff member: exactly one wins, the rest are exclusion violations', async () => {
    const at = freshDay();
    const base = at('10:00').getTime();
    const attempts = Array.from({ length: 20 }, (_, i) => {
      const start = new Date(base + i * 60_000); // staggered starts 0..19 min, all inside one 30-min window
      return book({ start, end: new Date(start.getTime() + 30 * 60_000) });
    });
    const results = await Promise.allSettled(attempts);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const { reason } of refused) {
      expect(sqlState(reason)).toBe('23P01');
      expect(isExclusionViolation(reason)).toBe(true);
      expect(isExclusionViolation(reason, 'bookings_no_staff_overlap')).toBe(true);
      expect(bookingOverlapKind(reason)).toBe('staff');
      expect(isUniqueViolation(reason)).toBe(false);
      expect(isRetryableTransactionError(reason)).toBe(false);
    }
    expect(await db.booking.count({ where: { staffId: ids.staffA, startAt: { gte: at('00:00'), lt: at('23:59') } } })).toBe(1);
  });

  test('the violation is recognised inside an interactive transaction and from raw SQL too', async () => {
    const at = freshDay();
    await book({ start: at('10:00'), end: at('10:30') });
    const inTx = await failure(db.$transaction(async (tx) => {
      await tx.booking.create({
        data: { id: newId('bkg'), companyId: ids.company, branchId: ids.branch, serviceId: ids.service, customerId: ids.customer, staffId: ids.staffA, startAt: at('10:15'), endAt: at('10:45'), blockedStart: at('10:15'), blockedEnd: at('10:45'), status: 'confirmed' },
      });
    }));
    expect(bookingOverlapKind(inTx)).toBe('staff');
    const raw = await failure(db.$executeRaw`
      INSERT INTO bookings (id, company_id, branch_id, service_id, customer_id, staff_id, start_at, end_at, blocked_start, blocked_end, status, updated_at)
      VALUES (${newId('bkg')}, ${ids.company}, ${ids.branch}, ${ids.service}, ${ids.customer}, ${ids.staffA}, ${at('10:10')}, ${at('10:20')}, ${at('10:10')}, ${at('10:20')}, 'pending', now())`);
    expect(isExclusionViolation(raw, 'bookings_no_staff_overlap')).toBe(true);
  });

  test('half-open ranges: back-to-back bookings are allowed', async () => {
    const at = freshDay();
    await book({ start: at('10:00'), end: at('10:30') });
    await book({ start: at('10:30'), end: at('11:00') });
    await book({ start: at('09:30'), end: at('10:00') });
    expect(await db.booking.count({ where: { staffId: ids.staffA, startAt: { gte: at('00:00'), lt: at('23:59') } } })).toBe(3);
  });

  test('buffers widen the protected range: a booking inside the neighbour\'s buffer is refused', async () => {
    const at = freshDay();
    // visible 10:00-10:30 with 10 min before and 10 min after
    await book({ start: at('10:00'), end: at('10:30'), blockedStart: at('09:50'), blockedEnd: at('10:40') });
    expect(bookingOverlapKind(await failure(book({ start: at('10:30'), end: at('11:00') })))).toBe('staff');
    expect(bookingOverlapKind(await failure(book({ start: at('09:20'), end: at('09:55') })))).toBe('staff');
    // the other booking's own buffer must also stay clear of ours
    expect(bookingOverlapKind(await failure(book({ start: at('10:45'), end: at('11:15'), blockedStart: at('10:35'), blockedEnd: at('11:15') })))).toBe('staff');
    await book({ start: at('10:40'), end: at('11:10') });
    await book({ start: at('09:20'), end: at('09:50') });
  });

  test('cancelled, failed, no_show and completed bookings do not block; reviving one that now overlaps is refused', async () => {
    const at = freshDay();
    for (const status of ['cancelled', 'failed', 'no_show', 'completed']) {
      await book({ start: at('10:00'), end: at('10:30'), status });
    }
    const live = await book({ start: at('10:00'), end: at('10:30'), status: 'confirmed' });
    expect(live.status).toBe('confirmed');
    const cancelled = await db.booking.findFirstOrThrow({ where: { staffId: ids.staffA, startAt: at('10:00'), status: 'cancelled' } });
    const revive = await failure(db.booking.update({ where: { id: cancelled.id }, data: { status: 'pending' } }));
    expect(isExclusionViolation(revive, 'bookings_no_staff_overlap')).toBe(true);
    // cancelling the live one frees the slot
    await db.booking.update({ where: { id: live.id }, data: { status: 'cancelled', cancelledAt: new Date() } });
    await book({ start: at('10:00'), end: at('10:30') });
  });

  test('different staff members may overlap', async () => {
    const at = freshDay();
    await book({ start: at('10:00'), end: at('10:30'), staffId: ids.staffA });
    await book({ start: at('10:00'), end: at('10:30'), staffId: ids.staffB });
  });
});

describe('bookings_no_resource_overlap', () => {
  test('two staff members cannot hold the same resource at overlapping times; without a resource they can', async () => {
    const at = freshDay();
    await book({ start: at('10:00'), end: at('10:30'), staffId: ids.staffA, resourceId: ids.room });
    const clash = await failure(book({ start: at('10:15'), end: at('10:45'), staffId: ids.staffB, resourceId: ids.room }));
    expect(isExclusionViolation(clash, 'bookings_no_resource_overlap')).toBe(true);
    expect(bookingOverlapKind(clash)).toBe('resource');
    await book({ start: at('10:15'), end: at('10:45'), staffId: ids.staffB, resourceId: null });
    await book({ start: at('10:30'), end: at('11:00'), staffId: ids.staffA, resourceId: ids.room });
  });

  test('concurrent requests for one resource with different staff: exactly one wins', async () => {
    const at = freshDay();
    const staff = [ids.staffA, ids.staffB];
    const results = await Promise.allSettled(staff.map((staffId) => book({ start: at('14:00'), end: at('14:30'), staffId, resourceId: ids.room })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [refused] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(bookingOverlapKind(refused.reason)).toBe('resource');
  });
});

describe('CHECK constraints and other SQLSTATE predicates', () => {
  test('end after start, blocked range covers the visible one, known status values', async () => {
    const at = freshDay();
    expect(isCheckViolation(await failure(book({ start: at('10:00'), end: at('10:00') })), 'bookings_end_after_start')).toBe(true);
    expect(isCheckViolation(await failure(book({ start: at('10:00'), end: at('10:30'), blockedStart: at('10:05') })), 'bookings_blocked_covers_visible')).toBe(true);
    expect(isCheckViolation(await failure(book({ start: at('10:00'), end: at('10:30'), status: 'held' })), 'bookings_status_check')).toBe(true);
  });

  test('unique violations through Prisma (P2002) and plain pg', async () => {
    const err = await failure(db.company.create({ data: { id: ids.company, name: 'dup' } }));
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, 'companies_pkey')).toBe(true);
    expect(isExclusionViolation(err)).toBe(false);
    const pg = new Client({ connectionString: temp.url });
    await pg.connect();
    try {
      const raw = await failure(pg.query('INSERT INTO companies (id, name) VALUES ($1, $2)', [ids.company, 'dup']));
      expect(isUniqueViolation(raw, 'companies_pkey')).toBe(true);
      expect(constraintName(raw)).toBe('companies_pkey');
    } finally {
      await pg.end();
    }
  });

  test('a deadlock between two interactive transactions is reported as retryable', async () => {
    const a = ids.staffA;
    const b = ids.staffB;
    let release!: () => void;
    const bothLocked = new Promise<void>((resolve) => {
      let count = 0;
      release = () => {
        count += 1;
        if (count === 2) resolve();
      };
    });
    const crossing = (first: string, second: string) =>
      db.$transaction(
        async (tx) => {
          await tx.staff.update({ where: { id: first }, data: { name: `locked-${first}` } });
          release();
          await bothLocked;
          await tx.staff.update({ where: { id: second }, data: { name: `locked-${second}` } });
        },
        { timeout: 15_000 },
      );
    const results = await Promise.allSettled([crossing(a, b), crossing(b, a)]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(sqlState(refused[0].reason)).toMatch(/^40(P01|001)$/);
    expect(isRetryableTransactionError(refused[0].reason)).toBe(true);
  });
});

describe('seats (migration 20261203160200)', () => {
  it('rows of one seat key share the time, each seat once; anything else overlapping them is refused', async () => {
    const at = freshDay();
    const key = `${ids.service}|${at('10:00').toISOString()}|${ids.staffA}`;
    const seat = (n: number, over: Partial<Slot> = {}) => book({ start: at('10:00'), end: at('11:00'), seatKey: key, seat: n, resourceId: ids.room, ...over });
    await seat(1);
    await seat(2);
    expect(isUniqueViolation(await failure(seat(2)))).toBe(true);
    expect(constraintName(await failure(seat(2)))).toBe('bookings_seat_taken');
    // A plain booking, or a class of another key, overlapping the class: refused (staff and resource).
    expect(isExclusionViolation(await failure(book({ start: at('10:30'), end: at('11:30') })), 'bookings_no_staff_overlap')).toBe(true);
    expect(isExclusionViolation(await failure(book({ start: at('10:30'), end: at('11:30'), staffId: ids.staffB, resourceId: ids.room })), 'bookings_no_resource_overlap')).toBe(true);
    const other = `${ids.service}|${at('10:30').toISOString()}|${ids.staffA}`;
    expect(isExclusionViolation(await failure(book({ start: at('10:30'), end: at('11:30'), seatKey: other, seat: 1 })))).toBe(true);
    // A cancelled seat frees its number.
    await db.booking.updateMany({ where: { seatKey: key, seat: 2 }, data: { status: 'cancelled' } });
    await seat(2);
  });
});
