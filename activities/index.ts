/**
 * All activities of the booking worker, built from injected dependencies (the worker is the only
 * composition root). Workflows import `type Activities` only. Activity names are a durable API:
 * renaming one breaks running executions.
 */
import type { CalcomConnections } from '../infra/calcom/calcom.connections';
import { connectionClientResolver, createExternalBusySource } from '../infra/calcom/external-busy';
import type { Db } from '../infra/db/prisma';
import { withLinkedBranches } from '../infra/db/staff-branches.repository';
import type { Mailer } from '../infra/notify/mailer';
import type { BookingPlanner } from './booking-activity.types';
import { createApprovalActivities } from './approval.activities';
import { createBookingChangeActivities } from './booking-change.activities';
import { createBookingPlanner } from './booking-planner';
import { createBookingActivities } from './booking.activities';
import { createCalendarActivities } from './calendar.activities';
import { createCalendarInboundActivities } from './calendar-inbound.activities';
import { createLifecycleActivities } from './lifecycle.activities';
import { createNotificationActivities } from './notification.activities';
import { createReservationActivities } from './reservation.activities';
import { createSeriesActivities } from './series.activities';
import { createSweeperActivities } from './sweeper.activities';
import { createSyncFailureActivities } from './sync-failure.activities';
import { createWaitlistActivities } from './waitlist.activities';
import { createWaitlistFanOutActivities } from './waitlist-fanout.activities';
import { createNotificationRelayActivities } from './notification-relay.activities';

export interface ActivityDeps {
  db: Db;
  /** Cal.com clients per calendar connection (each company's own account). */
  connections: CalcomConnections;
  cache: { invalidateBranch(branchId: string): Promise<void> };
  mailer: Mailer;
  clock?: () => Date;
  /** Defaults to the database-backed planner over the pure scheduling core. */
  planner?: BookingPlanner;
}

/** Cal.com outages on the booking path are stated by the availability answers; the planner just plans on local data. */
const silentBusyLogger = { info: () => undefined, warn: () => undefined };

export function createActivities(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());
  // Staff working in several branches: a change in one branch reaches the linked branches' caches.
  const cache = withLinkedBranches(deps.cache, deps.db);
  // The linked staff's Cal.com busy times block plans and alternatives (one cached source per worker).
  const externalBusy = createExternalBusySource({ clientFor: connectionClientResolver(deps.db, deps.connections), logger: silentBusyLogger });
  const planner = deps.planner ?? createBookingPlanner({ db: deps.db, clock, externalBusy });
  return {
    ...createBookingActivities({ db: deps.db, planner, cache, clock }),
    ...createBookingChangeActivities({ db: deps.db, planner, clock, cache }),
    ...createApprovalActivities({ db: deps.db, cache }),
    ...createSyncFailureActivities({ db: deps.db }),
    ...createCalendarActivities({ connections: deps.connections, db: deps.db }),
    ...createCalendarInboundActivities({ db: deps.db, cache, clock }),
    ...createNotificationActivities({ db: deps.db, mailer: deps.mailer }),
    ...createLifecycleActivities({ db: deps.db }),
    ...createSeriesActivities({ db: deps.db, clock }),
    ...createReservationActivities({ db: deps.db }),
    ...createSweeperActivities({ db: deps.db, connections: deps.connections, clock }),
    ...createWaitlistFanOutActivities({ db: deps.db, clock }),
    ...createNotificationRelayActivities({ db: deps.db, mailer: deps.mailer }),
    ...createWaitlistActivities({ db: deps.db, clock, sendWaitlistOffer: createNotificationActivities({ db: deps.db, mailer: deps.mailer }).sendWaitlistOffer }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
