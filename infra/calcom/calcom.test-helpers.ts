/**
 * Test helpers for suites that drive the Cal.com emulator over HTTP: control calls and a
 * ready-made create input. Not imported by production code.
 */
import type { CalcomBooking, CalcomCreateBookingInput } from './calcom.types';

export async function control<T = unknown>(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/__control/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function controlBookings(baseUrl: string): Promise<CalcomBooking[]> {
  return (await control<{ data: CalcomBooking[] }>(baseUrl, 'GET', 'bookings')).body.data;
}

export function bookingInput(overrides: Partial<CalcomCreateBookingInput> = {}): CalcomCreateBookingInput {
  return {
    start: '2050-09-05T09:00:00Z',
    eventTypeId: 11,
    lengthInMinutes: 60,
    attendee: { name: 'Ada Lovelace', email: 'ada@example.test', timeZone: 'Europe/Rome' },
    metadata: { bookingId: 'bk_1' },
    routing: { teamMemberIds: [101] },
    ...overrides,
  };
}
