/**
 * The API process's one Temporal client (STYLE.md principle 12), on a LAZY connection: the client
 * exists even when Temporal is down at start, and every call fails fast enough to answer 503
 * dependency_unavailable instead of hanging. The SDK's default gRPC retry keeps retrying an
 * unreachable server for ~20 s; an HTTP caller waits BOOKING_WAIT_MS at most, so retries here are
 * few and short.
 */
import { Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { AppConfig } from '../config';

export interface TemporalClientHandle {
  client: Client;
  close(): Promise<void>;
}

export interface TemporalClientOptions {
  config: Pick<AppConfig, 'temporalAddress' | 'temporalNamespace'>;
  /** gRPC connect timeout. Default 2 s. */
  connectTimeoutMs?: number;
  /** Attempts of a call that failed with a retryable gRPC status. Default 3. */
  maxAttempts?: number;
}

export function createTemporalClient(options: TemporalClientOptions): TemporalClientHandle {
  const connection = Connection.lazy({
    address: options.config.temporalAddress,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    interceptors: [
      makeGrpcRetryInterceptor(
        defaultGrpcRetryOptions({ maxAttempts: options.maxAttempts ?? 3, factor: 2, maxJitter: 0.1, initialIntervalMs: () => 100, maxIntervalMs: () => 500 }),
      ),
    ],
  });
  const client = new Client({ connection, namespace: options.config.temporalNamespace });
  return { client, close: () => connection.close() };
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
