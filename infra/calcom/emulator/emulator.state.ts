/**
 * The emulated Cal.com's data and booking rules (2024-08-13 semantics, NOTES-calcom §3):
 * - availability is checked per host against ACCEPTED bookings (pending ones do not block), and
 *   a taken slot answers 400, not 409;
 * - the idempotency key (event type + start + end + host) is held by ACCEPTED bookings and cleared
 *   on cancel/reschedule; an exact duplicate answers 409 CONFLICT (Prisma P2002). The emulator
 *   checks the key before availability so exact duplicates are told apart from overlaps; real
 *   Cal.com may answer either 400 or 409 for them, so callers must handle both;
 * - reschedule makes a new booking (new id and uid); the old one becomes cancelled with
 *   rescheduledToUid; rejected bookings leak a raw 404.
 * Accounts (emulator.accounts.ts): a request with an API key sees only its account's bookings and
 * event types (another account's booking or event type is a 404, as in Cal.com); an
 * unauthenticated create books into the account owning the event type. Event types and users of
 * the default account are created on first use; control calls can configure them.
 */
import { randomBytes } from 'node:crypto';
import type { CalcomAttendee, CalcomBooking, CalcomBookingStatus, CalcomCreateBookingInput, CalcomHost } from '../calcom.types';
import { EmulatorHttpError, badRequest, duplicateBooking, notFound } from './emulator.errors';
import { FaultInjector } from './emulator.faults';
import { isIsoInstant, isTimeZone, parseCancel, parseCreateBooking, parseReschedule } from './emulator.validation';
import { filterBookings, type ListResult } from './emulator.list';
import { deliverWebhooks, type DeliveryLogEntry, type WebhookMode } from './emulator.webhooks';
import { DEMO_EVENT_TYPE_IDS, DEMO_USER_IDS, EmulatorAccounts, type EmulatorAccount } from './emulator.accounts';

export interface EmulatorEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
  /** Default hosts when a create does not pin one through routing.teamMemberIds. */
  hostUserIds: number[];
  requiresConfirmation: boolean;
}

interface StoredBooking {
  booking: CalcomBooking;
  hostIds: number[];
  idempotencyKey: string | null;
  external: boolean;
  account: EmulatorAccount;
}

export interface RequestLogEntry {
  at: string;
  operation: string;
  method: string;
  path: string;
  outcome: number | 'dropped';
  fault?: string;
}

export const DEFAULT_EVENT_LENGTH_MINUTES = 30;
export const DEFAULT_HOST_USER_ID = 1;
export const EXTERNAL_EVENT_TYPE_ID = 9000;

const UID_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function newUid(): string {
  const bytes = randomBytes(22);
  return Array.from(bytes, (b) => UID_ALPHABET[b % UID_ALPHABET.length]).join('');
}

const iso = (ms: number) => new Date(ms).toISOString();

export class EmulatorState {
  readonly faults = new FaultInjector();
  readonly requests: RequestLogEntry[] = [];
  private readonly store = new Map<string, StoredBooking>();
  private readonly eventTypes = new Map<number, EmulatorEventType>();
  private readonly users = new Map<number, CalcomHost>();
  private nextId = 1;
  readonly accounts: EmulatorAccounts;
  /** `/__control/webhooks {mode}`: `drop` loses every delivery (a lost webhook), `deliver` sends them. */
  webhookMode: WebhookMode = 'deliver';
  readonly deliveries: DeliveryLogEntry[] = [];

  constructor(
    private readonly clock: () => number = Date.now,
    defaultApiKey = 'cal_test_emulator_key',
  ) {
    this.accounts = new EmulatorAccounts(defaultApiKey);
  }

  now(): number {
    return this.clock();
  }

  reset(): void {
    this.store.clear();
    this.eventTypes.clear();
    this.users.clear();
    this.requests.length = 0;
    this.deliveries.length = 0;
    this.webhookMode = 'deliver';
    // Accounts (and their webhooks) stay: their keys live on in stored calendar connections.
    this.faults.set({ ...this.faults.current, mode: 'none', count: null, latencyMs: 0 });
    this.nextId = 1;
  }

  /** Every booking, oldest first, in Cal.com's shape (copies). */
  allBookings(): CalcomBooking[] {
    return [...this.store.values()].map((s) => structuredClone(s.booking));
  }

  upsertEventType(input: Partial<EmulatorEventType> & { id: number }): EmulatorEventType {
    const current = this.eventType(input.id);
    const next: EmulatorEventType = { ...current, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    this.eventTypes.set(next.id, next);
    return next;
  }

  upsertUser(input: Partial<CalcomHost> & { id: number }): CalcomHost {
    const next = { ...this.user(input.id), ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    this.users.set(next.id, next);
    return next;
  }

  getBooking(uid: string, caller: EmulatorAccount | null = null): CalcomBooking {
    return structuredClone(this.find(uid, caller).booking);
  }

  /** The account's bookings only (listing needs a key). */
  listBookings(query: URLSearchParams, caller: EmulatorAccount | null = null): ListResult {
    const mine = [...this.store.values()].filter((s) => caller === null || s.account === caller);
    return filterBookings(mine.map((s) => s.booking), query, this.now());
  }

  /** `/v2/me`: the account's owner. */
  me(account: EmulatorAccount): Record<string, unknown> {
    const owner = this.user(account.id);
    return { id: account.id, username: account.username, email: account.email, name: owner.name, timeZone: owner.timeZone, weekStart: 'Monday', timeFormat: 24, defaultScheduleId: null, organizationId: null };
  }

  /** The account's event types with their hosts (team event types, 2024-06-14 shape, trimmed). */
  listEventTypes(account: EmulatorAccount): Array<Record<string, unknown>> {
    return account.eventTypeIds.map((id) => this.renderEventType(this.eventType(id)));
  }

  getEventType(id: number, account: EmulatorAccount): Record<string, unknown> {
    if (this.accounts.ownerOfEventType(id) !== account) throw notFound(`Event type with id ${id} not found.`);
    return this.renderEventType(this.eventType(id));
  }

  private renderEventType(e: EmulatorEventType): Record<string, unknown> {
    return {
      id: e.id,
      slug: e.slug,
      title: e.title,
      lengthInMinutes: e.lengthInMinutes,
      schedulingType: 'roundRobin',
      hosts: e.hostUserIds.map((userId) => ({ userId, name: this.user(userId).name, mandatory: false, priority: 'medium' })),
    };
  }

  createBooking(body: unknown, caller: EmulatorAccount | null = null): CalcomBooking {
    const input = parseCreateBooking(body);
    const owner = this.accounts.ownerOfEventType(input.eventTypeId);
    if (caller !== null && caller !== owner) throw notFound(`Event type with id ${input.eventTypeId} not found.`);
    const foreign = (input.routing?.teamMemberIds ?? []).filter((id) => this.accounts.ownerOfUser(id) !== owner);
    if (foreign.length > 0) throw badRequest(`routing.teamMemberIds ${foreign.join(', ')} are not hosts of event type ${input.eventTypeId}`);
    const eventType = this.eventType(input.eventTypeId);
    const start = Date.parse(input.start);
    const lengthMinutes = input.lengthInMinutes ?? eventType.lengthInMinutes;
    const end = start + lengthMinutes * 60_000;
    if (start < this.now()) throw badRequest('Attempting to book a meeting in the past.');
    const candidates = input.routing?.teamMemberIds.length ? input.routing.teamMemberIds : eventType.hostUserIds;
    const hostId = this.pickHost(eventType.id, candidates, start, end, null);
    const status: CalcomBookingStatus = eventType.requiresConfirmation ? 'pending' : 'accepted';
    const stored = this.insert({
      eventType,
      hostIds: [hostId],
      start,
      end,
      status,
      attendees: [toAttendee(input)],
      guests: input.guests,
      metadata: input.metadata,
      bookingFieldsResponses: { name: input.attendee.name, email: input.attendee.email, guests: input.guests ?? [], ...input.bookingFieldsResponses },
      location: locationOf(input),
      account: owner,
    });
    return structuredClone(stored.booking);
  }

  rescheduleBooking(uid: string, body: unknown, caller: EmulatorAccount | null = null): CalcomBooking {
    const old = this.find(uid, caller);
    if (old.booking.status === 'rejected') {
      throw new EmulatorHttpError(404, 'Could not find original booking', 'raw');
    }
    if (old.booking.status === 'cancelled') {
      const successor = old.booking.rescheduledToUid;
      throw badRequest(
        successor
          ? `Can't reschedule booking with uid=${uid} because it has been cancelled and rescheduled already to booking with uid=${successor}. You can reschedule booking with uid=${successor}.`
          : `Can't reschedule booking with uid=${uid} because it has been cancelled. Please provide uid of a booking that is not cancelled.`,
      );
    }
    const input = parseReschedule(body);
    const start = Date.parse(input.start);
    const end = start + old.booking.duration * 60_000;
    if (start < this.now()) throw badRequest('Attempting to book a meeting in the past.');
    const eventType = this.eventType(old.booking.eventTypeId);
    for (const hostId of old.hostIds) this.assertFree(eventType.id, hostId, start, end, old.booking.uid, 'user');
    const next = this.insert({
      eventType,
      hostIds: old.hostIds,
      start,
      end,
      status: old.booking.status,
      attendees: structuredClone(old.booking.attendees),
      guests: old.booking.guests,
      metadata: old.booking.metadata,
      bookingFieldsResponses: structuredClone(old.booking.bookingFieldsResponses),
      location: old.booking.location,
      rescheduledFromUid: old.booking.uid,
      reschedulingReason: input.reschedulingReason,
      rescheduledByEmail: input.rescheduledBy,
      account: old.account,
    });
    old.idempotencyKey = null;
    old.booking.status = 'cancelled';
    old.booking.rescheduledToUid = next.booking.uid;
    old.booking.updatedAt = iso(this.now());
    return structuredClone(next.booking);
  }

  cancelBooking(uid: string, body: unknown, caller: EmulatorAccount | null): CalcomBooking {
    const authenticated = caller !== null;
    const stored = this.find(uid, caller);
    const input = parseCancel(body);
    if (stored.booking.status === 'cancelled') {
      throw new EmulatorHttpError(400, 'This booking has already been cancelled.', 'raw');
    }
    stored.idempotencyKey = null;
    stored.booking.status = 'cancelled';
    if (input.cancellationReason !== undefined) stored.booking.cancellationReason = input.cancellationReason;
    if (authenticated) stored.booking.cancelledByEmail = stored.booking.hosts[0]?.email;
    stored.booking.updatedAt = iso(this.now());
    return structuredClone(stored.booking);
  }

  /**
   * A booking made in Cal.com by someone else (control API): no availability, window or past
   * checks, since outside calendars can hold anything. Accepted ones block their host.
   */
  createExternalBooking(body: unknown): CalcomBooking {
    const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const errors: string[] = [];
    const userId = input.userId ?? input.hostUserId;
    if (!Number.isInteger(userId)) errors.push('userId must be an integer (the Cal.com user id of the host)');
    if (!isIsoInstant(input.start)) errors.push('start must be a valid ISO 8601 date string');
    if (input.end !== undefined && !isIsoInstant(input.end)) errors.push('end must be a valid ISO 8601 date string');
    const status = (input.status ?? 'accepted') as CalcomBookingStatus;
    if (!['accepted', 'pending', 'cancelled', 'rejected'].includes(status)) errors.push('status must be accepted, pending, cancelled or rejected');
    const eventTypeId = input.eventTypeId ?? EXTERNAL_EVENT_TYPE_ID;
    if (!Number.isInteger(eventTypeId) || (eventTypeId as number) < 1) errors.push('eventTypeId must be a positive integer');
    if (errors.length > 0) throw badRequest(errors);
    const eventType = this.eventType(eventTypeId as number);
    const start = Date.parse(input.start as string);
    const lengthMinutes = typeof input.lengthInMinutes === 'number' ? input.lengthInMinutes : eventType.lengthInMinutes;
    const end = input.end === undefined ? start + lengthMinutes * 60_000 : Date.parse(input.end as string);
    if (end <= start) throw badRequest('end must be after start');
    const attendee = (input.attendee ?? {}) as Partial<CalcomAttendee>;
    const stored = this.insert({
      eventType,
      hostIds: [userId as number],
      start,
      end,
      status,
      attendees: [{ name: attendee.name ?? 'External Guest', email: attendee.email ?? 'external.guest@example.test', timeZone: isTimeZone(attendee.timeZone) ? attendee.timeZone : 'UTC', language: 'en', absent: false }],
      metadata: input.metadata as Record<string, string> | undefined,
      bookingFieldsResponses: {},
      location: 'integrations:daily',
      title: typeof input.title === 'string' ? input.title : undefined,
      external: true,
      account: this.accounts.ownerOfUser(userId as number),
    });
    return structuredClone(stored.booking);
  }

  /** A key sees only its own account's bookings; another account's uid is unknown to it. */
  private find(uid: string, caller: EmulatorAccount | null = null): StoredBooking {
    const stored = this.store.get(uid);
    if (!stored || (caller !== null && stored.account !== caller)) throw notFound(`Booking with uid=${uid} was not found in the database`);
    return stored;
  }

  /** Signed webhooks of `triggerEvent` to the owning account's subscribers. */
  notify(triggerEvent: string, booking: CalcomBooking, extra: Record<string, unknown> = {}): void {
    const account = this.store.get(booking.uid)?.account;
    if (account) deliverWebhooks(account, this.webhookMode, this.deliveries, { triggerEvent, booking, extra, now: this.now() });
  }

  /** An attendee or host cancels in Cal.com (control API): the booking is cancelled and BOOKING_CANCELLED sent. */
  cancelAsAttendee(uid: string, body: unknown): CalcomBooking {
    const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const reason = typeof input.cancellationReason === 'string' ? input.cancellationReason : 'Cancelled by the attendee';
    const cancelled = this.cancelBooking(uid, { cancellationReason: reason }, null);
    this.notify('BOOKING_CANCELLED', cancelled, { cancellationReason: reason });
    return cancelled;
  }

  /** An attendee or host moves it in Cal.com (control API): a new booking, BOOKING_RESCHEDULED with the old uid. */
  rescheduleAsAttendee(uid: string, body: unknown): CalcomBooking {
    const old = this.getBooking(uid);
    const moved = this.rescheduleBooking(uid, body, null);
    this.notify('BOOKING_RESCHEDULED', moved, { rescheduleUid: old.uid, rescheduleStartTime: old.start, rescheduleEndTime: old.end, rescheduleId: old.id });
    return moved;
  }

  /** The stored booking by uid for the control API (any account). */
  storedBooking(uid: string): { booking: CalcomBooking; account: EmulatorAccount } {
    const stored = this.find(uid);
    return { booking: stored.booking, account: stored.account };
  }

  private eventType(id: number): EmulatorEventType {
    const owner = this.accounts.ownerOfEventType(id);
    const teamHosts = owner.isDefault ? (DEMO_EVENT_TYPE_IDS.includes(id) ? DEMO_USER_IDS : [DEFAULT_HOST_USER_ID]) : owner.userIds;
    return (
      this.eventTypes.get(id) ?? {
        id,
        slug: `event-type-${id}`,
        title: id === EXTERNAL_EVENT_TYPE_ID ? 'Busy' : `Event Type ${id}`,
        lengthInMinutes: DEFAULT_EVENT_LENGTH_MINUTES,
        hostUserIds: [...teamHosts],
        requiresConfirmation: false,
      }
    );
  }

  private user(id: number): CalcomHost {
    return this.users.get(id) ?? { id, name: `User ${id}`, email: `user${id}@cal.emulator.test`, username: `user-${id}`, timeZone: 'UTC' };
  }

  /** Round-robin flavour: the first candidate host who is free; 400 when none is. */
  private pickHost(eventTypeId: number, candidates: number[], start: number, end: number, ignoreUid: string | null): number {
    const team = candidates.length > 1;
    let lastError: EmulatorHttpError | undefined;
    for (const hostId of candidates) {
      try {
        this.assertFree(eventTypeId, hostId, start, end, ignoreUid, team ? 'team' : 'user');
        return hostId;
      } catch (error) {
        if (!(error instanceof EmulatorHttpError)) throw error;
        lastError = error;
      }
    }
    throw lastError ?? badRequest('No available users found.');
  }

  private assertFree(eventTypeId: number, hostId: number, start: number, end: number, ignoreUid: string | null, flavour: 'user' | 'team'): void {
    const key = idempotencyKey(eventTypeId, start, end, hostId);
    const others = [...this.store.values()].filter((s) => s.booking.uid !== ignoreUid);
    if (others.some((s) => s.idempotencyKey === key)) throw duplicateBooking();
    const clash = others.some(
      (s) => s.booking.status === 'accepted' && s.hostIds.includes(hostId) && Date.parse(s.booking.start) < end && Date.parse(s.booking.end) > start,
    );
    if (clash) {
      throw badRequest(
        flavour === 'team'
          ? 'One of the hosts either already has booking at this time or is not available'
          : 'User either already has booking at this time or is not available',
      );
    }
  }

  private insert(spec: {
    eventType: EmulatorEventType;
    hostIds: number[];
    start: number;
    end: number;
    status: CalcomBookingStatus;
    attendees: CalcomAttendee[];
    guests?: string[];
    metadata?: Record<string, string>;
    bookingFieldsResponses: Record<string, unknown>;
    location: string;
    title?: string;
    external?: boolean;
    rescheduledFromUid?: string;
    reschedulingReason?: string;
    rescheduledByEmail?: string;
    account: EmulatorAccount;
  }): StoredBooking {
    const now = iso(this.now());
    const hosts = spec.hostIds.map((id) => this.user(id));
    const uid = newUid();
    const booking: CalcomBooking = {
      id: this.nextId++,
      uid,
      title: spec.title ?? `${spec.eventType.title} between ${hosts[0]?.name ?? 'Host'} and ${spec.attendees[0]?.name ?? 'Guest'}`,
      description: '',
      hosts,
      status: spec.status,
      ...(spec.reschedulingReason !== undefined && { reschedulingReason: spec.reschedulingReason }),
      ...(spec.rescheduledByEmail !== undefined && { rescheduledByEmail: spec.rescheduledByEmail }),
      ...(spec.rescheduledFromUid !== undefined && { rescheduledFromUid: spec.rescheduledFromUid }),
      start: iso(spec.start),
      end: iso(spec.end),
      duration: Math.round((spec.end - spec.start) / 60_000),
      eventTypeId: spec.eventType.id,
      eventType: { id: spec.eventType.id, slug: spec.eventType.slug },
      location: spec.location,
      absentHost: false,
      createdAt: now,
      updatedAt: now,
      metadata: spec.metadata ? { ...spec.metadata } : {},
      icsUid: `${uid}@Cal.com`,
      attendees: spec.attendees,
      ...(spec.guests !== undefined && { guests: [...spec.guests] }),
      bookingFieldsResponses: spec.bookingFieldsResponses,
    };
    const stored: StoredBooking = {
      booking,
      hostIds: spec.hostIds,
      idempotencyKey: spec.status === 'accepted' && !spec.external ? idempotencyKey(spec.eventType.id, spec.start, spec.end, spec.hostIds[0]) : null,
      external: spec.external ?? false,
      account: spec.account,
    };
    this.store.set(uid, stored);
    return stored;
  }
}

function idempotencyKey(eventTypeId: number, start: number, end: number, hostId: number): string {
  return `${eventTypeId}:${start}:${end}:${hostId}`;
}

function toAttendee(input: CalcomCreateBookingInput): CalcomAttendee {
  const { name, email, timeZone, language, phoneNumber } = input.attendee;
  return {
    name,
    email: email ?? '',
    timeZone,
    language: language ?? 'en',
    absent: false,
    ...(phoneNumber !== undefined && { phoneNumber }),
  };
}

function locationOf(input: CalcomCreateBookingInput): string {
  const location = input.location;
  if (!location) return 'integrations:daily';
  if (location.type === 'integration' && typeof location.integration === 'string') return `integrations:${location.integration}`;
  for (const key of ['address', 'location', 'phone', 'link']) {
    if (typeof location[key] === 'string') return location[key] as string;
  }
  return location.type;
}
