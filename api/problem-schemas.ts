/**
 * The OpenAPI side of the error table (error-handler.ts PROBLEMS): one schema per problem `code`
 * (`Problem_slot_unavailable`, ...) with its extensions typed, so generated clients can narrow on
 * `code`; and the headers every answer, or every answer of a status, carries.
 */
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { PROBLEMS, type ProblemCode } from './error-handler';
import { z } from './zod';

const alternative = z.object({ start: z.string(), end: z.string(), staffId: z.string(), staffName: z.string() });

const EXTENSIONS: Partial<Record<ProblemCode, Record<string, z.ZodType>>> = {
  validation_error: { errors: z.array(z.object({ path: z.string(), message: z.string() })).openapi({ description: 'Every invalid field' }) },
  slot_unavailable: { alternatives: z.array(alternative).openapi({ description: 'Up to 5 free slots, nearest first' }) },
  reservation_expired: { alternatives: z.array(alternative).openapi({ description: 'Free slots near the reservation (empty when it is unknown)' }) },
  booking_rule_violation: {
    violations: z
      .array(
        z.object({
          rule: z.string(),
          message: z.string(),
          limits: z.array(z.string()).optional().openapi({ description: 'booking_limit: the limits reached, e.g. service.perCustomer.week', example: ['service.perCustomer.week'] }),
        }),
      )
      .openapi({ description: 'Every failing rule' }),
  },
  calendar_sync_failed: { bookingId: z.string() },
  dependency_unavailable: { dependency: z.string().openapi({ example: 'temporal' }) },
  rate_limited: { retryAfterSeconds: z.number().int().optional() },
};

const schemas = new Map<ProblemCode, z.ZodType>();

export function problemSchemaOf(code: ProblemCode): z.ZodType {
  let schema = schemas.get(code);
  if (!schema) {
    const { status, title } = PROBLEMS[code];
    schema = z
      .object({
        type: z.string(),
        title: z.string().openapi({ example: title }),
        status: z.literal(status),
        detail: z.string().optional(),
        code: z.literal(code),
        ...(EXTENSIONS[code] ?? {}),
      })
      .catchall(z.unknown())
      .openapi(`Problem_${code}`, { description: `${title} (RFC 9457 problem details, code ${code})` });
    schemas.set(code, schema);
  }
  return schema;
}

type Headers = Exclude<NonNullable<ResponseConfig['headers']>, { shape: unknown }>;

/** On every answer (api/request-id.ts, api/rate-limit.ts). */
export const COMMON_HEADERS: Headers = {
  'X-Request-Id': { description: "This request's id (the one sent, or a new one); quote it to support", schema: { type: 'string' } },
  'RateLimit-Limit': { description: 'Requests allowed in the current window (per company and per client address)', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

export const PROBLEM_HEADERS: Partial<Record<number, Headers>> = {
  401: { 'WWW-Authenticate': { description: 'Bearer (RFC 6750): send Authorization: Bearer <key>', schema: { type: 'string', example: 'Bearer' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
};
