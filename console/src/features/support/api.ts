/** Support desk reads and writes (API.md "Support: calendar sync failures"). */
import { useQuery } from '@tanstack/react-query';
import type { Booking, Page, SyncFailure } from '../../lib/types';
import { consoleClient as api } from '../../lib/console-client';

export interface ConsoleConfig {
  temporalUiUrl: string | null;
  temporalNamespace: string;
}

/** Served by the API without a key: where the Temporal UI is (TEMPORAL_UI_URL). */
export function useConsoleConfig() {
  return useQuery({
    queryKey: ['console-config'],
    staleTime: Infinity,
    queryFn: async () => (await fetch('/console/config.json', { credentials: 'omit' })).json() as Promise<ConsoleConfig>,
  });
}
export function useSyncFailures() {
  return useQuery({ queryKey: ['sync-failures'], refetchInterval: 2_000, queryFn: () => api.get<Page<SyncFailure>>('/v1/sync-failures', { limit: 200 }) });
}
export function useBooking(id: string) {
  return useQuery({ queryKey: ['booking', id], refetchInterval: 5_000, queryFn: () => api.get<Booking>(`/v1/bookings/${id}`, { expand: 'customer,service,staff' }) });
}
export interface NotificationRow {
  kind: string;
  channel: string;
  to: string;
  status: string;
  sentAt: string | null;
}
export function useNotifications(bookingId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['notifications', bookingId],
    enabled,
    retry: false,
    queryFn: () => api.get<{ data: NotificationRow[] }>(`/v1/bookings/${bookingId}/notifications`),
  });
}
export const retryFailure = (id: string) => api.post<{ id: string; status: string; workflowId: string }>(`/v1/sync-failures/${id}/retry`);
export const resolveFailure = (id: string, note: string) => api.post<SyncFailure>(`/v1/sync-failures/${id}/resolve`, note ? { note } : {});

export function workflowUrl(config: ConsoleConfig | undefined, workflowId: string | undefined): string | null {
  if (!config?.temporalUiUrl || !workflowId) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
