/**
 * Which channel reaches a customer (API.md "The booking after confirmation"): email when the
 * customer has an address, else SMS to the phone number (phone-only customers get every kind of
 * message by SMS), else nothing (the outbox records the message as skipped, on email).
 * Reminders go out on each of the branch's channels the customer can be reached on; a phone-only
 * customer whose branch reminds by email only gets the reminder by SMS instead.
 */
import type { Channel } from './lifecycle-schedule';

export interface Contact {
  email: string | null;
  phone: string | null;
}

export interface Delivery {
  channel: Channel;
  /** Email address or E.164 number; null: the customer has none (recorded as skipped). */
  to: string | null;
}

export function messageDelivery(contact: Contact): Delivery {
  if (contact.email) return { channel: 'email', to: contact.email };
  if (contact.phone) return { channel: 'sms', to: contact.phone };
  return { channel: 'email', to: null };
}

export function reminderDeliveries(channels: readonly Channel[], contact: Contact): Delivery[] {
  const reachable = channels.flatMap((channel): Delivery[] => {
    const to = channel === 'email' ? contact.email : contact.phone;
    return to ? [{ channel, to }] : [];
  });
  if (reachable.length > 0) return reachable;
  if (!contact.email && contact.phone) return [{ channel: 'sms', to: contact.phone }];
  // Not reachable on any configured channel: one skipped row per channel, so the list shows why.
  return channels.map((channel) => ({ channel, to: null }));
}
