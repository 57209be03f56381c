/**
 * The custom search attributes operators filter workflows by in the Temporal UI (all Keyword,
 * registered on the server by scripts/lib/temporal-server.ts). Key names are a durable contract
 * with that registration and with operators' saved queries: never rename them. Starters (the API)
 * set them at start; workflows upsert what changes (workflows/lib/visibility.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType, type TypedSearchAttributes } from '@temporalio/common';

export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const BranchIdKey = defineSearchAttributeKey('BranchId', SearchAttributeType.KEYWORD);
export const BookingStatusKey = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const WorkflowKindKey = defineSearchAttributeKey('WorkflowKind', SearchAttributeType.KEYWORD);
export const SeriesIdKey = defineSearchAttributeKey('SeriesId', SearchAttributeType.KEYWORD);
export const WaitlistEntryIdKey = defineSearchAttributeKey('WaitlistEntryId', SearchAttributeType.KEYWORD);

export type WorkflowKind = 'booking' | 'reschedule' | 'cancel' | 'no-show' | 'sync-retry';
/** Kinds of the workflows that are not about one booking (set at start by their starter). */
export type OwnerKind = 'series' | 'series-cancel' | 'waitlist' | 'hold-sweeper';

export interface OwnerIds {
  seriesId?: string;
  waitlistEntryId?: string;
  customerId?: string;
  branchId?: string;
}

/**
 * Identity and status of a series, series cancellation or waiting-list monitor for its start
 * request (the API sets them; `BookingStatus` carries the starting status: running, cancelling,
 * waiting).
 */
export function ownerAttributes(kind: OwnerKind, ids: OwnerIds, status?: string) {
  return [
    { key: WorkflowKindKey, value: kind },
    ...(ids.seriesId ? [{ key: SeriesIdKey, value: ids.seriesId }] : []),
    ...(ids.waitlistEntryId ? [{ key: WaitlistEntryIdKey, value: ids.waitlistEntryId }] : []),
    ...(ids.customerId ? [{ key: CustomerIdKey, value: ids.customerId }] : []),
    ...(ids.branchId ? [{ key: BranchIdKey, value: ids.branchId }] : []),
    ...(status ? [{ key: BookingStatusKey, value: status }] : []),
  ];
}

export interface VisibilityIds {
  bookingId: string;
  customerId?: string;
  branchId?: string;
}

/** Identity and status as key/value pairs, for a start request or an upsert. */
export function identityAttributes(kind: WorkflowKind, ids: VisibilityIds, status?: string) {
  return [
    { key: WorkflowKindKey, value: kind },
    { key: BookingIdKey, value: ids.bookingId },
    ...(ids.customerId ? [{ key: CustomerIdKey, value: ids.customerId }] : []),
    ...(ids.branchId ? [{ key: BranchIdKey, value: ids.branchId }] : []),
    ...(status ? [{ key: BookingStatusKey, value: status }] : []),
  ];
}

/** Whether the starter already set these attributes (then the workflow need not upsert them). */
export function hasIdentity(attributes: TypedSearchAttributes, kind: WorkflowKind, ids: VisibilityIds): boolean {
  return attributes.get(WorkflowKindKey) === kind && attributes.get(BookingIdKey) === ids.bookingId;
}
