/**
 * Consultation first (API.md "Catalog depth"): a service with `requiresConsultation` and a
 * `consultationServiceId` is bookable only by a customer who has a `completed` booking of the
 * consultation service that started within the last 365 days (before now), or a `confirmed` one
 * starting before the requested start. Without a customer (plain availability) nothing is judged;
 * without a consultationServiceId the flag stays informational, as it was before.
 */
import type { SchedulingContext } from './context';
import { toEpochMs } from './local-time';
import type { Reason } from './scheduling.types';

const YEAR_MS = 365 * 86_400_000;

export function consultationReason(ctx: SchedulingContext, customerId: string | null | undefined, start: number): Reason | null {
  const svc = ctx.service;
  const consultationId = svc.consultationServiceId;
  if (!svc.requiresConsultation || !consultationId || !customerId) return null;
  const satisfied = ctx.customerHistory.some((b) => {
    if (b.serviceId !== consultationId) return false;
    const at = toEpochMs(b.start, 'customerHistory.start');
    if (b.status === 'completed') return at >= ctx.now - YEAR_MS && at <= ctx.now;
    return b.status === 'confirmed' && at < start;
  });
  if (satisfied) return null;
  return {
    code: 'consultation_required',
    message: `This service needs a consultation first (service ${consultationId}): completed within the last 365 days or confirmed before this start`,
  };
}
