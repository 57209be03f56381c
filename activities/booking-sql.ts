/**
 * The saga's two hot writes as single SQL statements (one round trip each instead of the four or
 * five that Prisma's nested create in a transaction, or update + history, take): the hold (booking
 * row `pending` + its `held` history row) and the confirm (`pending` → `confirmed` + `confirmed`
 * history row). Both stay atomic (one statement) and idempotent (history by dedupe key). Errors are
 * PostgreSQL's, recognised by infra/db/errors.ts as for model queries (exclusion, unique).
 */
import { Prisma, type Db } from '../infra/db/prisma';

const json = (value: unknown) => Prisma.sql`${JSON.stringify(value)}::jsonb`;

/** The hold's insert moved to infra/booking/slot-holds.ts, where the API takes holds too. */
export { insertHold } from '../infra/booking/slot-holds';

/**
 * `pending` → `confirmed` with the Cal.com uid, plus the `confirmed` history row (once per dedupe
 * key) when the row is confirmed afterwards. Answers whether this statement confirmed it and the
 * row's status before it (null: no such row), so the caller can tell a repeat from a refusal.
 */
export async function confirmPending(
  db: Db,
  input: { bookingId: string; externalId: string | null; dedupeKey: string; historyId: string },
): Promise<{ confirmed: boolean; statusBefore: string | null }> {
  const { bookingId, externalId, dedupeKey } = input;
  const rows = await db.$queryRaw<Array<{ confirmed: boolean; status_before: string | null }>>`
    WITH before AS (SELECT status FROM bookings WHERE id = ${bookingId}),
    confirmed AS (
      UPDATE bookings SET status = 'confirmed',
        calendar_status = CASE WHEN calendar_status = 'not_linked' AND ${externalId}::text IS NULL THEN 'not_linked' ELSE 'synced' END,
        calendar_external_id = ${externalId},
        failure_reason = NULL, updated_at = now()
      WHERE id = ${bookingId} AND status = 'pending'
      RETURNING id
    ),
    history AS (
      INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
      SELECT ${input.historyId}, ${bookingId}, 'confirmed', ${json({ externalId })}, ${dedupeKey}
      WHERE EXISTS (SELECT 1 FROM confirmed) OR EXISTS (SELECT 1 FROM before WHERE status = 'confirmed')
      ON CONFLICT (dedupe_key) DO NOTHING
    )
    SELECT EXISTS (SELECT 1 FROM confirmed) AS confirmed, (SELECT status FROM before) AS status_before`;
  const [row] = rows;
  return { confirmed: row?.confirmed ?? false, statusBefore: row?.status_before ?? null };
}
