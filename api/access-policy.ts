/**
 * Who may call what (API.md "Auth"), in one table so a new route group is covered the moment its
 * path exists. Checked by the auth middleware after the key is known and before any handler runs.
 *
 * - The platform admin key may call only /v1/admin/*; company keys never may.
 * - manager: everything of its company.
 * - booking: availability, customers, bookings, series, waiting list.
 * - support: reads (GET/HEAD) of everything, plus the writes listed in SUPPORT_WRITES.
 * A group needing another rule adds it here, not in its handlers.
 */
export const ROLES = ['manager', 'booking', 'support'] as const;
export type Role = (typeof ROLES)[number];

export type Principal =
  | { kind: 'admin' }
  | { kind: 'company'; companyId: string; role: Role; keyId: string };

const BOOKING_ROLE_PREFIXES = ['/v1/availability', '/v1/customers', '/v1/bookings', '/v1/series', '/v1/waiting-list'];

const SUPPORT_WRITES: ReadonlyArray<{ method: string; pattern: RegExp }> = [
  { method: 'POST', pattern: /^\/v1\/sync-failures\/[^/]+\/retry\/?$/ },
  { method: 'POST', pattern: /^\/v1\/sync-failures\/[^/]+\/resolve\/?$/ },
];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export const isAdminPath = (path: string) => under(path, '/v1/admin');

export function isAllowed(principal: Principal, method: string, path: string): boolean {
  if (principal.kind === 'admin') return isAdminPath(path);
  if (isAdminPath(path)) return false;
  switch (principal.role) {
    case 'manager':
      return true;
    case 'booking':
      return BOOKING_ROLE_PREFIXES.some((prefix) => under(path, prefix));
    case 'support':
      return method === 'GET' || method === 'HEAD' || SUPPORT_WRITES.some((w) => w.method === method && w.pattern.test(path));
    default:
      return false;
  }
}
