/**
 * PrismaClient construction: Prisma 7 talks to PostgreSQL through the `pg` driver adapter (no
 * native query engine). One client per process, created at the composition root.
 * The client is generated into generated/prisma by `npm run db:generate`.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export { PrismaClient, Prisma } from '../../generated/prisma/client';
export type {
  Company, ApiKey, Branch, Resource, Staff, StaffTimeOff, Service, Customer, Booking, BookingHistory, SyncFailure,
  IdempotencyRecord, WaitingListEntry, Series, SeriesOccurrence, Notification, AvailabilitySearch, CalendarConnection, Review,
} from '../../generated/prisma/client';
export type { WebhookEndpoint, WebhookDelivery } from '../../generated/prisma/client';

/** The database handle passed to stores and activities. */
export type Db = PrismaClient;
/** What `db.$transaction(async (tx) => ...)` hands to its callback. */
export type DbTx = Prisma.TransactionClient;

export interface CreatePrismaOptions {
  /** pg pool size; defaults to pg's 10 */
  max?: number;
}

export function createPrisma(databaseUrl: string, options: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.max });
  return new PrismaClient({ adapter });
}
