/**
 * The range a booking keeps free (Booking.blockedStart/blockedEnd, the range under the database's
 * exclusion constraint): the appointment widened by buffers and travel time on both sides.
 */
import { toEpochMs } from './local-time';
import type { Instant, ServiceSpec } from './scheduling.types';

const MINUTE = 60_000;

export interface MsRange {
  start: number;
  end: number;
}

export function blockedRange(service: ServiceSpec, start: Instant, end: Instant): MsRange {
  const travel = (service.travelMinutes ?? 0) * MINUTE;
  return {
    start: toEpochMs(start, 'start') - service.bufferBeforeMinutes * MINUTE - travel,
    end: toEpochMs(end, 'end') + service.bufferAfterMinutes * MINUTE + travel,
  };
}
