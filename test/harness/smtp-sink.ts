/**
 * Reading what the services mailed: the test SMTP sink's HTTP API (GET /messages?to=) and the
 * .ics invite attached to a message, parsed by node-ical as a calendar client would.
 */
import ical from 'node-ical';
import { testEnv } from './env';

export interface SinkMessage {
  subject: string;
  text: string;
  /** The HTML part; null when the mail has none. */
  html: string | null;
  to: string[];
  attachments: Array<{ filename: string | null; contentType: string; content: string }>;
}

/** Every message the sink holds for `to`, oldest first. */
export async function inbox(to: string): Promise<SinkMessage[]> {
  const res = await fetch(`${testEnv().smtpSinkApiUrl}/messages?to=${encodeURIComponent(to)}`);
  if (!res.ok) throw new Error(`SMTP sink answered ${res.status} for the messages of ${to}`);
  return ((await res.json()) as { data: SinkMessage[] }).data;
}

/** The message's invite.ics: exactly one VEVENT, and the calendar's METHOD. */
export function parseInvite(message: SinkMessage): { event: ical.VEvent; method: string | undefined } {
  const attachment = message.attachments.find((a) => a.filename === 'invite.ics');
  expect(attachment).toBeDefined();
  expect(attachment!.contentType).toMatch(/^text\/calendar/);
  const parsed = ical.sync.parseICS(attachment!.content);
  const events = Object.values(parsed).filter((c) => c.type === 'VEVENT') as ical.VEvent[];
  expect(events).toHaveLength(1);
  const calendar = Object.values(parsed).find((c) => c.type === 'VCALENDAR') as { method?: string } | undefined;
  return { event: events[0], method: calendar?.method };
}
