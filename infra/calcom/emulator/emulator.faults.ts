/**
 * Injected failures. A fault matches some operations and decides, per request, whether to pass,
 * answer an error, hang (timeout), or perform the operation and then drop the response
 * (lose_response: the caller sees a failure although Cal.com holds the booking). Flaky decisions
 * come from a seeded PRNG so a test run is reproducible.
 */
import { badRequest } from './emulator.errors';

export const OPERATIONS = ['create', 'get', 'list', 'reschedule', 'cancel', 'me', 'event-types', 'webhooks'] as const;
export type EmulatorOperation = (typeof OPERATIONS)[number];
export const FAULT_MODES = ['none', 'error', 'timeout', 'flaky', 'lose_response'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultConfig {
  mode: FaultMode;
  /** HTTP status for error/flaky (default 500). */
  status: number;
  /** Failure probability for flaky (default 0.3). */
  rate: number;
  /** Operations the fault applies to; null = all. */
  operations: EmulatorOperation[] | null;
  /** Remaining times the fault fires before reverting to none; null = unlimited. */
  count: number | null;
  /** timeout: how long to hang; lose_response: delay before dropping (0 = reset at once). */
  hangMs: number;
  /** timeout only: after hanging, drop the connection or perform the operation and answer late. */
  afterHang: 'drop' | 'answer';
  /** Extra latency added to every matching request (any mode). */
  latencyMs: number;
  /** Seconds in Retry-After for 429/503 answers. */
  retryAfterSec: number;
  seed: number;
}

export type FaultAction =
  | { kind: 'pass' }
  | { kind: 'error'; status: number }
  | { kind: 'hang'; ms: number; then: 'drop' | 'answer' }
  | { kind: 'lose'; ms: number };

export const NO_FAULT: FaultConfig = {
  mode: 'none',
  status: 500,
  rate: 0.3,
  operations: null,
  count: null,
  hangMs: 30_000,
  afterHang: 'drop',
  latencyMs: 0,
  retryAfterSec: 1,
  seed: 42,
};

/** mulberry32: tiny, fast, good enough for fault dice. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseFaultConfig(body: unknown): FaultConfig {
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: string[] = [];
  const mode = input.mode ?? 'none';
  if (!FAULT_MODES.includes(mode as FaultMode)) errors.push(`mode must be one of ${FAULT_MODES.join(', ')}`);
  const num = (key: string, fallback: number, min: number, max: number): number => {
    const value = input[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      errors.push(`${key} must be a number in [${min}, ${max}]`);
      return fallback;
    }
    return value;
  };
  let operations: EmulatorOperation[] | null = null;
  if (input.operations !== undefined && input.operations !== null) {
    if (!Array.isArray(input.operations) || input.operations.some((op) => !OPERATIONS.includes(op as EmulatorOperation))) {
      errors.push(`operations must be a list of ${OPERATIONS.join(', ')}`);
    } else {
      operations = input.operations as EmulatorOperation[];
    }
  }
  const afterHang = input.afterHang ?? 'drop';
  if (afterHang !== 'drop' && afterHang !== 'answer') errors.push('afterHang must be "drop" or "answer"');
  const config: FaultConfig = {
    mode: mode as FaultMode,
    status: num('status', mode === 'lose_response' ? 0 : 500, 0, 599),
    rate: num('rate', NO_FAULT.rate, 0, 1),
    operations,
    count: input.count === undefined || input.count === null ? null : Math.floor(num('count', 1, 1, 1e9)),
    hangMs: num('hangMs', mode === 'lose_response' ? 0 : NO_FAULT.hangMs, 0, 600_000),
    afterHang: afterHang as 'drop' | 'answer',
    latencyMs: num('latencyMs', 0, 0, 60_000),
    retryAfterSec: num('retryAfterSec', NO_FAULT.retryAfterSec, 0, 3600),
    seed: Math.floor(num('seed', NO_FAULT.seed, 0, 2 ** 32)),
  };
  if ((config.mode === 'error' || config.mode === 'flaky') && (config.status < 400 || config.status > 599)) {
    errors.push('status must be an HTTP error status (400-599)');
  }
  if (errors.length > 0) throw badRequest(errors);
  return config;
}

export class FaultInjector {
  private config: FaultConfig = NO_FAULT;
  private random = seededRandom(NO_FAULT.seed);
  fired = 0;

  set(config: FaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed);
    this.fired = 0;
  }

  get current(): FaultConfig {
    return this.config;
  }

  latencyFor(operation: EmulatorOperation): number {
    return this.matches(operation) ? this.config.latencyMs : 0;
  }

  decide(operation: EmulatorOperation): FaultAction {
    if (this.config.mode === 'none' || !this.matches(operation)) return { kind: 'pass' };
    const action = this.roll();
    if (action.kind !== 'pass') this.consume();
    return action;
  }

  private roll(): FaultAction {
    const { mode, status, rate, hangMs, afterHang } = this.config;
    switch (mode) {
      case 'error':
        return { kind: 'error', status };
      case 'flaky':
        return this.random() < rate ? { kind: 'error', status } : { kind: 'pass' };
      case 'timeout':
        return { kind: 'hang', ms: hangMs, then: afterHang };
      case 'lose_response':
        return { kind: 'lose', ms: hangMs };
      default:
        return { kind: 'pass' };
    }
  }

  private matches(operation: EmulatorOperation): boolean {
    return this.config.operations === null || this.config.operations.includes(operation);
  }

  private consume(): void {
    this.fired += 1;
    if (this.config.count === null) return;
    const left = this.config.count - 1;
    this.config = left > 0 ? { ...this.config, count: left } : { ...NO_FAULT };
  }
}
