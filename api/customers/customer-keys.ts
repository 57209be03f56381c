/**
 * Find-or-create of customers by phone or e-mail, safe under concurrency (API.md "Reservations,
 * next free slots, phone lookup"). customer_keys maps (company, phone|email, value) to the
 * customer that number finds; its primary key is the arbiter, not a read-then-write:
 *
 *   BEGIN; INSERT customer; INSERT key ON CONFLICT DO NOTHING RETURNING;  -- nothing returned:
 *   ROLLBACK (our customer vanishes) and read the key's customer, committed by the winner.
 *
 * Under READ COMMITTED the losing INSERT waits for the winner's commit and then does nothing, so
 * ten concurrent calls for one number make one customer and all ten answer it.
 *
 * Every write of a customer's phone or e-mail keeps the keys in step (claimKeys/releaseKeys):
 * a new value is claimed unless another customer holds it; a value a customer gives up passes to
 * the oldest other customer with it.
 */
import type { Customer, Db, DbTx } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';

export type KeyKind = 'phone' | 'email';

export interface Contact {
  phone?: string | null;
  email?: string | null;
}

const keysOf = (c: Contact): Array<[KeyKind, string]> => [
  ...(c.phone ? [['phone', c.phone] as [KeyKind, string]] : []),
  ...(c.email ? [['email', c.email.toLowerCase()] as [KeyKind, string]] : []),
];

/**
 * The customer a phone number (first) or e-mail finds, or null. A customer written without its
 * keys (seed data, direct inserts) is still found: the oldest with the value claims the key
 * first, so the key stays the one answer.
 */
export async function findByKeys(db: Db, companyId: string, contact: Contact): Promise<Customer | null> {
  for (const [kind, value] of keysOf(contact)) {
    const where = { companyId_kind_value: { companyId, kind, value } };
    const key = await db.customerKey.findUnique({ where, include: { customer: true } });
    if (key) return key.customer;
    const oldest = await db.customer.findFirst({
      where: { companyId, ...(kind === 'phone' ? { phone: value } : { email: { equals: value, mode: 'insensitive' as const } }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    });
    if (!oldest) continue;
    await claimKeys(db, companyId, oldest.id, { [kind]: value });
    const claimed = await db.customerKey.findUnique({ where, include: { customer: true } });
    if (claimed) return claimed.customer;
  }
  return null;
}

/** Claims each free key for the customer; answers the kinds it claimed. */
export async function claimKeys(db: Db | DbTx, companyId: string, customerId: string, contact: Contact): Promise<KeyKind[]> {
  const claimed: KeyKind[] = [];
  for (const [kind, value] of keysOf(contact)) {
    const rows = await db.$executeRaw`
      INSERT INTO customer_keys (company_id, kind, value, customer_id) VALUES (${companyId}, ${kind}, ${value}, ${customerId})
      ON CONFLICT DO NOTHING`;
    if (rows > 0) claimed.push(kind);
  }
  return claimed;
}

/** Gives up the customer's keys of these kinds; each passes to the oldest other customer with that value. */
export async function releaseKeys(tx: DbTx, companyId: string, customerId: string, kinds: KeyKind[]): Promise<void> {
  for (const kind of kinds) {
    const released = await tx.customerKey.findMany({ where: { companyId, customerId, kind } });
    await tx.customerKey.deleteMany({ where: { companyId, customerId, kind } });
    for (const key of released) {
      const heir = await tx.customer.findFirst({
        where: { companyId, id: { not: customerId }, ...(kind === 'phone' ? { phone: key.value } : { email: { equals: key.value, mode: 'insensitive' as const } }) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
      });
      if (heir) await claimKeys(tx, companyId, heir.id, { [kind]: key.value });
    }
  }
}

class LostClaim extends Error {}

export interface NewCustomer {
  name: string;
  phone: string | null;
  email: string | null;
  language: string | null;
  timezone?: string | null;
}

/** The existing customer for the phone (first) or e-mail, or a new one; `created` says which. */
export async function findOrCreateCustomer(db: Db, companyId: string, input: NewCustomer): Promise<{ customer: Customer; created: boolean }> {
  const primary = keysOf(input)[0];
  if (!primary) throw new Error('find-or-create needs a phone or an e-mail');
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await findByKeys(db, companyId, input);
    if (found) return { customer: found, created: false };
    try {
      const customer = await db.$transaction(async (tx) => {
        const row = await tx.customer.create({
          data: { id: newId('cus'), companyId, name: input.name, phone: input.phone, email: input.email, language: input.language, timezone: input.timezone ?? null },
        });
        const claimed = await claimKeys(tx, companyId, row.id, { [primary[0]]: primary[1] });
        if (claimed.length === 0) throw new LostClaim();
        await claimKeys(tx, companyId, row.id, input);
        return row;
      });
      return { customer, created: true };
    } catch (error) {
      if (!(error instanceof LostClaim)) throw error;
      // Another call claimed the number first: answer its customer (read again above).
    }
  }
  throw new Error('customer key kept changing');
}
