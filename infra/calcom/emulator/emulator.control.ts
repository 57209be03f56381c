/**
 * The emulator's control API (`/__control/*`, no auth, no version header): fault injection,
 * inspection of every booking, reset, and bookings made "in Cal.com by someone else".
 */
import { EmulatorHttpError, badRequest, notFound } from './emulator.errors';
import { parseFaultConfig } from './emulator.faults';
import type { EmulatorState } from './emulator.state';

export interface ControlAnswer {
  status: number;
  body: unknown;
}

const positiveInt = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;

export function handleControl(state: EmulatorState, method: string, path: string, body: unknown): ControlAnswer {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  // Acting as an attendee or host in Cal.com: the change happens and the signed webhooks go out.
  const action = /^POST \/__control\/bookings\/([^/]+)\/(cancel|reschedule)$/.exec(route);
  if (action) {
    const uid = decodeURIComponent(action[1]!);
    return { status: 200, body: { data: action[2] === 'cancel' ? state.cancelAsAttendee(uid, body) : state.rescheduleAsAttendee(uid, body) } };
  }
  switch (route) {
    case 'POST /__control/webhooks': {
      const mode = (body as { mode?: unknown } | undefined)?.mode;
      if (mode !== 'deliver' && mode !== 'drop') throw badRequest(['mode must be deliver or drop']);
      state.webhookMode = mode;
      return { status: 200, body: { data: { mode } } };
    }
    case 'GET /__control/webhooks':
      return { status: 200, body: { data: { mode: state.webhookMode, deliveries: state.deliveries } } };
    case 'GET /__control/health':
      return { status: 200, body: { status: 'ok' } };
    case 'GET /__control/faults':
      return { status: 200, body: { data: { ...state.faults.current, fired: state.faults.fired } } };
    case 'POST /__control/faults':
      state.faults.set(parseFaultConfig(body));
      return { status: 200, body: { data: state.faults.current } };
    case 'POST /__control/lose-response': {
      // Shortcut: perform the next create (by default) and drop its response.
      const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
      state.faults.set(parseFaultConfig({ operations: ['create'], count: 1, ...input, mode: 'lose_response' }));
      return { status: 200, body: { data: state.faults.current } };
    }
    case 'GET /__control/bookings':
      return { status: 200, body: { data: state.allBookings() } };
    case 'POST /__control/bookings': {
      // Made in Cal.com by someone else: its account's subscribers hear BOOKING_CREATED.
      const created = state.createExternalBooking(body);
      state.notify('BOOKING_CREATED', created);
      return { status: 201, body: { data: created } };
    }
    case 'GET /__control/requests':
      return { status: 200, body: { data: state.requests } };
    case 'POST /__control/accounts': {
      // Not wrapped in {data}: the contract of API.md ("Emulator additions").
      const account = state.accounts.create();
      return { status: 201, body: { apiKey: account.apiKey, userIds: account.userIds, eventTypeIds: account.eventTypeIds } };
    }
    case 'POST /__control/reset':
      state.reset();
      return { status: 200, body: { data: { reset: true } } };
    case 'POST /__control/event-types': {
      const input = (body ?? {}) as Record<string, unknown>;
      if (!positiveInt(input.id)) throw badRequest(['id must be a positive integer']);
      if (input.hostUserIds !== undefined && (!Array.isArray(input.hostUserIds) || !input.hostUserIds.every(positiveInt) || input.hostUserIds.length === 0)) {
        throw badRequest(['hostUserIds must be a non-empty list of positive integers']);
      }
      if (input.lengthInMinutes !== undefined && !positiveInt(input.lengthInMinutes)) throw badRequest(['lengthInMinutes must be a positive integer']);
      return {
        status: 200,
        body: {
          data: state.upsertEventType({
            id: input.id,
            slug: typeof input.slug === 'string' ? input.slug : undefined,
            title: typeof input.title === 'string' ? input.title : undefined,
            lengthInMinutes: input.lengthInMinutes as number | undefined,
            hostUserIds: input.hostUserIds as number[] | undefined,
            requiresConfirmation: typeof input.requiresConfirmation === 'boolean' ? input.requiresConfirmation : undefined,
          }),
        },
      };
    }
    case 'POST /__control/users': {
      const input = (body ?? {}) as Record<string, unknown>;
      if (!positiveInt(input.id)) throw badRequest(['id must be a positive integer']);
      const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
      return {
        status: 200,
        body: { data: state.upsertUser({ id: input.id, name: text('name'), email: text('email'), username: text('username'), timeZone: text('timeZone') }) },
      };
    }
    default:
      throw notFound(`Cannot ${method} ${path}`);
  }
}

export function isControlPath(path: string): boolean {
  return path === '/__control' || path.startsWith('/__control/');
}

export { EmulatorHttpError };
