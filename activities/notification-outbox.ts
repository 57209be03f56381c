/**
 * The notifications outbox, shared by the send activities (notification.activities.ts) and the
 * relay (notification-relay.activities.ts). Every message, email or SMS, is a row before it is
 * sent; the row holds what the relay needs to send it again (channel, recipient, subject, text,
 * HTML part, calendar invite).
 *
 * Once per step: the row's unique dedupeKey (derived by the caller from workflow id and step)
 * makes a retried activity a no-op once the message went out, so a customer never gets the same
 * message twice from one step.
 *
 * Overlapping attempts: the attempt that sends holds the row for SEND_LEASE_MS (`claimed_until`).
 * A retry that starts while an earlier attempt may still be talking to the SMTP server or the SMS
 * provider (Temporal timed it out, the process goes on) finds the claim and is retried when the
 * lease ends, by then finding the row `sent` or free. The lease outlasts both senders' own
 * timeouts (infra/notify/mailer.ts, infra/notify/sms.ts), so only a message whose transaction
 * ended in doubt (accepted but never recorded) can go twice.
 *
 * A provider's permanent refusal (an SMS provider's 4xx other than 408/429, e.g. an invalid
 * number) marks the row `failed` at once: retrying cannot help.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Channel } from '../domain/notifications/lifecycle-schedule';
import type { Db } from '../infra/db/prisma';
import { newId } from '../infra/db/ids';
import { MAILER_WORST_CASE_MS, type Mailer } from '../infra/notify/mailer';
import { SMS_TIMEOUT_MS, SmsRejected, type SmsSender } from '../infra/notify/sms';

/** How long a send attempt holds its outbox row: longer than either sender can take for one message. */
export const SEND_LEASE_MS = Math.max(MAILER_WORST_CASE_MS, SMS_TIMEOUT_MS) + 30_000;

export interface Senders {
  mailer: Mailer;
  /** undefined: no SMS provider configured (SMS messages are recorded as skipped). */
  sms?: SmsSender;
}

export interface OutboxMessage {
  channel: Channel;
  subject: string;
  /** The text part of a mail, or the SMS text. */
  body: string;
  html?: string | null;
  ics?: { content: string; method: 'REQUEST' | 'CANCEL' | 'PUBLISH' } | null;
}

export interface OutboxRow {
  companyId: string;
  bookingId?: string;
  customerId: string;
  kind: string;
  dedupeKey: string;
}

export type NotificationOutcome = { status: 'sent' | 'skipped' | 'already_sent'; notificationId: string };

/** Sends one message on its channel; throws what the sender threw. */
export async function transmit(senders: Senders, to: string, message: OutboxMessage): Promise<void> {
  if (message.channel === 'sms') {
    if (!senders.sms) throw new Error('no SMS provider configured (SMS_URL)');
    await senders.sms.send({ to, body: message.body });
    return;
  }
  await senders.mailer.send({ to, subject: message.subject, text: message.body, html: message.html ?? undefined, ics: message.ics ?? undefined });
}

/** A refusal that a retry cannot change (the provider's 4xx, except request timeout and rate limit). */
export function isPermanentSendFailure(err: unknown): boolean {
  return err instanceof SmsRejected && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

const errorText = (err: unknown): string => String((err as Error)?.message ?? err);

export function createOutbox({ db, ...senders }: Senders & { db: Db }) {
  /** The row exists and is not ours to send: done already, or an overlapping attempt holds it. */
  async function notOurs(dedupeKey: string): Promise<NotificationOutcome> {
    const [existing] = await db.$queryRaw<{ id: string; status: string; waitMs: number }[]>`
      SELECT id, status, GREATEST(0, CEIL(EXTRACT(EPOCH FROM (claimed_until - now())) * 1000))::int AS "waitMs"
      FROM notifications WHERE dedupe_key = ${dedupeKey}`;
    if (existing.status !== 'pending') return { status: 'already_sent', notificationId: existing.id };
    throw ApplicationFailure.create({
      type: 'NotificationInFlight',
      message: `notification ${existing.id} is being sent by an overlapping attempt; retry when its claim ends`,
      nextRetryDelay: existing.waitMs + 1_000,
    });
  }

  return {
    /**
     * Records the message (or claims its free `pending` row) and sends it to `recipient`. No
     * recipient, or an SMS without a provider: the row is `skipped` and nothing is sent.
     */
    async deliver(row: OutboxRow, recipient: string | null, message: OutboxMessage): Promise<NotificationOutcome> {
      const sendable = recipient !== null && (message.channel === 'email' || senders.sms !== undefined);
      const skipReason = recipient === null ? null : sendable ? null : 'no SMS provider configured';
      const lease = `${SEND_LEASE_MS} milliseconds`;
      const ics = message.ics ? JSON.stringify(message.ics) : null;
      // One statement creates the outbox row or claims a free `pending` one; a row it may not take
      // (sent, skipped, failed, or claimed by an overlapping attempt) is not returned and is read below.
      const [outbox] = await db.$queryRaw<{ id: string; status: string }[]>`
        INSERT INTO notifications (id, company_id, booking_id, customer_id, channel, kind, recipient, subject, body, html, ics, dedupe_key, status, error, claimed_until)
        VALUES (${newId('ntf')}, ${row.companyId}, ${row.bookingId ?? null}, ${row.customerId}, ${message.channel}, ${row.kind}, ${recipient},
          ${message.subject}, ${message.body}, ${message.html ?? null}, ${ics}::jsonb, ${row.dedupeKey}, ${sendable ? 'pending' : 'skipped'}, ${skipReason},
          CASE WHEN ${sendable} THEN now() + ${lease}::interval ELSE NULL END)
        ON CONFLICT (dedupe_key) DO UPDATE SET claimed_until = now() + ${lease}::interval
          WHERE notifications.status = 'pending' AND (notifications.claimed_until IS NULL OR notifications.claimed_until <= now())
        RETURNING id, status`;
      if (!outbox) return notOurs(row.dedupeKey);
      if (outbox.status === 'skipped' || !recipient) return { status: 'skipped', notificationId: outbox.id };
      try {
        await transmit(senders, recipient, message);
      } catch (err) {
        const permanent = isPermanentSendFailure(err);
        // The claim goes with the failure, so the retry may send at once.
        await db.$executeRaw`
          UPDATE notifications SET attempts = attempts + 1, error = ${errorText(err)}, claimed_until = NULL,
            status = CASE WHEN ${permanent} THEN 'failed' ELSE status END
          WHERE id = ${outbox.id}`;
        const what = `${message.channel === 'sms' ? 'SMS' : 'email'} to customer failed: ${errorText(err)}`;
        if (permanent) throw ApplicationFailure.nonRetryable(what, 'NotificationRejected');
        throw ApplicationFailure.retryable(what, 'NotificationSendFailed');
      }
      await db.$executeRaw`
        UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, error = NULL, claimed_until = NULL WHERE id = ${outbox.id}`;
      return { status: 'sent', notificationId: outbox.id };
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
