/** A stored customer → its API shape; instants in the customer's own zone (UTC when none is known). */
import type { Customer } from '../../infra/db/prisma';
import { formatInstant } from '../common.schemas';
import type { CustomerOut } from './customers.schemas';

export function renderCustomer(row: Customer): CustomerOut {
  const zone = row.timezone ?? 'UTC';
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    language: row.language,
    timezone: row.timezone,
    blocked: row.blocked,
    blockedReason: row.blockedReason,
    createdAt: formatInstant(row.createdAt, zone),
    updatedAt: formatInstant(row.updatedAt, zone),
  };
}
