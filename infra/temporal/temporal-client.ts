/**
 * The API process's one Temporal client (STYLE.md principle 12), on a LAZY connection: the client
 * exists even when Temporal is down at start, and every call fails fast enough to answer 503
 * dependency_unavailable within 2 s instead of hanging:
 * - connect timeout 1 s (an unreachable host is not waited on for the OS's minutes);
 * - a deadline on EVERY call that sets none itself (`rpcTimeoutMs`, default 1.5 s): starts of
 *   series and waiting-list monitors, signals, describes; the SDK's default is none at all;
 * - calls that set a longer deadline themselves (the bounded wait for a booking's outcome) are
 *   first preceded by `ensureReachable`, a cached probe (one `getSystemInfo` per second at most)
 *   that fails within `rpcTimeoutMs` when Temporal is down, so they do not wait their whole
 *   budget on a dead server;
 * - gRPC retries of retryable statuses are few and short (3 attempts, 100-500 ms), inside the
 *   call's deadline.
 */
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config';

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export interface TemporalClientOptions {
  config: Pick<AppConfig, 'temporalAddress' | 'temporalNamespace'> & Partial<Pick<AppConfig, 'temporalRpcTimeoutMs'>>;
  /** Payload encryption (infra/temporal/payload-codec.ts dataConverter(config)); none: plain payloads. */
  dataConverter?: DataConverter;
  /** gRPC connect timeout. Default 1 s. */
  connectTimeoutMs?: number;
  /** Attempts of a call that failed with a retryable gRPC status. Default 3. */
  maxAttempts?: number;
}

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** Gives every call without a deadline one `ms` from now (gRPC interceptor). */
export function defaultDeadlineInterceptor(ms: number): GrpcInterceptor {
  // A NextCall answers the interface gRPC chains interceptors with; returning it adds no layer.
  return (options, nextCall) => nextCall(options.deadline === undefined ? { ...options, deadline: Date.now() + ms } : options) as ReturnType<GrpcInterceptor>;
}

const clientTimeouts = new WeakMap<Client, number>();

export function createTemporalClient(options: TemporalClientOptions): TemporalClientHandle {
  const rpcTimeoutMs = options.config.temporalRpcTimeoutMs ?? 1_500;
  const connection = Connection.lazy({
    address: options.config.temporalAddress,
    connectTimeout: options.connectTimeoutMs ?? 1_000,
    interceptors: [
      defaultDeadlineInterceptor(rpcTimeoutMs),
      makeGrpcRetryInterceptor(
        defaultGrpcRetryOptions({ maxAttempts: options.maxAttempts ?? 3, factor: 2, maxJitter: 0.1, initialIntervalMs: () => 100, maxIntervalMs: () => 500 }),
      ),
    ],
  });
  // Trace context (and the request id in the baggage) into every workflow start, update and
  // signal; a no-op while no tracer provider is registered (infra/telemetry/tracing.ts).
  const client = new Client({
    connection,
    namespace: options.config.temporalNamespace,
    dataConverter: options.dataConverter,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  clientTimeouts.set(client, rpcTimeoutMs);
  return { client, connection, close: () => connection.close() };
}

const probes = new WeakMap<Client, { at: number; result: Promise<void> }>();
const PROBE_TTL_MS = 1_000;

/**
 * Resolves when Temporal answered a cheap call within the last second (or does now, within the
 * client's rpc timeout); rejects with the transport's error otherwise. Concurrent callers share
 * one probe; a failed probe is shared for the same second, so a storm on a dead server costs one.
 */
export function ensureReachable(client: Client): Promise<void> {
  const now = Date.now();
  const last = probes.get(client);
  if (last && now - last.at < PROBE_TTL_MS) return last.result;
  const timeout = clientTimeouts.get(client) ?? 1_500;
  const result = client.connection
    .withDeadline(now + timeout, () => client.connection.workflowService.getSystemInfo({}))
    .then(() => undefined);
  result.catch(() => undefined); // observed by the callers
  probes.set(client, { at: now, result });
  return result;
}

const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** True when the error says Temporal could not be reached (or did not answer in time). */
export function isTemporalUnavailable(error: unknown): boolean {
  for (let current = error as { code?: unknown; cause?: unknown; name?: string } | undefined, depth = 0; current && depth < 4; depth++) {
    if (isGrpcServiceError(current) && (current.code === UNAVAILABLE || current.code === DEADLINE_EXCEEDED)) return true;
    if (current.name === 'TransportError' || current.name === 'ConnectionError') return true;
    current = current.cause as typeof current;
  }
  return false;
}
