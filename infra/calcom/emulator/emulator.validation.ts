/**
 * Request-body checks with class-validator-style messages, as Cal.com's DTO pipe produces them
 * (400, `details.message` is the list of failures). Only the fields the emulator serves.
 */
import { badRequest } from './emulator.errors';
import type { CalcomCreateBookingInput, CalcomRescheduleInput } from '../calcom.types';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Json = Record<string, unknown>;

export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO.test(value) && !Number.isNaN(Date.parse(value));
}

export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function asObject(body: unknown): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(['body must be an object']);
  return body as Json;
}

function checkMetadata(metadata: unknown, errors: string[]): void {
  if (metadata === undefined) return;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    errors.push('metadata must be an object');
    return;
  }
  const entries = Object.entries(metadata as Json);
  if (entries.length > 50) errors.push('metadata must have at most 50 keys');
  for (const [key, value] of entries) {
    if (key.length > 40) errors.push(`metadata key "${key.slice(0, 40)}…" must be at most 40 characters`);
    if (typeof value === 'string' && value.length > 500) errors.push(`metadata value of "${key}" must be at most 500 characters`);
  }
}

export function parseCreateBooking(body: unknown): CalcomCreateBookingInput {
  const input = asObject(body);
  const errors: string[] = [];
  if (!isIsoInstant(input.start)) errors.push('start must be a valid ISO 8601 date string');
  const eventTypeId = input.eventTypeId;
  if (eventTypeId === undefined) {
    errors.push('Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided');
  } else if (!Number.isInteger(eventTypeId) || (eventTypeId as number) < 1) {
    errors.push('eventTypeId must be a positive integer');
  }
  const attendee = input.attendee as Json | undefined;
  if (!attendee || typeof attendee !== 'object' || Array.isArray(attendee)) {
    errors.push('attendee must be an object');
  } else {
    if (typeof attendee.name !== 'string' || attendee.name.trim() === '') errors.push('attendee.name must be a string');
    if (!isTimeZone(attendee.timeZone)) errors.push('attendee.timeZone must be a valid IANA time zone');
    if (attendee.email !== undefined && (typeof attendee.email !== 'string' || !EMAIL.test(attendee.email))) errors.push('attendee.email must be an email');
  }
  if (input.guests !== undefined && (!Array.isArray(input.guests) || input.guests.some((g) => typeof g !== 'string' || !EMAIL.test(g)))) {
    errors.push('each value in guests must be an email');
  }
  if (input.lengthInMinutes !== undefined && (!Number.isInteger(input.lengthInMinutes) || (input.lengthInMinutes as number) < 1)) {
    errors.push('lengthInMinutes must not be less than 1');
  }
  const routing = input.routing as Json | undefined;
  if (routing !== undefined && (!routing || !Array.isArray(routing.teamMemberIds) || routing.teamMemberIds.some((id) => !Number.isInteger(id)))) {
    errors.push('routing.teamMemberIds must be an array of integers');
  }
  checkMetadata(input.metadata, errors);
  if (errors.length > 0) throw badRequest(errors);
  return input as unknown as CalcomCreateBookingInput;
}

export function parseReschedule(body: unknown): CalcomRescheduleInput {
  const input = asObject(body);
  const errors: string[] = [];
  if (!isIsoInstant(input.start)) errors.push('start must be a valid ISO 8601 date string');
  if (input.rescheduledBy !== undefined && (typeof input.rescheduledBy !== 'string' || !EMAIL.test(input.rescheduledBy))) {
    errors.push('rescheduledBy must be an email');
  }
  if (input.reschedulingReason !== undefined && typeof input.reschedulingReason !== 'string') errors.push('reschedulingReason must be a string');
  if (errors.length > 0) throw badRequest(errors);
  return input as unknown as CalcomRescheduleInput;
}

export function parseCancel(body: unknown): { cancellationReason?: string } {
  const input = body === undefined ? {} : asObject(body);
  if (input.cancellationReason !== undefined && typeof input.cancellationReason !== 'string') {
    throw badRequest(['cancellationReason must be a string']);
  }
  return { cancellationReason: input.cancellationReason as string | undefined };
}
