/**
 * Cal.com clients per calendar connection (each company's own account), pooled by connection id
 * and key version: a key change (PATCH) bumps the version, so the next call builds a new client
 * and the old one is dropped. The API key is decrypted only here, when a client is built, and
 * never leaves this module in clear (not in logs, answers or workflow payloads).
 */
import type { SecretBox } from '../secrets/secret-box';
import { createCalcomClient, type CalcomClient } from './calcom.client';

/** What a client is built from: a calendar_connections row (or its columns from a join). */
export interface ConnectionKeyRef {
  id: string;
  baseUrl: string;
  apiKeyEnc: string;
  keyVersion: number;
}

export interface CalcomConnections {
  /** The pooled client of this connection version. */
  clientFor(ref: ConnectionKeyRef): CalcomClient;
  /** A client for a key not stored yet (verification on create / key change); not pooled. */
  open(baseUrl: string, apiKey: string): CalcomClient;
  readonly secrets: SecretBox;
}

export interface CalcomConnectionsOptions {
  secrets: SecretBox;
  timeoutMs?: number;
  /** Most clients kept; the least recently used is dropped beyond it. Default 500. */
  maxClients?: number;
}

export function createCalcomConnections(options: CalcomConnectionsOptions): CalcomConnections {
  const max = options.maxClients ?? 500;
  // Map iteration order is insertion order: re-inserting on use makes it an LRU.
  const pool = new Map<string, { version: string; client: CalcomClient }>();
  const open = (baseUrl: string, apiKey: string) => createCalcomClient({ baseUrl, apiKey, timeoutMs: options.timeoutMs });
  return {
    secrets: options.secrets,
    open,
    clientFor(ref) {
      const version = `${ref.keyVersion}:${ref.baseUrl}`;
      const pooled = pool.get(ref.id);
      if (pooled && pooled.version === version) {
        pool.delete(ref.id);
        pool.set(ref.id, pooled);
        return pooled.client;
      }
      const client = open(ref.baseUrl, options.secrets.decrypt(ref.apiKeyEnc));
      pool.delete(ref.id);
      pool.set(ref.id, { version, client });
      if (pool.size > max) pool.delete(pool.keys().next().value as string);
      return client;
    },
  };
}
