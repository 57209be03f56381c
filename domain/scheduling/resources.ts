/**
 * Which of a service's resources to use for a booking: the first listed one whose busy rows do not
 * meet the booking's blocked range (buffers and travel included).
 */
import { BusyIndex } from './busy-index';
import { blockedRange } from './blocked-range';
import { overlapsAny } from './intervals';
import type { BusyInterval, Instant, ServiceSpec } from './scheduling.types';

export interface PickResourceInput {
  service: ServiceSpec;
  busy: BusyInterval[];
  /** The appointment itself; the service's buffers and travel are added here. */
  start: Instant;
  end: Instant;
  excludeBookingId?: string | null;
}

export interface ResourcePick {
  /** False when the service needs no resource. */
  needed: boolean;
  /** The free resource, or null when none is needed or all are taken. */
  resourceId: string | null;
}

export function pickResource(input: PickResourceInput): ResourcePick {
  const ids = input.service.resourceRequirements;
  if (ids.length === 0) return { needed: false, resourceId: null };
  const index = new BusyIndex(input.busy, input.excludeBookingId);
  const range = blockedRange(input.service, input.start, input.end);
  return { needed: true, resourceId: ids.find((id) => !overlapsAny(index.resourceBusy(id), range.start, range.end)) ?? null };
}
