/**
 * The notification relay (issue 12, "mail is never lost"): a notification whose sends all failed
 * (its saga's retries are bounded, ~8 s) stays `pending` in the outbox; the relay, run every
 * minute by the `notification-relay` Schedule, sends it again with backoff (a quarter of the
 * row's age, at least 1 min, at most 1 h: quick after a short outage, hourly after a long one)
 * until it is sent, and after 72 hours marks it `failed` with the
 * last error, where support sees it. The claim/lease of notification.activities.ts stays the one
 * guard against a second mail: the relay claims a row exactly as a send attempt does, so a saga
 * attempt and the relay never send the same row at once.
 * Every channel: a mail is resent with its stored subject, text, HTML part and calendar invite, an
 * SMS with its stored text (the row's `channel`). A provider's permanent refusal (see
 * notification-outbox.ts) marks the row `failed` at once.
 * A relay claims only the channels it can send: one without an SMS provider leaves SMS rows to a
 * relay that has one (or to the 72-hour expiry), instead of spending their attempts.
 */
import type { Db } from '../infra/db/prisma';
import { isPermanentSendFailure, SEND_LEASE_MS, transmit, type OutboxMessage, type Senders } from './notification-outbox';

export const RELAY_GIVE_UP_MS = 72 * 3_600_000;
/** A row this young is still its saga's business (its own retries run for ~8 s). */
export const RELAY_MIN_AGE_MS = 60_000;
const BASE_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

/** Delay before the next try of a row `ageMs` old: a quarter of its age, within [base, max]. */
export function relayBackoffMs(ageMs: number, baseMs = BASE_BACKOFF_MS, maxMs = MAX_BACKOFF_MS): number {
  return Math.min(maxMs, Math.max(baseMs, Math.round(ageMs / 4)));
}

export interface NotificationRelayDeps extends Senders {
  db: Db;
  /** Tests shorten the waits; production uses the defaults above. */
  timing?: { minAgeMs?: number; baseBackoffMs?: number; maxBackoffMs?: number; giveUpMs?: number };
  /**
   * Only these companies' rows. Production runs one relay for every company (undefined); test
   * files that run relays side by side on one database each keep to their own company.
   */
  companyIds?: string[];
}

export interface RelayResult {
  sent: number;
  retryLater: number;
  failed: number;
}

interface DueRow {
  id: string;
  recipient: string;
  channel: OutboxMessage['channel'];
  subject: string;
  body: string;
  html: string | null;
  ics: OutboxMessage['ics'];
  age_ms: number;
}

export function createNotificationRelayActivities({ db, timing = {}, companyIds, ...senders }: NotificationRelayDeps) {
  const channels = senders.sms ? ['email', 'sms'] : ['email'];
  const scoped = companyIds !== undefined;
  const companies = companyIds ?? [];
  const minAge = `${timing.minAgeMs ?? RELAY_MIN_AGE_MS} milliseconds`;
  const giveUp = `${timing.giveUpMs ?? RELAY_GIVE_UP_MS} milliseconds`;
  const lease = `${SEND_LEASE_MS} milliseconds`;
  return {
    /** One relay pass over at most `limit` due rows (oldest first); see the module comment. */
    async relayPendingNotifications({ limit = 100 }: { limit?: number } = {}): Promise<RelayResult> {
      const expired = await db.$executeRaw`
        UPDATE notifications SET status = 'failed', claimed_until = NULL,
          error = 'not sent within 72 hours: ' || COALESCE(error, 'unknown error')
        WHERE status = 'pending' AND created_at < now() - ${giveUp}::interval
          AND (claimed_until IS NULL OR claimed_until <= now())
          AND (NOT ${scoped} OR company_id = ANY(${companies}))`;
      // Claim the due rows in one statement (the same lease a send attempt takes).
      const due = await db.$queryRaw<DueRow[]>`
        UPDATE notifications SET claimed_until = now() + ${lease}::interval
        WHERE id IN (
          SELECT id FROM notifications
          WHERE status = 'pending' AND recipient IS NOT NULL AND created_at <= now() - ${minAge}::interval
            AND (claimed_until IS NULL OR claimed_until <= now()) AND (next_attempt_at IS NULL OR next_attempt_at <= now())
            AND channel = ANY(${channels}) AND (NOT ${scoped} OR company_id = ANY(${companies}))
          ORDER BY created_at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, recipient, channel, subject, body, html, ics, (EXTRACT(EPOCH FROM (now() - created_at)) * 1000)::float8 AS age_ms`;
      const result: RelayResult = { sent: 0, retryLater: 0, failed: expired };
      for (const row of due) {
        try {
          await transmit(senders, row.recipient, { channel: row.channel, subject: row.subject, body: row.body, html: row.html, ics: row.ics });
        } catch (err) {
          const permanent = isPermanentSendFailure(err);
          const wait = relayBackoffMs(Number(row.age_ms), timing.baseBackoffMs, timing.maxBackoffMs);
          await db.$executeRaw`
            UPDATE notifications SET attempts = attempts + 1, error = ${String((err as Error).message ?? err)}, claimed_until = NULL,
              next_attempt_at = now() + ${`${wait} milliseconds`}::interval, status = CASE WHEN ${permanent} THEN 'failed' ELSE status END
            WHERE id = ${row.id}`;
          if (permanent) result.failed += 1;
          else result.retryLater += 1;
          continue;
        }
        await db.$executeRaw`
          UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, error = NULL, claimed_until = NULL, next_attempt_at = NULL
          WHERE id = ${row.id}`;
        result.sent += 1;
      }
      return result;
    },
  };
}

export type NotificationRelayActivities = ReturnType<typeof createNotificationRelayActivities>;
