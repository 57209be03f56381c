/** Front-desk reads and writes (API.md "Bookings", "Platform and catalog", "Availability"). */
import { useQueries, useQuery } from '@tanstack/react-query';
import { newIdempotencyKey } from '../../lib/api-client';
import type { Availability, Booking, Customer, Page, Staff, TimeOff } from '../../lib/types';
import { consoleApi, consoleClient as api } from '../../lib/console-client';
import { call } from '../../lib/typed-api';
export { useBranches, useCustomers, useServices, useStaff } from '../../lib/catalog';

export const POLL_MS = 5_000;

/** The day's bookings (every status), polled so changes by others show up. */
export function useDayBookings(branchId: string | undefined, date: string) {
  return useQuery({
    queryKey: ['bookings', branchId, date],
    enabled: !!branchId,
    refetchInterval: POLL_MS,
    queryFn: () => api.get<Page<Booking>>('/v1/bookings', { branchId, from: date, to: date, limit: 200, expand: 'customer,service,staff', order: 'start' }),
  });
}
export function useTimeOff(staff: Staff[]) {
  return useQueries({
    queries: staff.map((s) => ({
      queryKey: ['time-off', s.id],
      refetchInterval: POLL_MS * 6,
      queryFn: () => api.get<Page<TimeOff>>(`/v1/staff/${s.id}/time-off`, { limit: 200 }),
    })),
  });
}
export function useAvailability(branchId: string | undefined, serviceId: string | undefined, date: string, staffId?: string) {
  return useQuery({
    queryKey: ['availability', branchId, serviceId, date, staffId ?? null],
    enabled: !!branchId && !!serviceId,
    refetchInterval: POLL_MS,
    queryFn: () => api.get<Availability>('/v1/availability', { branchId, serviceId, from: date, to: date, staffId }),
  });
}
export function searchCustomers(text: string): Promise<Page<Customer>> {
  const trimmed = text.trim();
  const looksLikePhone = /^\+?[0-9 ()./-]{3,}$/.test(trimmed);
  return api.get<Page<Customer>>('/v1/customers', looksLikePhone ? { phone: trimmed, limit: 20 } : { q: trimmed, limit: 20 });
}
export function createCustomer(body: { name: string; phone?: string; email?: string }): Promise<Customer> {
  return api.post<Customer>('/v1/customers', body, { 'Idempotency-Key': newIdempotencyKey() });
}
export function getBooking(id: string) {
  return api.get<Booking>(`/v1/bookings/${id}`, { expand: 'customer,service,staff' });
}
export function createBooking(body: Record<string, unknown>, key: string) {
  return api.post<Booking>('/v1/bookings', body, { 'Idempotency-Key': key });
}
export type BookingAction = 'cancel' | 'no-show' | 'complete' | 'approve' | 'decline';
export function bookingAction(id: string, action: BookingAction, body: Record<string, unknown> = {}) {
  return api.post<Booking>(`/v1/bookings/${id}/${action}`, body, { 'Idempotency-Key': newIdempotencyKey() });
}
export function reschedule(id: string, body: { start: string; staffId?: string }) {
  return api.post<Booking>(`/v1/bookings/${id}/reschedule`, body, { 'Idempotency-Key': newIdempotencyKey() });
}
/** The branch's bookings awaiting approval from today on, soonest first (polled; typed client). */
export function useAwaitingApproval(branchId: string | undefined, from: string) {
  return useQuery({
    queryKey: ['bookings', 'awaiting_approval', branchId, from],
    enabled: !!branchId,
    refetchInterval: POLL_MS,
    queryFn: () =>
      call(consoleApi.GET('/v1/bookings', { params: { query: { branchId, status: 'awaiting_approval', from, limit: 50, expand: 'customer,service,staff', order: 'start' } } })),
  });
}
/** Approve (confirmed, calendar written) or decline (slot free) a booking awaiting approval. */
export function decide(id: string, action: 'approve' | 'decline') {
  const params = { path: { id }, header: { 'idempotency-key': newIdempotencyKey() } };
  return action === 'approve'
    ? call(consoleApi.POST('/v1/bookings/{id}/approve', { params }))
    : call(consoleApi.POST('/v1/bookings/{id}/decline', { params, body: { reason: 'declined at the front desk' } }));
}
