/**
 * The reservation expiry's database step (workflows/reservation-expiry.workflow.ts). Idempotent:
 * a conditional UPDATE (infra/booking/reservation-holds.ts) that is a no-op once the hold is no
 * longer pending (expired before, released, or converted into a booking).
 */
import type { Db } from '../infra/db/prisma';
import { expireReservationHold } from '../infra/booking/reservation-holds';

export function createReservationActivities({ db }: { db: Db }) {
  return {
    /** The freed slot (UTC ISO) when this call expired the hold, null when it was not pending. */
    async expireReservation(input: { reservationId: string; dedupeKey: string }): Promise<{ staffId: string; start: string; end: string } | null> {
      return expireReservationHold(db, input.reservationId, input.dedupeKey);
    },
  };
}
