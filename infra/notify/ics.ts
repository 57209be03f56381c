/** iCalendar (RFC 5545) documents for appointment emails. */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface IcsEvent {
  /** Stable per booking, so a reschedule or cancellation updates the same calendar entry. */
  uid: string;
  /** Increases with every change of the booking (e.g. rescheduledCount, +1 on cancel). */
  sequence: number;
  start: string;
  end: string;
  summary: string;
  description: string;
  location?: string;
  cancelled?: boolean;
}

export function buildIcs(event: IcsEvent): { content: string; method: 'REQUEST' | 'CANCEL' } {
  const method = event.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST;
  const calendar = ical({ prodId: { company: 'booking-backend', product: 'appointments' }, method });
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    start: new Date(event.start),
    end: new Date(event.end),
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: event.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return { content: calendar.toString(), method: event.cancelled ? 'CANCEL' : 'REQUEST' };
}
