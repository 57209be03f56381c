/**
 * Branch request/response schemas (API.md "Branch"). Times of day and dates are in the branch's
 * own IANA zone. A weekday missing from operatingHours is closed. Rules not given take the
 * defaults of RULE_DEFAULTS (applied by merging, so PATCH can change one rule and keep the rest).
 */
import { bookingLimits, country, date, END_AFTER_START, endNotAfterStart, id, instantOut, perWeekday, timeOfDay, timezone, WEEKDAYS, name, plainText } from '../common.schemas';
import { z } from '../zod';

const END_AFTER_START_DOC = { description: '`end` after `start` (a rule across fields, which JSON Schema cannot state: 400 validation_error)' };
const openDay = z.strictObject({ open: z.literal(true), start: timeOfDay, end: timeOfDay }).refine((d) => !endNotAfterStart(d), END_AFTER_START).openapi(END_AFTER_START_DOC);
const closedDay = z.strictObject({ open: z.literal(false) });
export const dayHours = z.discriminatedUnion('open', [openDay, closedDay]).openapi('DayHours');

export const operatingHours = perWeekday(dayHours).openapi('OperatingHours', {
  description: `Per weekday (${WEEKDAYS.join(', ')}); a weekday that is missing is closed.`,
});

const specialDay = z.discriminatedUnion('open', [
  z.strictObject({ date, open: z.literal(true), start: timeOfDay, end: timeOfDay }).refine((d) => !endNotAfterStart(d), END_AFTER_START).openapi(END_AFTER_START_DOC),
  z.strictObject({ date, open: z.literal(false) }),
]);

/** Flags every entry whose date repeats an earlier one. */
function uniqueDates<T extends { date: string }>(list: T[], ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    if (seen.has(entry.date)) ctx.addIssue({ code: 'custom', message: `duplicate date ${entry.date}`, path: [index, 'date'] });
    seen.add(entry.date);
  });
}

export const specialHours = z.array(specialDay).max(1000).superRefine(uniqueDates).openapi('SpecialHours', {
  description: 'Dates whose hours differ from the weekday\'s (holidays with short hours, extra opening days). Each date at most once (a rule across fields, which JSON Schema cannot state: 400 validation_error).',
});

export const closures = z
  .array(z.strictObject({ date, reason: plainText(500).optional() }))
  .max(1000)
  .superRefine(uniqueDates)
  .openapi('Closures', { description: 'Closed dates, each at most once (a rule across fields, which JSON Schema cannot state: 400 validation_error)' });

export const RULE_DEFAULTS = {
  minimumNoticeMinutes: 120,
  maxAdvanceDays: 90,
  slotIntervalMinutes: 15,
  maxDailyBookingsPerCustomer: null as number | null,
  /** The lifecycle completes a confirmed booking this long after its end. */
  completionGraceMinutes: 60,
  /** Self-service only (company keys are not bound): no cancel or move closer to the start than this. */
  cancellationCutoffHours: 24,
  /** Self-service only: at most this many reschedules of one booking. */
  maxReschedules: 3,
};
export type BranchRules = typeof RULE_DEFAULTS;

export const rulesInput = z
  .strictObject({
    minimumNoticeMinutes: z.number().int().min(0).max(525_600),
    maxAdvanceDays: z.number().int().min(1).max(3_650),
    slotIntervalMinutes: z.number().int().min(1).max(1_440),
    maxDailyBookingsPerCustomer: z.number().int().min(1).nullable(),
    completionGraceMinutes: z.number().int().min(0).max(10_080),
    cancellationCutoffHours: z.number().int().min(0).max(8_760),
    maxReschedules: z.number().int().min(0).max(1_000),
  })
  .partial()
  .openapi('BranchRulesInput', { description: `Booking rules; missing ones default to ${JSON.stringify(RULE_DEFAULTS)}` });

const reminder = z.strictObject({
  minutesBefore: z.number().int().min(1).max(43_200),
  channels: z.array(z.enum(['email', 'sms'])).min(1).max(2),
});
export const notificationsInput = z
  .strictObject({
    reminders: z.array(reminder).max(10),
    defaultLanguage: z.enum(['de', 'en']),
  })
  .partial()
  .openapi('BranchNotificationsInput', {
    description: 'Reminders sent by each booking\'s lifecycle at start - minutesBefore, and the language of customers without one. Missing keys keep their defaults (reminders 1440 min email+sms and 120 min sms; defaultLanguage de).',
  });
const notificationsOut = z
  .object({ reminders: z.array(z.object({ minutesBefore: z.number().int(), channels: z.array(z.enum(['email', 'sms'])) })), defaultLanguage: z.string() })
  .openapi('BranchNotifications');

export const createBranchBody = z
  .strictObject({
    name,
    timezone,
    country: country.nullable().optional().openapi({ description: "Phone numbers of this branch's customers are read with it; null: the company's" }),
    address: plainText(300).nullable().optional().openapi({ description: 'Postal address, shown in customer messages; null removes it' }),
    operatingHours,
    specialHours: specialHours.optional(),
    closures: closures.optional(),
    rules: rulesInput.optional(),
    notifications: notificationsInput.optional(),
    calendarConnectionId: id.nullable().optional().openapi({ description: "The company's calendar connection this branch syncs to; null: not linked (no calendar calls)." }),
    limits: bookingLimits.nullable().optional(),
  })
  .openapi('CreateBranch');

export const patchBranchBody = z
  .strictObject({
    name: name.optional(),
    timezone: timezone.optional(),
    country: country.nullable().optional(),
    address: plainText(300).nullable().optional().openapi({ description: 'Postal address, shown in customer messages; null removes it' }),
    operatingHours: operatingHours.optional(),
    specialHours: specialHours.optional(),
    closures: closures.optional(),
    rules: rulesInput.optional(),
    notifications: notificationsInput.optional(),
    calendarConnectionId: id.nullable().optional().openapi({ description: "The company's calendar connection this branch syncs to; null: not linked (no calendar calls)." }),
    limits: bookingLimits.nullable().optional(),
  })
  .openapi('PatchBranch', {
    description: 'Fields given replace the stored ones; `rules` and `notifications` are merged key by key.',
  });

export const branchSchema = z
  .object({
    id,
    name: z.string(),
    timezone: z.string(),
    country: z.string().nullable(),
    address: z.string().optional().openapi({ description: 'Present when set' }),
    operatingHours,
    specialHours: z.array(specialDay),
    closures: z.array(z.object({ date: z.string(), reason: z.string().optional() })),
    rules: z.object({
      minimumNoticeMinutes: z.number().int(),
      maxAdvanceDays: z.number().int(),
      slotIntervalMinutes: z.number().int(),
      maxDailyBookingsPerCustomer: z.number().int().nullable(),
      completionGraceMinutes: z.number().int(),
      cancellationCutoffHours: z.number().int(),
      maxReschedules: z.number().int(),
    }),
    notifications: notificationsOut,
    calendarConnectionId: id.nullable().optional().openapi({ description: 'Managers and support only (absent for booking and public keys); null: not linked' }),
    limits: bookingLimits.optional().openapi({ description: 'Present when set' }),
    createdAt: instantOut,
    updatedAt: instantOut,
  })
  .openapi('Branch');

export type CreateBranch = z.infer<typeof createBranchBody>;
export type BranchOut = z.infer<typeof branchSchema>;
