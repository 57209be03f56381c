/**
 * Customer schemas (API.md "Platform and catalog"). A customer belongs to the company, not to a
 * branch; `timezone` is the customer's own zone (used to render their instants), `blocked`
 * customers cannot book.
 */
import { id, instantOut, pageQuery, timezone, name, plainText } from '../common.schemas';
import { z } from '../zod';

export const language = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Must be a language tag like "de" or "en-GB"');
// The pattern judges the text as sent (the document states it); a number libphonenumber-js cannot
// read for the country is a 400 too, a rule no pattern can state (api/customers/phone.ts).
export const phone = z
  .string()
  .regex(/^\+?[0-9(][0-9 ()./-]{2,31}$/, 'Must be a phone number, e.g. +49 30 1234567 or (030) 1234567')
  .trim()
  .openapi({ description: 'A number in international (+49 30 1234567) or national format (read with the branch or company country); one that is no valid number there is a 400' });

const customerFields = {
  name,
  email: z.email().max(320).nullable(),
  phone: phone.nullable(),
  language: language.nullable(),
  timezone: timezone.nullable(),
};

export const createCustomerBody = z
  .strictObject({
    name: customerFields.name,
    email: customerFields.email.optional(),
    phone: customerFields.phone.optional(),
    language: customerFields.language.optional(),
    timezone: customerFields.timezone.optional(),
  })
  .openapi('CreateCustomer');

export type CreateCustomer = z.infer<typeof createCustomerBody>;

export const findOrCreateBody = z
  .strictObject({
    phone: phone.optional(),
    email: z.email().max(320).optional(),
    name: customerFields.name.optional(),
    language: language.optional(),
  })
  .refine((b) => b.phone !== undefined || b.email !== undefined, { message: 'phone or email is required', path: ['phone'] })
  .openapi('FindOrCreateCustomer', {
    example: { phone: '030 1234567', name: 'Max Mustermann', language: 'de' },
    description: 'phone or email (or both) is required',
    anyOf: [{ required: ['phone'] }, { required: ['email'] }],
  });

export const patchCustomerBody = z.strictObject(customerFields).partial().openapi('PatchCustomer', {
  description: 'Fields given replace the stored ones; null clears an optional one.',
});

export const blockBody = z
  .strictObject({ reason: plainText(500).optional() })
  .optional()
  .openapi('BlockCustomer', { description: 'Optional; the block reason is kept on the customer until unblocked.' });

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listCustomersQuery = pageQuery.extend({
  email: z.string().max(320).optional().openapi({ description: 'Exact e-mail (case-insensitive; % and _ are plain characters)' }),
  phone: z.string().max(40).optional().openapi({ description: 'Any spelling of the number (national ones read with the company country), e.g. 030 1234567 or +49 30 1234567' }),
  blocked: booleanQuery.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'Search text: part of the name, e-mail or phone (case-insensitive)' }),
});

export const customerSchema = z
  .object({
    id,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: 'E.164', example: '+49301234567' }),
    language: z.string().nullable(),
    timezone: z.string().nullable(),
    blocked: z.boolean(),
    blockedReason: z.string().nullable(),
    createdAt: instantOut,
    updatedAt: instantOut,
  })
  .openapi('Customer');

export type CustomerOut = z.infer<typeof customerSchema>;

export const foundCustomerSchema = customerSchema
  .extend({ created: z.boolean().openapi({ description: 'true when this call created the customer' }) })
  .openapi('FoundCustomer');
