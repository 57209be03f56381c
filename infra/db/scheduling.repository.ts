/**
 * Loads everything the scheduling core needs for one branch, service and time range in ONE round
 * trip: a single SQL statement whose CTEs select the branch, the service, the active staff with
 * their time off, and the live bookings that block any of them (or the service's resources, or the
 * customer), folded into one JSON value. One query per request instead of one per day or per
 * staff member keeps an uncached 62-day search at a few milliseconds of database time.
 *
 * Instants come back as epoch milliseconds (cheaper to parse than timestamps, and what the engine
 * uses internally). The value is sent as text and parsed here once: as `json` it was parsed by pg
 * and then walked again by Prisma's raw-result decoding, a visible share of an uncached search.
 * Bookings travel as positional arrays (keys were half of the text) and become objects here. Callers pass the range as whole local days of the branch, so daily limits see
 * every booking of a day that is only partly inside the range.
 */
import type {
  BranchSchedule,
  BusyInterval,
  CustomerBookingRecord,
  ServiceSpec,
  StaffSchedule,
} from '../../domain/scheduling/scheduling.types';
import { staffOfBranch, type StaffAssignment } from '../../domain/scheduling/staff-branches';
import type { Db, DbTx } from './prisma';

export interface SchedulingContextQuery {
  companyId: string;
  branchId: string;
  serviceId: string;
  fromUtc: Date;
  toUtc: Date;
  /** Narrows staff (and their bookings) to one member. */
  staffId?: string | null;
  /** Adds this customer's live bookings in the range (any branch of the company), for daily limits. */
  customerId?: string | null;
  /** Also answers the customer's block status (`customer`), so the planner needs no second query. */
  withCustomer?: boolean;
}

export interface CustomerStanding {
  id: string;
  blocked: boolean;
  blockedReason: string | null;
}

export interface ScheduledStaff extends StaffSchedule {
  calcomUserId: number | null;
}

export interface LoadedSchedulingContext {
  branch: BranchSchedule;
  service: ServiceSpec & { branchId: string; name: string; calcomEventTypeId: number | null; /** Decimal as a number; null when the service has none. */ price: number | null;
    requiresApproval?: boolean; approvalTimeoutHours?: number };
  staff: ScheduledStaff[];
  /** The branch's calendar connection; null: the branch makes no calendar calls. */
  calendarConnectionId: string | null;
  /** Live bookings (pending/confirmed) overlapping the range, as blocked ranges. */
  busy: BusyInterval[];
  /**
   * Cal.com uids of this service's own bookings in the range, whatever their status: an external
   * busy time with one of these uids is ours, not external.
   */
  ownCalendarUids: string[];
  /** The customer's completed/confirmed bookings of the consultation a consultation-first service needs. */
  customerHistory: CustomerBookingRecord[];
  /** A package's member services in order (packages.ts); null for any other service. */
  packageParts: PackagePartSpec[] | null;
}

export type PackagePartSpec = ServiceSpec & { calcomEventTypeId: number | null };

export type SchedulingLoadResult =
  | { found: true; context: LoadedSchedulingContext; /** With `withCustomer`: the company's customer, null when not found. */ customer?: CustomerStanding | null }
  | { found: false; missing: 'branch' | 'service' };

/** Returns `found: false` when the branch or the service (of that branch) is not the company's. */
export async function loadSchedulingContext(db: Db | DbTx, q: SchedulingContextQuery): Promise<SchedulingLoadResult> {
  const from = q.fromUtc.toISOString();
  const to = q.toUtc.toISOString();
  const staffId = q.staffId ?? null;
  const customerId = q.customerId ?? null;
  const customerLookup = q.withCustomer ? customerId : null;
  const rows = await db.$queryRaw<{ ctx: unknown }[]>`
    WITH br AS (
      SELECT id, timezone, operating_hours AS "operatingHours", special_hours AS "specialHours", closures, rules, limits,
             calendar_connection_id AS "calendarConnectionId"
      FROM branches WHERE id = ${q.branchId} AND company_id = ${q.companyId}
    ), svc AS (
      SELECT id, branch_id AS "branchId", name, duration_minutes AS "durationMinutes",
             buffer_before_minutes AS "bufferBeforeMinutes", buffer_after_minutes AS "bufferAfterMinutes",
             travel_minutes AS "travelMinutes", required_skills AS "requiredSkills",
             resource_requirements AS "resourceRequirements", category, flexible, "group", active,
             calcom_event_type_id AS "calcomEventTypeId", price::float8 AS price, limits,
             requires_consultation AS "requiresConsultation", consultation_service_id AS "consultationServiceId", seats,
             requires_approval AS "requiresApproval", approval_timeout_hours AS "approvalTimeoutHours",
             package_service_ids AS "packageServiceIds"
      FROM services WHERE id = ${q.serviceId} AND company_id = ${q.companyId} AND branch_id = ${q.branchId}
    ), parts AS (
      -- A package's member services, in packageServiceIds order (packages.ts plans them).
      SELECT m.ord, p.id, p.duration_minutes AS "durationMinutes", p.buffer_before_minutes AS "bufferBeforeMinutes",
             p.buffer_after_minutes AS "bufferAfterMinutes", p.travel_minutes AS "travelMinutes", p.required_skills AS "requiredSkills",
             p.resource_requirements AS "resourceRequirements", p.category, p.active, p.calcom_event_type_id AS "calcomEventTypeId"
      FROM svc CROSS JOIN LATERAL unnest(svc."packageServiceIds") WITH ORDINALITY AS m(id, ord)
      JOIN services p ON p.id = m.id AND p.company_id = ${q.companyId}
      WHERE svc.category = 'package'
    ), lim AS (
      -- Booking limits count whole weeks and months: then the window widens by 32 days each way.
      SELECT CASE WHEN (SELECT limits FROM br) IS NOT NULL OR (SELECT limits FROM svc) IS NOT NULL
                  THEN interval '32 days' ELSE interval '0' END AS margin
    ), st AS (
      -- Everyone working in the branch: its own staff and those assigned to it from other branches
      -- of the company (their hours there are picked by staffOfBranch below).
      SELECT id, name, gender, languages, skills, working_hours AS "workingHours", breaks,
             max_daily_bookings AS "maxDailyBookings", calcom_user_id AS "calcomUserId",
             branch_id AS "branchId", assignments
      FROM staff
      WHERE company_id = ${q.companyId} AND active
        AND (branch_id = ${q.branchId} OR assignments @> jsonb_build_array(jsonb_build_object('branchId', ${q.branchId}::text)))
        -- A package's later parts may go to anyone: a requested member narrows nothing then.
        AND (${staffId}::text IS NULL OR id = ${staffId}::text OR (SELECT category FROM svc) = 'package')
    ), toff AS (
      SELECT staff_id, (extract(epoch FROM start_at) * 1000)::bigint AS s, (extract(epoch FROM end_at) * 1000)::bigint AS e
      FROM staff_time_off
      WHERE staff_id IN (SELECT id FROM st) AND start_at < ${to}::timestamptz AND end_at > ${from}::timestamptz
    ), bk AS (
      -- A package part counts as its package (one booking) for daily counts and limits.
      SELECT COALESCE(package_booking_id, id) AS id, staff_id, resource_id, customer_id, status, calendar_external_id, start_at,
             blocked_start, blocked_end, branch_id, service_id, seat_key
      FROM bookings
      WHERE company_id = ${q.companyId}
        AND blocked_start < ${to}::timestamptz + (SELECT margin FROM lim)
        AND blocked_end > ${from}::timestamptz - (SELECT margin FROM lim)
        AND (staff_id IN (SELECT id FROM st)
             OR resource_id = ANY (COALESCE((SELECT "resourceRequirements" FROM svc), ARRAY[]::text[]))
             OR resource_id IN (SELECT unnest("resourceRequirements") FROM parts)
             OR customer_id = ${customerId}::text)
    )
    SELECT json_build_object(
      'branch', (SELECT row_to_json(br) FROM br),
      'service', (SELECT row_to_json(svc) FROM svc),
      'packageParts', (SELECT json_agg(json_build_object(
          'id', parts.id, 'durationMinutes', parts."durationMinutes", 'bufferBeforeMinutes', parts."bufferBeforeMinutes",
          'bufferAfterMinutes', parts."bufferAfterMinutes", 'travelMinutes', parts."travelMinutes", 'requiredSkills', parts."requiredSkills",
          'resourceRequirements', parts."resourceRequirements", 'category', parts.category, 'active', parts.active,
          'calcomEventTypeId', parts."calcomEventTypeId") ORDER BY parts.ord) FROM parts),
      'staff', COALESCE((
        SELECT json_agg(json_build_object(
          'id', st.id, 'name', st.name, 'gender', st.gender, 'languages', st.languages, 'skills', st.skills,
          'workingHours', st."workingHours", 'breaks', st.breaks, 'maxDailyBookings', st."maxDailyBookings",
          'calcomUserId', st."calcomUserId", 'branchId', st."branchId", 'assignments', st.assignments,
          'timeOff', COALESCE((SELECT json_agg(json_build_object('start', toff.s, 'end', toff.e))
                               FROM toff WHERE toff.staff_id = st.id), '[]'::json)
        )) FROM st), '[]'::json),
      'busy', COALESCE((
        SELECT json_agg(json_build_array(
          bk.id, bk.staff_id, bk.resource_id, bk.customer_id,
          (extract(epoch FROM bk.blocked_start) * 1000)::bigint,
          (extract(epoch FROM bk.blocked_end) * 1000)::bigint,
          (extract(epoch FROM bk.start_at) * 1000)::bigint,
          CASE WHEN (SELECT margin FROM lim) > interval '0' THEN bk.branch_id END,
          CASE WHEN (SELECT margin FROM lim) > interval '0' THEN bk.service_id END,
          CASE WHEN (SELECT seats FROM svc) IS NOT NULL THEN bk.seat_key END
        )) FROM bk WHERE bk.status IN ('pending', 'awaiting_approval', 'confirmed')), '[]'::json),
      'customerHistory', COALESCE((
        SELECT json_agg(json_build_array(b.service_id, b.status, (extract(epoch FROM b.start_at) * 1000)::bigint))
        FROM bookings b, svc
        WHERE svc."requiresConsultation" AND svc."consultationServiceId" IS NOT NULL
          AND b.company_id = ${q.companyId} AND b.customer_id = ${customerId}::text
          AND b.service_id = svc."consultationServiceId" AND b.status IN ('completed', 'confirmed')
      ), '[]'::json),
      'ownCalendarUids', COALESCE((
        SELECT json_agg(DISTINCT bk.calendar_external_id) FROM bk WHERE bk.calendar_external_id IS NOT NULL
      ), '[]'::json),
      'customer', (SELECT json_build_object('id', id, 'blocked', blocked, 'blockedReason', blocked_reason)
                   FROM customers WHERE id = ${customerLookup}::text AND company_id = ${q.companyId})
    )::text AS ctx`;
  const raw = parseJson(rows[0]?.ctx) as RawContext;
  if (!raw.branch) return { found: false, missing: 'branch' };
  if (!raw.service) return { found: false, missing: 'service' };
  if (q.withCustomer) return { found: true, context: toDomain(raw), customer: raw.customer ?? null };
  return { found: true, context: toDomain(raw) };
}

interface RawContext {
  branch: (BranchSchedule & { rules: BranchSchedule['rules']; calendarConnectionId?: string | null }) | null;
  service: (LoadedSchedulingContext['service'] & { category: string }) | null;
  packageParts: PackagePartSpec[] | null;
  staff: Array<ScheduledStaff & { branchId: string; assignments: StaffAssignment[] | null }>;
  /** Positional (BusyRow), not objects: the bookings are most of the text, keys half of it. */
  busy: BusyRow[];
  ownCalendarUids: string[];
  customer: CustomerStanding | null;
  customerHistory: [serviceId: string, status: string, start: number][];
}

type BusyRow = [
  bookingId: string, staffId: string | null, resourceId: string | null, customerId: string | null, start: number, end: number,
  appointmentStart: number, branchId: string | null, serviceId: string | null, seatKey: string | null,
];

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function toDomain(raw: RawContext): LoadedSchedulingContext {
  const branch = raw.branch!;
  const service = raw.service!;
  return {
    branch: {
      id: branch.id,
      timezone: branch.timezone,
      operatingHours: branch.operatingHours ?? {},
      specialHours: branch.specialHours ?? [],
      closures: branch.closures ?? [],
      rules: branch.rules ?? {},
      limits: branch.limits ?? null,
    },
    service: { ...service, requiredSkills: service.requiredSkills ?? [], resourceRequirements: service.resourceRequirements ?? [] },
    staff: staffOfBranch(
      raw.staff.map((s) => ({
        ...s,
        languages: s.languages ?? [],
        skills: s.skills ?? [],
        workingHours: s.workingHours ?? {},
        breaks: s.breaks ?? {},
      })),
      branch.id,
    ),
    busy: raw.busy.map(([bookingId, staffId, resourceId, customerId, start, end, appointmentStart, branchId, serviceId, seatKey]): BusyInterval => ({
      bookingId,
      staffId,
      resourceId,
      customerId,
      start,
      end,
      appointmentStart,
      ...(branchId !== null ? { branchId } : {}),
      ...(serviceId !== null ? { serviceId } : {}),
      ...(seatKey ? { seatKey } : {}),
    })),
    ownCalendarUids: raw.ownCalendarUids,
    calendarConnectionId: branch.calendarConnectionId ?? null,
    customerHistory: (raw.customerHistory ?? []).map(([serviceId, status, start]) => ({ serviceId, status, start })),
    packageParts: raw.packageParts
      ? raw.packageParts.map((p) => ({ ...p, requiredSkills: p.requiredSkills ?? [], resourceRequirements: p.resourceRequirements ?? [] }))
      : null,
  };
}
