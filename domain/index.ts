/**
 * Public API of the pure scheduling core. Callers (activities, API) import from here; nothing in
 * domain/ reads the clock, env or any store: `now`, zones and settings are arguments.
 */
export * from './errors';
export * from './scheduling/scheduling.types';
export { computeAvailability, type AvailabilityInput } from './scheduling/slot-engine';
export { explainStart, type ExplainInput, type ExplainResult } from './scheduling/explain';
export { findAlternatives, type AlternativesInput } from './scheduling/alternatives';
export { pickResource, type PickResourceInput, type ResourcePick } from './scheduling/resources';
export { blockedRange, type MsRange } from './scheduling/blocked-range';
export { resolveDuration, groupSizeReason } from './scheduling/predicates';
export {
  addDays,
  eachDate,
  formatInstant,
  localDateOf,
  parseDate,
  parseHm,
  toEpochMs,
  wallToInstant,
  weekdayOf,
  zoneOf,
} from './scheduling/local-time';
export { normalize, intersect, subtract, overlapsAny, type Interval } from './scheduling/intervals';
export * from './booking/rules';
export { assignStaff, type AssignStaffInput, type StaffAssignment } from './booking/assignment';
