/**
 * Staff and time-off schemas (API.md "Staff"). workingHours/breaks are per weekday lists of
 * HH:mm intervals in the branch zone; intervals of one day must not overlap, and every break
 * must lie inside a working interval (checked by breaksOutsideWork once both are known, since a
 * PATCH may change either one).
 */
import { staffRatingSchema } from '../reviews/reviews.schemas';
import { dayIntervals, id, instant, instantOut, int32, pageQuery, perWeekday, type TimeInterval, WEEKDAYS, name, plainText } from '../common.schemas';
import type { FieldError } from '../validate';
import { z } from '../zod';

export const weeklyIntervals = perWeekday(dayIntervals).openapi('WeeklyIntervals', {
  description: 'Per weekday, non-overlapping {start, end} HH:mm intervals in the branch zone; a missing weekday has none.',
});
export type WeeklyIntervals = z.infer<typeof weeklyIntervals>;

export const gender = z.enum(['female', 'male', 'diverse']);
const language = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Must be a language tag like "de" or "en-GB"');
const skill = plainText(100, 1);

/** API.md "Staff in several branches": hours in another branch of the company. */
export const staffAssignment = z
  .strictObject({ branchId: id, workingHours: weeklyIntervals, breaks: weeklyIntervals.optional() })
  .openapi('StaffAssignment', { description: 'Working hours (and breaks) in another branch of the same company' });
export type StaffAssignmentIn = z.infer<typeof staffAssignment>;

const staffFields = {
  branchId: id,
  name,
  email: z.email().max(320).nullable(),
  gender: gender.nullable(),
  languages: z.array(language).max(50),
  skills: z.array(skill).max(100),
  workingHours: weeklyIntervals,
  breaks: weeklyIntervals,
  maxDailyBookings: z.number().int().min(1).max(1000).nullable(),
  calcomUserId: int32.positive().nullable(),
  assignments: z.array(staffAssignment).max(20)
    .openapi({ description: 'Other branches this person works in, each with its own hours; never the primary branch, each branch once' }),
  active: z.boolean(),
};

export const createStaffBody = z
  .strictObject({
    ...staffFields,
    email: staffFields.email.optional(),
    gender: staffFields.gender.optional(),
    languages: staffFields.languages.optional(),
    skills: staffFields.skills.optional(),
    breaks: staffFields.breaks.optional(),
    maxDailyBookings: staffFields.maxDailyBookings.optional(),
    calcomUserId: staffFields.calcomUserId.optional(),
    assignments: staffFields.assignments.optional(),
    active: staffFields.active.optional(),
  })
  // `when`: also judged when another field failed, so one answer lists every bad field.
  .superRefine((body, ctx) => {
    for (const e of [...breaksOutsideWork(body.workingHours, body.breaks ?? {}), ...assignmentErrors(body.branchId, body.assignments)]) {
      ctx.addIssue({ code: 'custom', message: e.message, path: e.path.split('.') });
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null })
  .openapi('CreateStaff', { description: 'Each break lies inside a working interval of its day (rules across fields, which JSON Schema cannot state: 400 validation_error)' });

export const patchStaffBody = z.strictObject(staffFields).partial().openapi('PatchStaff', {
  description: 'Fields given replace the stored ones (workingHours and breaks as a whole); each break lies inside a working interval of its day (rules across fields, which JSON Schema cannot state: 400 validation_error).',
});

export const listStaffQuery = pageQuery.extend({ branchId: id.optional() });

export const staffSchema = z
  .object({
    id,
    branchId: id,
    name: z.string(),
    email: z.string().nullable().optional().openapi({ description: 'Managers and support only (absent for booking and public keys)' }),
    gender: gender.nullable(),
    languages: z.array(z.string()),
    skills: z.array(z.string()),
    workingHours: weeklyIntervals,
    breaks: weeklyIntervals,
    maxDailyBookings: z.number().int().nullable(),
    calcomUserId: z.number().int().nullable().optional().openapi({ description: 'Managers and support only (absent for booking and public keys)' }),
    assignments: z.array(z.object({ branchId: id, workingHours: weeklyIntervals, breaks: weeklyIntervals })),
    active: z.boolean(),
    rating: staffRatingSchema.openapi({ description: "Customers' reviews of this staff member (hidden reviews excluded)" }),
    createdAt: instantOut,
    updatedAt: instantOut,
  })
  .openapi('Staff');

export type StaffOut = z.infer<typeof staffSchema>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const isInterval = (v: unknown): v is TimeInterval =>
  typeof v === 'object' && v !== null && TIME.test(String((v as TimeInterval).start)) && TIME.test(String((v as TimeInterval).end));
const wellFormedDay = (value: unknown): TimeInterval[] | undefined =>
  value === undefined ? [] : Array.isArray(value) && value.every(isInterval) ? value : undefined;

/**
 * Breaks that do not lie inside one of the same day's working intervals. Defensive about types
 * (it also runs on bodies with other bad fields): a day whose lists are malformed is skipped,
 * its own errors are reported by the schema.
 */
export function breaksOutsideWork(workingHours: unknown, breaks: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof workingHours !== 'object' || workingHours === null || typeof breaks !== 'object' || breaks === null) return errors;
  for (const day of WEEKDAYS) {
    const work = wellFormedDay((workingHours as Record<string, unknown>)[day]);
    const dayBreaks = wellFormedDay((breaks as Record<string, unknown>)[day]);
    if (!work || !dayBreaks) continue;
    dayBreaks.forEach((b, index) => {
      if (!work.some((w) => w.start <= b.start && b.end <= w.end)) {
        errors.push({ path: `breaks.${day}.${index}`, message: `break ${b.start}-${b.end} is not inside a working interval` });
      }
    });
  }
  return errors;
}

/**
 * Assignments that name the primary branch or a branch twice, and breaks outside the assignment's
 * own working intervals. Defensive about types, like breaksOutsideWork.
 */
export function assignmentErrors(primaryBranchId: unknown, assignments: unknown): FieldError[] {
  if (!Array.isArray(assignments)) return [];
  const errors: FieldError[] = [];
  const seen = new Set<unknown>();
  assignments.forEach((a: unknown, index) => {
    if (typeof a !== 'object' || a === null) return;
    const { branchId, workingHours, breaks } = a as Record<string, unknown>;
    if (branchId === primaryBranchId) errors.push({ path: `assignments.${index}.branchId`, message: 'the primary branch is not an assignment' });
    else if (seen.has(branchId)) errors.push({ path: `assignments.${index}.branchId`, message: 'each branch may be assigned once' });
    seen.add(branchId);
    for (const e of breaksOutsideWork(workingHours, breaks ?? {})) errors.push({ path: `assignments.${index}.${e.path}`, message: e.message });
  });
  return errors;
}

export const createTimeOffBody = z
  .strictObject({ start: instant, end: instant, reason: plainText(500).optional() })
  // Judged only when both instants parsed (the refinement also runs after a field failed).
  .refine((t) => !(t.start instanceof Date && t.end instanceof Date) || t.end.getTime() > t.start.getTime(), {
    message: 'end must be after start',
    path: ['end'],
  })
  .openapi('CreateTimeOff', { description: '`end` after `start` (a rule across fields, which JSON Schema cannot state: 400 validation_error)' });

export const patchTimeOffBody = z
  .strictObject({ start: instant, end: instant, reason: plainText(500).nullable() })
  .partial()
  .openapi('PatchTimeOff', { description: 'Fields given replace the stored ones; the result must still end after it starts.' });

export const timeOffParams = z.object({ id, timeOffId: id });

export const timeOffSchema = z
  .object({ id, staffId: id, start: instantOut, end: instantOut, reason: z.string().nullable(), createdAt: instantOut })
  .openapi('TimeOff');
