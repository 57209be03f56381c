/**
 * Service request/response schemas (API.md "Service"). Durations, buffers and travel time are
 * whole minutes; buffers and travel are kept free around the appointment. Cross-field rules
 * (a flexible service needs its bounds, a package its members, the default duration inside the
 * flexible bounds) live in serviceFieldErrors so create and PATCH (checked on the merged result)
 * report them the same way.
 */
import { bookingLimits, id, instantOut, int32, pageQuery, name, plainText } from '../common.schemas';
import type { FieldError } from '../validate';
import { z } from '../zod';

export const CATEGORIES = ['fixed', 'flexible', 'package', 'recurring'] as const;
export const category = z.enum(CATEGORIES).openapi({ description: 'fixed | flexible (client picks a length) | package (several services) | recurring' });

/**
 * Whole minutes. Not `.int()`: zod marks a failed int check as aborting, which would silence the
 * cross-field check below for the whole body, and one answer must list every bad field.
 */
const wholeMinutes = (min: number, max: number) =>
  z.number().min(min).max(max).refine(Number.isInteger, 'Must be a whole number of minutes').openapi({ type: 'integer', minimum: min, maximum: max });
const minutes = (max: number) => wholeMinutes(0, max);
const positiveMinutes = wholeMinutes(1, 1_440);

export const flexibleSettings = z
  .strictObject({ minMinutes: positiveMinutes, maxMinutes: positiveMinutes, stepMinutes: positiveMinutes })
  .refine((f) => f.minMinutes <= f.maxMinutes, { message: 'maxMinutes must not be below minMinutes', path: ['maxMinutes'] })
  .openapi('FlexibleDuration', { description: 'Bookable lengths: minMinutes + k * stepMinutes up to maxMinutes; maxMinutes not below minMinutes (a rule across fields, which JSON Schema cannot state: 400 validation_error)' });

export const groupSettings = z
  .strictObject({ minParticipants: z.number().int().min(1).max(10_000), maxParticipants: z.number().int().min(1).max(10_000) })
  .refine((g) => g.minParticipants <= g.maxParticipants, { message: 'maxParticipants must not be below minParticipants', path: ['maxParticipants'] })
  .openapi('GroupSettings', { description: 'maxParticipants not below minParticipants (a rule across fields, which JSON Schema cannot state: 400 validation_error)' });

const skill = plainText(100, 1);

const serviceFields = {
  branchId: id,
  name,
  durationMinutes: positiveMinutes,
  price: z.number().min(0).max(99_999_999.99).multipleOf(0.01).nullable().openapi({ description: 'Decimal with up to 2 places' }),
  bufferBeforeMinutes: minutes(1_440),
  bufferAfterMinutes: minutes(1_440),
  requiredSkills: z.array(skill).max(100),
  resourceRequirements: z.array(id).max(100).openapi({ description: 'Resource ids of the same branch; one of them must be free' }),
  requiresConsultation: z.boolean(),
  consultationServiceId: id.nullable().openapi({ description: 'With requiresConsultation: the consultation a customer needs first (a service of the company)' }),
  limits: bookingLimits.nullable(),
  requiresApproval: z.boolean().openapi({ description: 'Bookings wait as awaiting_approval (slot held, calendar not written) until a manager approves or declines' }),
  approvalTimeoutHours: z.number().int().min(1).max(8_760)
    .openapi({ description: 'With requiresApproval: an undecided booking is declined after this many hours (never later than its start)' }),
  seats: z.strictObject({ capacity: z.number().int().min(1).max(1_000) }).nullable()
    .openapi('Seats', { description: 'Up to capacity customers book the same staff member and start, one booking each' }),
  category,
  flexible: flexibleSettings.nullable(),
  packageServiceIds: z.array(id).max(50).openapi({ description: 'Services of the same branch a package consists of' }),
  group: groupSettings.nullable(),
  travelMinutes: minutes(1_440).openapi({ description: 'Mobile services: kept free before and after, like a buffer' }),
  calcomEventTypeId: int32.positive().nullable(),
  active: z.boolean(),
};

export const createServiceBody = z
  .strictObject({
    branchId: serviceFields.branchId,
    name: serviceFields.name,
    durationMinutes: serviceFields.durationMinutes,
    price: serviceFields.price.optional(),
    bufferBeforeMinutes: serviceFields.bufferBeforeMinutes.default(0),
    bufferAfterMinutes: serviceFields.bufferAfterMinutes.default(0),
    requiredSkills: serviceFields.requiredSkills.default([]),
    resourceRequirements: serviceFields.resourceRequirements.default([]),
    requiresConsultation: serviceFields.requiresConsultation.default(false),
    consultationServiceId: serviceFields.consultationServiceId.optional(),
    limits: serviceFields.limits.optional(),
    requiresApproval: serviceFields.requiresApproval.default(false),
    approvalTimeoutHours: serviceFields.approvalTimeoutHours.default(24),
    seats: serviceFields.seats.optional(),
    category: serviceFields.category.default('fixed'),
    flexible: serviceFields.flexible.optional(),
    packageServiceIds: serviceFields.packageServiceIds.default([]),
    group: serviceFields.group.optional(),
    travelMinutes: serviceFields.travelMinutes.default(0),
    calcomEventTypeId: serviceFields.calcomEventTypeId.optional(),
    active: serviceFields.active.default(true),
  })
  // `when`: also run when some other field is invalid (but the body is an object), so one answer
  // lists every bad field.
  .superRefine((body, ctx) => {
    for (const e of serviceFieldErrors(body)) ctx.addIssue({ code: 'custom', message: e.message, path: e.path.split('.') });
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null })
  .openapi('CreateService', { description: 'A flexible service needs `flexible` and a duration within it; a package lists at least one other service, only a package lists any, none twice (rules across fields, which JSON Schema cannot state: 400 validation_error)' });

export const patchServiceBody = z.strictObject(serviceFields).partial().openapi('PatchService', {
  description: 'Fields given replace the stored ones; the result must still be a consistent service.',
});

export const listServicesQuery = pageQuery.extend({ branchId: id.optional(), category: category.optional() });

export const serviceSchema = z
  .object({
    id,
    branchId: id,
    name: z.string(),
    durationMinutes: z.number().int(),
    price: z.number().nullable(),
    bufferBeforeMinutes: z.number().int(),
    bufferAfterMinutes: z.number().int(),
    requiredSkills: z.array(z.string()),
    resourceRequirements: z.array(id),
    requiresConsultation: z.boolean(),
    consultationServiceId: id.optional().openapi({ description: 'Present when set' }),
    limits: bookingLimits.optional().openapi({ description: 'Present when set' }),
    seats: z.object({ capacity: z.number().int() }).optional().openapi({ description: 'Present when set' }),
    requiresApproval: z.boolean(),
    approvalTimeoutHours: z.number().int(),
    category,
    flexible: z.object({ minMinutes: z.number().int(), maxMinutes: z.number().int(), stepMinutes: z.number().int() }).nullable(),
    packageServiceIds: z.array(id),
    group: z.object({ minParticipants: z.number().int(), maxParticipants: z.number().int() }).nullable(),
    travelMinutes: z.number().int(),
    calcomEventTypeId: z.number().int().nullable().optional().openapi({ description: 'Managers and support only (absent for booking and public keys)' }),
    active: z.boolean(),
    createdAt: instantOut,
    updatedAt: instantOut,
  })
  .openapi('Service');

export type ServiceOut = z.infer<typeof serviceSchema>;
export type FlexibleSettings = z.infer<typeof flexibleSettings>;
export type GroupSettings = z.infer<typeof groupSettings>;

/** The fields the cross-field rules look at (a created body, or a stored row merged with a PATCH). */
export interface ServiceShape {
  durationMinutes: number;
  category: (typeof CATEGORIES)[number];
  flexible?: FlexibleSettings | null;
  packageServiceIds: string[];
  seats?: { capacity: number } | null;
  requiresApproval?: boolean;
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

/**
 * Every cross-field inconsistency of a service, as field errors. Defensive about types: it also
 * runs on bodies whose other fields failed validation, and then judges only what is well-formed.
 */
export function serviceFieldErrors(s: Partial<Record<keyof ServiceShape, unknown>>): FieldError[] {
  const errors: FieldError[] = [];
  const cat = typeof s.category === 'string' ? s.category : undefined;
  const flex = s.flexible as Partial<FlexibleSettings> | null | undefined;
  const ids = Array.isArray(s.packageServiceIds) ? (s.packageServiceIds as unknown[]) : undefined;
  if (cat === 'flexible' && !flex) {
    errors.push({ path: 'flexible', message: 'A flexible service needs {minMinutes, maxMinutes, stepMinutes}' });
  }
  if (flex && isInt(flex.minMinutes) && isInt(flex.maxMinutes) && flex.minMinutes <= flex.maxMinutes && isInt(s.durationMinutes)) {
    if (s.durationMinutes < flex.minMinutes || s.durationMinutes > flex.maxMinutes) {
      errors.push({ path: 'durationMinutes', message: `must lie within flexible ${flex.minMinutes}-${flex.maxMinutes}` });
    }
  }
  if (cat === 'package' && ids?.length === 0) {
    errors.push({ path: 'packageServiceIds', message: 'A package service needs at least one service' });
  }
  if (cat !== undefined && cat !== 'package' && ids && ids.length > 0) {
    errors.push({ path: 'packageServiceIds', message: 'Only a package service lists package services' });
  }
  // Packages hold all their parts for one customer and confirm at once: seats (several customers
  // on one part) and approval (a held, undecided package) are not built for them, so the catalog
  // refuses the combination rather than book something half-supported.
  if (cat === 'package' && s.seats) errors.push({ path: 'seats', message: 'A package service cannot have seats' });
  if (cat === 'package' && s.requiresApproval === true) errors.push({ path: 'requiresApproval', message: 'A package service cannot require approval' });
  const seen = new Set<unknown>();
  ids?.forEach((serviceId, index) => {
    if (seen.has(serviceId)) errors.push({ path: `packageServiceIds.${index}`, message: `duplicate ${String(serviceId)}` });
    seen.add(serviceId);
  });
  return errors;
}
