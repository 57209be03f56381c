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
import type { SmsSender } from '../infra/notify/sms';
import type { SelfServiceLinkConfig } from '../infra/self-service/links';
import type { BookingPlanner } from './booking-activity.types';
import { createApprovalActivities } from './approval.activities';
import { createBookingChangeActivities } from './booking-change.activities';
import { createBookingPlanner } from './booking-planner';
import { createBookingActivities } from './booking.activities';
import { createCalendarActivities } from './calendar.activities';
import { createCalendarInboundActivities } from './calendar-inbound.activities';
import { createCalendarReconcileActivities } from './calendar-reconcile.activities';
import { createLifecycleActivities } from './lifecycle.activities';
import { createNotificationActivities } from './notification.activities';
import { createReservationActivities } from './reservation.activities';
import { createRescheduleClaimActivities } from './reschedule-claim.activities';
import { createSeriesActivities } from './series.activities';
import { createSweeperActivities } from './sweeper.activities';
import { createSyncFailureActivities } from './sync-failure.activities';
import { createWaitlistActivities } from './waitlist.activities';
import { createWaitlistFanOutActivities } from './waitlist-fanout.activities';
import { createNotificationRelayActivities } from './notification-relay.activities';
import { createReviewRequestActivities } from './review-request.activities';
import { createWebhookActivities } from './webhook.activities';
import { createWebhookSender, type WebhookSender } from '../infra/webhooks/webhook-sender';

export interface ActivityDeps {
  db: Db;
  /** Cal.com clients per calendar connection (each company's own account). */
  connections: CalcomConnections;
  cache: { invalidateBranch(branchId: string): Promise<void> };
  mailer: Mailer;
  /** The SMS provider; undefined: none configured (SMS notifications are recorded as skipped). */
  sms?: SmsSender;
  /** Secret and origin of the self-service links (`PUBLIC_BASE_URL/b/<token>`) in messages; undefined: no links. */
  selfService?: SelfServiceLinkConfig;
  clock?: () => Date;
  /** Pace of reconciliation's Cal.com requests per connection (default 60/min of Cal.com's 120 per key). */
  calendarRequestsPerMinute?: number;
  /** Defaults to the database-backed planner over the pure scheduling core. */
  planner?: BookingPlanner;
  /** Outbound webhooks; the default enforces the production address rule (public https only). */
  webhookSender?: WebhookSender;
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
  const notifications = createNotificationActivities({ db: deps.db, mailer: deps.mailer, sms: deps.sms, selfService: deps.selfService });
  return {
    ...createBookingActivities({ db: deps.db, planner, cache, clock }),
    ...createBookingChangeActivities({ db: deps.db, planner, clock, cache }),
    ...createRescheduleClaimActivities({ db: deps.db }),
    ...createApprovalActivities({ db: deps.db, cache }),
    ...createSyncFailureActivities({ db: deps.db }),
    ...createCalendarActivities({ connections: deps.connections, db: deps.db }),
    ...createCalendarInboundActivities({ db: deps.db, cache, clock }),
    ...createCalendarReconcileActivities({ db: deps.db, connections: deps.connections, cache, clock, requestsPerMinute: deps.calendarRequestsPerMinute }),
    ...notifications,
    ...createReviewRequestActivities({ db: deps.db, sendBookingNotification: notifications.sendBookingNotification }),
    ...createLifecycleActivities({ db: deps.db }),
    ...createSeriesActivities({ db: deps.db, clock }),
    ...createReservationActivities({ db: deps.db }),
    ...createSweeperActivities({ db: deps.db, connections: deps.connections, clock }),
    ...createWaitlistFanOutActivities({ db: deps.db, clock }),
    ...createNotificationRelayActivities({ db: deps.db, mailer: deps.mailer, sms: deps.sms }),
    ...createWebhookActivities({ db: deps.db, secrets: deps.connections.secrets, sender: deps.webhookSender ?? defaultSender(), clock }),
    ...createWaitlistActivities({ db: deps.db, clock, sendWaitlistOffer: notifications.sendWaitlistOffer }),
  };
}

let strictSender: WebhookSender | undefined;
const defaultSender = () => (strictSender ??= createWebhookSender({ policy: { enforce: true } }));

export type Activities = ReturnType<typeof createActivities>;
