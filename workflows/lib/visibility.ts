/**
 * Operator visibility: custom search attributes (all Keyword, registered on the server) and a
 * one-line memo. Key names are a durable contract with the server's registration and with the
 * saved visibility queries of operators: never rename them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';

export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const BranchIdKey = defineSearchAttributeKey('BranchId', SearchAttributeType.KEYWORD);
export const BookingStatusKey = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const WorkflowKindKey = defineSearchAttributeKey('WorkflowKind', SearchAttributeType.KEYWORD);

export type WorkflowKind = 'booking' | 'reschedule' | 'cancel' | 'no-show' | 'sync-retry';

export interface VisibilityIds {
  bookingId: string;
  customerId?: string;
  branchId?: string;
}

/** Sets the identifying attributes (also when the starter did not pass them). */
export function publishIdentity(kind: WorkflowKind, ids: VisibilityIds): void {
  const pairs = [
    { key: WorkflowKindKey, value: kind },
    { key: BookingIdKey, value: ids.bookingId },
    ...(ids.customerId ? [{ key: CustomerIdKey, value: ids.customerId }] : []),
    ...(ids.branchId ? [{ key: BranchIdKey, value: ids.branchId }] : []),
  ];
  upsertSearchAttributes(pairs);
}

export function publishStatus(status: string, summary: string): void {
  upsertSearchAttributes([{ key: BookingStatusKey, value: status }]);
  upsertMemo({ summary });
}

/**
 * Identity and first status in one upsert (one visibility write instead of two; the starter's
 * memo stands until the outcome). Sagas on this path publish again only at their outcome and
 * when compensation starts; the current step stays available through their query.
 */
export function publishStart(kind: WorkflowKind, ids: VisibilityIds, status: string): void {
  upsertSearchAttributes([
    { key: WorkflowKindKey, value: kind },
    { key: BookingIdKey, value: ids.bookingId },
    ...(ids.customerId ? [{ key: CustomerIdKey, value: ids.customerId }] : []),
    ...(ids.branchId ? [{ key: BranchIdKey, value: ids.branchId }] : []),
    { key: BookingStatusKey, value: status },
  ]);
}
