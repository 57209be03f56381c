/** Catalog reads shared by the console's features (branches, staff, services, customers). */
import { useQueries, useQuery } from '@tanstack/react-query';
import { consoleClient as api } from './console-client';
import type { Branch, Customer, Page, Service, Staff } from './types';

export function useBranches() {
  return useQuery({ queryKey: ['branches'], queryFn: () => api.get<Page<Branch>>('/v1/branches', { limit: 200 }) });
}
export function useStaff(branchId: string | undefined) {
  return useQuery({ queryKey: ['staff', branchId], enabled: !!branchId, queryFn: () => api.get<Page<Staff>>('/v1/staff', { branchId, limit: 200 }) });
}
export function useServices(branchId: string | undefined) {
  return useQuery({
    queryKey: ['services', branchId],
    enabled: !!branchId,
    queryFn: async () => {
      const page = await api.get<Page<Service>>('/v1/services', { branchId, limit: 200 });
      return page.data.filter((s) => s.branchId === branchId);
    },
  });
}
/** Customers by id (for lists that do not inline them). */
export function useCustomers(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({ queryKey: ['customer', id], staleTime: 60_000, queryFn: () => api.get<Customer>(`/v1/customers/${id}`) })),
  });
}
export function useService(id: string | undefined) {
  return useQuery({ queryKey: ['service', id], enabled: !!id, staleTime: 60_000, queryFn: () => api.get<Service>(`/v1/services/${id}`) });
}
