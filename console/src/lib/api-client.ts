/**
 * The one API layer of the console: JSON over fetch with the bearer key, problem+json answers
 * turned into ApiProblem (status, code, detail and the contract's extensions: alternatives,
 * violations, errors). Features call `api.get/post/...` with a key source; nothing else fetches.
 */
import type { Alternative } from './types';

export interface ProblemBody {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  alternatives?: Alternative[];
  violations?: Array<{ rule: string; message: string }>;
  errors?: Array<{ path: string; message: string }>;
}

export class ApiProblem extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
  /** Every message the problem carries, for display. */
  messages(): string[] {
    const extra = [...(this.problem.violations ?? []).map((v) => v.message), ...(this.problem.errors ?? []).map((e) => `${e.path}: ${e.message}`)];
    return [this.message, ...extra];
  }
}

export type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

let idempotencyCounter = 0;
/** A fresh Idempotency-Key per user action (a double click sends the same action once). */
export function newIdempotencyKey(): string {
  idempotencyCounter += 1;
  return `console-${Date.now().toString(36)}-${idempotencyCounter}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
}

export interface Client {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

/** A client whose requests carry `Bearer <key()>`; with no key, none (the public self-service calls). */
export function createClient(key: () => string | null, onUnauthenticated?: () => void): Client {
  async function send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = key();
    const res = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      if (res.status === 401) onUnauthenticated?.();
      const problem = (data && typeof data === 'object' ? data : {}) as ProblemBody;
      throw new ApiProblem({ ...problem, status: res.status });
    }
    return data as T;
  }
  return {
    get: (path, query) => send('GET', withQuery(path, query)),
    post: (path, body, headers) => send('POST', path, body ?? {}, headers),
    patch: (path, body) => send('PATCH', path, body),
    del: (path) => send('DELETE', path),
  };
}
