/**
 * `expand=customer,service,staff` and `order=` of GET /v1/bookings and GET /v1/bookings/:id
 * (API.md "Reservations, next free slots, phone lookup"): a program that reads a booking aloud
 * gets the customer's, the service's and the staff member's names in the same answer instead of
 * three more requests. The ids stay; the objects come beside them. Staff carry public fields only
 * (no e-mail, no Cal.com ids): booking and public keys read these answers too.
 */
import type { Db } from '../../infra/db/prisma';
import { renderCustomer } from '../customers/customer-render';
import { z } from '../zod';

export const EXPANSIONS = ['customer', 'service', 'staff'] as const;
export type Expansion = (typeof EXPANSIONS)[number];

/** `customer,service` → the set; unknown names are a 400 naming them. */
export const expandQuery = z
  .string()
  .max(100)
  .transform((value, ctx) => {
    const names = value.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(EXPANSIONS as readonly string[]).includes(n));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `Unknown expansion ${unknown.join(', ')} (use ${EXPANSIONS.join(', ')})` });
      return z.NEVER;
    }
    return new Set(names as Expansion[]);
  })
  .optional()
  .openapi({ type: 'string', example: 'customer,service,staff', description: `Comma-separated: ${EXPANSIONS.join(', ')}. Inlines these objects beside their ids.` });

const staffPublic = z.object({ id: z.string(), name: z.string(), gender: z.string().nullable(), languages: z.array(z.string()) }).openapi('BookingStaff');
const servicePublic = z
  .object({ id: z.string(), name: z.string(), durationMinutes: z.number().int(), price: z.number().nullable(), category: z.string() })
  .openapi('BookingService');

/** The inlined objects as OpenAPI fields (each present only when asked for). */
export const expandedFields = (customer: z.ZodType) => ({
  customer: customer.optional().openapi({ description: 'With expand=customer' }),
  service: servicePublic.optional().openapi({ description: 'With expand=service' }),
  staff: staffPublic.nullable().optional().openapi({ description: 'With expand=staff' }),
});

interface ExpandableBooking {
  customerId: string;
  serviceId: string;
  staffId: string | null;
}

/**
 * Adds the asked-for objects to rendered bookings: one query per kind for the whole page, scoped
 * by company.
 */
export async function expandBookings<B extends ExpandableBooking>(db: Db, companyId: string, bookings: B[], expand: Set<Expansion> | undefined): Promise<B[]> {
  if (!expand || expand.size === 0 || bookings.length === 0) return bookings;
  const ids = (pick: (b: B) => string | null) => [...new Set(bookings.map(pick).filter((v): v is string => v !== null))];
  const [customers, services, staff] = await Promise.all([
    expand.has('customer') ? db.customer.findMany({ where: { companyId, id: { in: ids((b) => b.customerId) } } }) : [],
    expand.has('service')
      ? db.service.findMany({ where: { companyId, id: { in: ids((b) => b.serviceId) } }, select: { id: true, name: true, durationMinutes: true, price: true, category: true } })
      : [],
    expand.has('staff')
      ? db.staff.findMany({ where: { companyId, id: { in: ids((b) => b.staffId) } }, select: { id: true, name: true, gender: true, languages: true } })
      : [],
  ]);
  const customerById = new Map(customers.map((c) => [c.id, renderCustomer(c)]));
  const serviceById = new Map(services.map((s) => [s.id, { ...s, price: s.price === null ? null : Number(s.price.toString()) }]));
  const staffById = new Map(staff.map((s) => [s.id, s]));
  return bookings.map((b) => ({
    ...b,
    ...(expand.has('customer') ? { customer: customerById.get(b.customerId) } : {}),
    ...(expand.has('service') ? { service: serviceById.get(b.serviceId) } : {}),
    ...(expand.has('staff') ? { staff: b.staffId ? (staffById.get(b.staffId) ?? null) : null } : {}),
  }));
}
