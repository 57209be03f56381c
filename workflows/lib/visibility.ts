/**
 * Operator visibility from inside workflows: upserts of the custom search attributes (keys in
 * ../search-attributes.contract.ts) and of the one-line memo.
 */
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { BookingStatusKey, identityAttributes, type VisibilityIds, type WorkflowKind } from '../search-attributes.contract';

/** Sets the identifying attributes (also when the starter did not pass them). */
export function publishIdentity(kind: WorkflowKind, ids: VisibilityIds): void {
  upsertSearchAttributes(identityAttributes(kind, ids));
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
  upsertSearchAttributes(identityAttributes(kind, ids, status));
}
