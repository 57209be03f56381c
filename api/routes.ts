/**
 * The route index: every route group of the API, in registration order. Adding a group is one
 * import and one entry here (see api/app-deps.ts for the RouteGroup contract).
 */
import type { RouteGroup } from './app-deps';
import { adminRoutes } from './admin/admin.routes';
import { apiKeysRoutes } from './api-keys/api-keys.routes';
import { branchesRoutes } from './branches/branches.routes';
import { resourcesRoutes } from './resources/resources.routes';
import { staffRoutes } from './staff/staff.routes';
import { timeOffRoutes } from './staff/time-off.routes';
import { servicesRoutes } from './services/services.routes';
import { customersRoutes } from './customers/customers.routes';
import { availabilityRoutes } from './availability/availability.routes';
import { seriesRoutes } from './series/series.routes';
import { waitingListRoutes } from './waiting-list/waiting-list.routes';
import { analyticsRoutes } from './analytics/analytics.routes';
import { bookingsRoutes } from './bookings/bookings.routes';
import { reservationsRoutes } from './reservations/reservations.routes';
import { syncFailuresRoutes } from './sync-failures/sync-failures.routes';
import { calendarConnectionsRoutes } from './calendar-connections/calendar-connections.routes';
import { webhookEndpointsRoutes } from './webhook-endpoints/webhook-endpoints.routes';
import { calendarWebhooksRoutes } from './calendar-webhooks/calendar-webhooks.routes';
import { publicBookingsRoutes } from './public-bookings/public-bookings.routes';
import { reviewsRoutes } from './reviews/reviews.routes';

export const routeGroups: RouteGroup[] = [
  adminRoutes,
  apiKeysRoutes,
  branchesRoutes,
  resourcesRoutes,
  staffRoutes,
  timeOffRoutes,
  servicesRoutes,
  customersRoutes,
  availabilityRoutes,
  seriesRoutes,
  waitingListRoutes,
  analyticsRoutes,
  bookingsRoutes,
  reservationsRoutes,
  syncFailuresRoutes,
  calendarConnectionsRoutes,
  webhookEndpointsRoutes,
  calendarWebhooksRoutes,
  publicBookingsRoutes,
  reviewsRoutes,
  // availability, bookings, sync-failures, series, waiting-list, analytics: one line each here.
];
