/** Manager reads and writes: analytics, catalog, API keys, calendar connections, webhook endpoints. */
import { useQuery } from '@tanstack/react-query';
import type { Analytics, ApiKey, Page } from '../../lib/types';
import { consoleClient as api } from '../../lib/console-client';

export function useAnalytics(query: { branchId?: string; from: string; to: string; interval?: string; groupBy?: string }) {
  return useQuery({
    queryKey: ['analytics', query],
    refetchInterval: 30_000,
    queryFn: () => api.get<Analytics>('/v1/analytics', query),
  });
}
/** The time series and comparisons of company-wide analytics, where the API offers them (else null). */
export function useOptionalAnalytics(query: { branchId?: string; from: string; to: string; interval?: string; groupBy?: string }, enabled: boolean) {
  return useQuery({
    queryKey: ['analytics-extra', query],
    enabled,
    retry: false,
    queryFn: () => api.get<Analytics>('/v1/analytics', query).catch(() => null),
  });
}
export function useApiKeys() {
  return useQuery({ queryKey: ['api-keys'], queryFn: () => api.get<Page<ApiKey>>('/v1/api-keys', { limit: 200 }) });
}
export const createApiKey = (body: { name: string; role: string }) => api.post<ApiKey>('/v1/api-keys', body);
export const revokeApiKey = (id: string) => api.del<{ id: string; revokedAt: string }>(`/v1/api-keys/${id}`);
export const patch = <T,>(path: string, body: unknown) => api.patch<T>(path, body);
export const post = <T,>(path: string, body: unknown) => api.post<T>(path, body);
export const del = <T,>(path: string) => api.del<T>(path);
export const get = <T,>(path: string, query?: Record<string, string | number | undefined>) => api.get<T>(path, query);
