/**
 * Wire types of the Cal.com API v2 bookings family (`cal-api-version: 2024-08-13`), shared by the
 * client and the emulator, plus the client's own input/output types. Field names are Cal.com's;
 * all instants are ISO-8601 UTC strings (Cal.com answers with milliseconds: `...:00.000Z`).
 */

export const CALCOM_BOOKINGS_API_VERSION = '2024-08-13';
/** Event types (`/v2/event-types`). */
export const CALCOM_EVENT_TYPES_API_VERSION = '2024-06-14';

/** `GET /v2/me`: the account the key belongs to. */
export interface CalcomMe {
  id: number;
  email: string;
  username?: string;
  name?: string;
  timeZone?: string;
}

/** The parts of an event type the service reads (team event types list their hosts). */
export interface CalcomEventType {
  id: number;
  slug?: string;
  lengthInMinutes?: number;
  hosts?: Array<{ userId: number; name?: string }>;
}

export interface CalcomWebhook {
  id: string;
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
}

export interface CalcomCreateWebhookInput {
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
  secret: string;
}
/** Newest bookings version: same DTOs for what we use (adds host-only bypass flags). */
export const CALCOM_BOOKINGS_API_VERSION_NEWEST = '2026-02-25';

export type CalcomBookingStatus = 'accepted' | 'pending' | 'cancelled' | 'rejected';

export interface CalcomHost {
  id: number;
  name: string;
  email: string;
  username: string;
  timeZone: string;
}

export interface CalcomAttendee {
  name: string;
  email: string;
  timeZone: string;
  language?: string;
  absent: boolean;
  phoneNumber?: string;
}

/** `BookingOutput_2024_08_13`. Optional fields are omitted (not null) when unset. */
export interface CalcomBooking {
  id: number;
  uid: string;
  title: string;
  description: string;
  hosts: CalcomHost[];
  status: CalcomBookingStatus;
  cancellationReason?: string;
  cancelledByEmail?: string;
  reschedulingReason?: string;
  rescheduledByEmail?: string;
  /** On the new booking of a reschedule. */
  rescheduledFromUid?: string;
  /** On the old (cancelled) booking of a reschedule. */
  rescheduledToUid?: string;
  start: string;
  end: string;
  duration: number;
  /** Deprecated by Cal.com in favour of eventType.id, still always present. */
  eventTypeId: number;
  eventType: { id: number; slug: string };
  location: string;
  meetingUrl?: string;
  absentHost: boolean;
  createdAt: string;
  updatedAt: string;
  metadata?: Record<string, string>;
  icsUid?: string;
  attendees: CalcomAttendee[];
  guests?: string[];
  bookingFieldsResponses: Record<string, unknown>;
}

export interface CalcomPagination {
  totalItems: number;
  remainingItems: number;
  returnedItems: number;
  itemsPerPage: number;
  currentPage: number;
  totalPages: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface CalcomSuccess<T> {
  status: 'success';
  data: T;
  pagination?: CalcomPagination;
}

/** Nest `HttpExceptionFilter` / `PrismaExceptionFilter` envelope. */
export interface CalcomErrorEnvelope {
  status: 'error';
  timestamp: string;
  path: string;
  error: {
    code: string;
    message: string;
    details?: { message: string | string[]; error?: string; statusCode: number };
  };
}

/** Raw core-library `HttpError` that bypasses the filter (e.g. rescheduling a rejected booking). */
export interface CalcomRawError {
  statusCode: number;
  message: string;
}

export interface CalcomCreateAttendee {
  name: string;
  timeZone: string;
  email?: string;
  phoneNumber?: string;
  language?: string;
}

/** `CreateBookingInput_2024_08_13` (the subset this service sends). */
export interface CalcomCreateBookingInput {
  /** ISO-8601 UTC. */
  start: string;
  eventTypeId: number;
  attendee: CalcomCreateAttendee;
  guests?: string[];
  /** At most 50 keys, keys ≤ 40 chars, string values ≤ 500 chars. Put our booking id here. */
  metadata?: Record<string, string>;
  /** Only for event types with several durations; defaults to the event length. */
  lengthInMinutes?: number;
  bookingFieldsResponses?: Record<string, unknown>;
  location?: { type: string; [key: string]: unknown };
  /** Routing result; `teamMemberIds` pins the host (Cal.com user id) of a team event. */
  routing?: { teamMemberIds: number[]; responseId?: number };
}

/** `RescheduleBookingInput_2024_08_13`. */
export interface CalcomRescheduleInput {
  start: string;
  rescheduledBy?: string;
  reschedulingReason?: string;
}

export type CalcomListStatus = 'upcoming' | 'recurring' | 'past' | 'cancelled' | 'unconfirmed';

/** Query of `GET /v2/bookings` (2024-08-13). */
export interface CalcomListBookingsFilter {
  status?: CalcomListStatus[];
  attendeeEmail?: string;
  attendeeName?: string;
  bookingUid?: string;
  eventTypeIds?: number[];
  eventTypeId?: number;
  afterStart?: string;
  beforeEnd?: string;
  afterCreatedAt?: string;
  beforeCreatedAt?: string;
  sortStart?: 'asc' | 'desc';
  sortCreated?: 'asc' | 'desc';
  take?: number;
  skip?: number;
}

export interface CalcomBookingPage {
  bookings: CalcomBooking[];
  pagination: CalcomPagination;
}

/** Finds the booking the service made, by the id it put in `metadata`. */
export interface CalcomMetadataQuery {
  key: string;
  value: string;
  /** Narrowing filters sent to Cal.com (the metadata match itself is done client-side). */
  eventTypeId?: number;
  attendeeEmail?: string;
  afterStart?: string;
  beforeEnd?: string;
  /** Default false: only accepted/pending bookings are returned. */
  includeCancelled?: boolean;
}

export interface CalcomBusyTimesQuery {
  /** Cal.com user ids (staff.calcomUserId). */
  userIds: number[];
  from: string;
  to: string;
  /** Pending bookings do not block a slot in Cal.com by default. */
  includePending?: boolean;
  /** Cal.com uids to ignore (e.g. the service's own bookings). */
  excludeUids?: string[];
}

export interface CalcomBusyTime {
  userId: number;
  start: string;
  end: string;
  bookingUid: string;
  status: CalcomBookingStatus;
}
