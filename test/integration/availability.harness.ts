/**
 * The availability suites' app: the real createApp over the API test database (startApiHarness)
 * with the availability deps wired the way api/server.ts wires them (createAvailabilityDeps),
 * pointed at a Redis and a Cal.com emulator of the caller's choosing, and a fixed clock. Also a
 * throwaway redis-server child process the Redis-outage test can kill, and a logger that records
 * the cache's log lines so "logged once" can be asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createAvailabilityDeps, type AvailabilityDeps } from '../../api/availability/availability.deps';
import { createBookingActivities } from '../../activities/booking.activities';
import { createBookingPlanner } from '../../activities/booking-planner';
import { createCalcomConnections } from '../../infra/calcom/calcom.connections';
import { createSecretBox } from '../../infra/secrets/secret-box';
import type { CacheLogger } from '../../infra/cache/redis';
import { newId } from '../../infra/db/ids';
import { startApiHarness, type ApiHarness } from '../api/api-harness';
import { testEnv } from '../harness/env';

/** Saturday 2030-06-01 00:00 UTC; 2030-06-03 is a Monday. */
export const CLOCK = new Date('2030-06-01T00:00:00Z');

export interface LogLine {
  level: 'info' | 'warn';
  msg: string;
}

export interface AvailabilityApp {
  app: Express;
  harness: ApiHarness;
  availability: AvailabilityDeps;
  logs: LogLine[];
  /** What the booking saga does after a booking change (activities' invalidateAvailability). */
  bookingChanged(branchId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startAvailabilityApp(options: { redisUrl?: string | null; calendarRetryAfterMs?: number } = {}): Promise<AvailabilityApp> {
  const env = testEnv();
  const harness = await startApiHarness({ rateLimit: false, clock: () => CLOCK });
  const logs: LogLine[] = [];
  const logger: CacheLogger = {
    info: ((obj: unknown, msg?: string) => void logs.push({ level: 'info', msg: msg ?? String(obj) })) as CacheLogger['info'],
    warn: ((obj: unknown, msg?: string) => void logs.push({ level: 'warn', msg: msg ?? String(obj) })) as CacheLogger['warn'],
  };
  const availability = createAvailabilityDeps({
    config: { redisUrl: env.redisUrl, calendarSecretKey: env.calendarSecretKey },
    db: harness.db,
    logger,
    connections: createCalcomConnections({ secrets: createSecretBox(env.calendarSecretKey), timeoutMs: 2000 }),
    redisUrl: options.redisUrl === undefined ? env.redisUrl : options.redisUrl,
    cachePrefix: `avtest_${newId('x')}`,
    calendarRetryAfterMs: options.calendarRetryAfterMs ?? 0,
    clock: () => CLOCK,
  });
  const app = createApp({ ...harness.deps, ...availability.deps });
  const activities = createBookingActivities({
    db: harness.db,
    planner: createBookingPlanner({ db: harness.db, clock: () => CLOCK }),
    cache: availability.deps.availabilityCache,
  });
  return {
    app,
    harness,
    availability,
    logs,
    bookingChanged: (branchId) => activities.invalidateAvailability({ branchId }),
    async close() {
      await availability.close();
      await harness.close();
    },
  };
}

export interface SearchAnswer {
  status: number;
  cache: string;
  calendar: string;
  body: { days: { date: string; slots: { start: string; end: string; staffIds: string[] }[] }[] } & Record<string, unknown>;
}

export async function search(app: Express, auth: Record<string, string>, query: Record<string, string | number>): Promise<SearchAnswer> {
  const res = await request(app).get('/v1/availability').set(auth).query(query);
  return { status: res.status, cache: res.headers['x-cache'], calendar: res.headers['x-calendar-status'], body: res.body };
}

/** "HH:mm" local starts of one day offered by one staff member. */
export function startsOf(answer: SearchAnswer, date: string, staffId: string): string[] {
  const day = answer.body.days.find((d) => d.date === date);
  return (day?.slots ?? []).filter((s) => s.staffIds.includes(staffId)).map((s) => s.start.slice(11, 16));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server on a free port (no persistence), to stop and start at will. */
export class RedisChild {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<RedisChild> {
    const r = new RedisChild(await freePort());
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server (SIGKILL: no goodbye to clients) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
