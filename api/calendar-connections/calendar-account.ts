/**
 * Talking to a company's Cal.com account on behalf of the API: verifying a key (`GET /v2/me`),
 * registering our webhook, and checking that a staff member's `calcomUserId` or a service's
 * `calcomEventTypeId` belongs to that account. Cal.com's own words never reach the answer (they
 * may carry host names); the problem says what to fix.
 */
import { randomBytes } from 'node:crypto';
import type { CalcomClient } from '../../infra/calcom/calcom.client';
import { CalcomError } from '../../infra/calcom/calcom.errors';
import type { CalcomMe } from '../../infra/calcom/calcom.types';
import type { CalendarConnection } from '../../infra/db/prisma';
import { ApiError } from '../error-handler';
import type { RouteContext } from '../route-kit';
import { calendarConnectionsOf } from './calendar-connections.deps';

export const WEBHOOK_TRIGGERS = ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'];

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** `https://` always; `http://` only to a loopback address outside production. */
export function checkBaseUrl(baseUrl: string, production: boolean): string {
  const url = new URL(baseUrl);
  const plainLoopback = url.protocol === 'http:' && LOOPBACK.test(url.hostname) && !production;
  if (url.protocol !== 'https:' && !plainLoopback) {
    throw new ApiError('calendar_connection_invalid', production ? 'baseUrl must be an https:// URL' : 'baseUrl must be an https:// URL (http:// only for a loopback address)');
  }
  if (url.username || url.password || url.search || url.hash) throw new ApiError('calendar_connection_invalid', 'baseUrl must not carry credentials, a query or a fragment');
  return url.toString().replace(/\/+$/, '');
}

/** The account of `apiKey` at `baseUrl`; 422 calendar_connection_invalid when Cal.com refuses it or cannot be reached. */
export async function verifyKey(client: CalcomClient): Promise<CalcomMe> {
  try {
    const me = await client.me();
    if (!Number.isInteger(me?.id)) throw new ApiError('calendar_connection_invalid', 'Cal.com answered GET /v2/me without an account id');
    return me;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof CalcomError && (error.status === 401 || error.status === 403)) {
      throw new ApiError('calendar_connection_invalid', 'Cal.com refused the API key (GET /v2/me)');
    }
    throw new ApiError('calendar_connection_invalid', 'Cal.com could not be reached at this baseUrl with this key (GET /v2/me failed)');
  }
}

export function webhookUrlOf(ctx: RouteContext, connectionId: string): string {
  return `${ctx.deps.config.publicBaseUrl}/v1/webhooks/calcom/${connectionId}`;
}

/** Registers our webhook with a fresh secret; null when Cal.com refused (reconciliation still repairs). */
export async function registerWebhook(ctx: RouteContext, client: CalcomClient, connectionId: string): Promise<{ webhookId: string; secret: string } | null> {
  const secret = randomBytes(32).toString('hex');
  try {
    const webhook = await client.createWebhook({ subscriberUrl: webhookUrlOf(ctx, connectionId), triggers: WEBHOOK_TRIGGERS, active: true, secret });
    return { webhookId: webhook.id, secret };
  } catch (error) {
    ctx.deps.logger.warn({ connectionId, err: error instanceof CalcomError ? error.kind : 'unknown' }, 'calendar connection: webhook registration failed');
    return null;
  }
}

export function clientOf(ctx: RouteContext, connection: Pick<CalendarConnection, 'id' | 'baseUrl' | 'apiKeyEnc' | 'keyVersion'>): CalcomClient {
  return calendarConnectionsOf(ctx.deps).clientFor(connection);
}

/** What the account knows: its owner, its event types and their hosts. */
async function accountCatalog(client: CalcomClient, accountId: number): Promise<{ users: Set<number>; eventTypes: Set<number> }> {
  try {
    const eventTypes = await client.listEventTypes();
    const users = new Set<number>([accountId]);
    for (const e of eventTypes) for (const h of e.hosts ?? []) users.add(h.userId);
    return { users, eventTypes: new Set(eventTypes.map((e) => e.id)) };
  } catch {
    throw new ApiError('dependency_unavailable', 'Cal.com could not be asked which users and event types the account has', { dependency: 'calendar' });
  }
}

/**
 * A staff member's or service's Cal.com id must belong to the account of the branch's connection
 * (422 calendar_link_invalid otherwise, also when the branch has no connection). null unlinks.
 */
export async function checkCalendarLink(
  ctx: RouteContext,
  branch: { calendarConnectionId: string | null; companyId: string },
  link: { kind: 'user' | 'eventType'; id: number | null | undefined; field: string },
): Promise<void> {
  if (link.id === null || link.id === undefined) return;
  if (!branch.calendarConnectionId) {
    throw new ApiError('calendar_link_invalid', `${link.field} needs a branch with a calendar connection (set calendarConnectionId on the branch first)`);
  }
  const connection = await ctx.deps.db.calendarConnection.findFirst({ where: { id: branch.calendarConnectionId, companyId: branch.companyId } });
  if (!connection) throw new ApiError('calendar_link_invalid', `${link.field} needs a branch with a calendar connection`);
  const catalog = await accountCatalog(clientOf(ctx, connection), connection.accountId);
  const known = link.kind === 'user' ? catalog.users.has(link.id) : catalog.eventTypes.has(link.id);
  if (!known) throw new ApiError('calendar_link_invalid', `${link.field} ${link.id} is not known to the branch's Cal.com account`);
}
