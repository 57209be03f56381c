/**
 * Request validation: one zod schema per request part (body, query, params). All parts are
 * checked and EVERY bad field is reported in one 400 validation_error (API.md), with `path` a
 * dotted string (`operatingHours.monday.end`, `specialHours.0.date`). Handlers receive the parsed
 * (coerced, defaulted) values and never read `req.body` themselves (STYLE.md principle 11).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { ApiError } from './error-handler';
import { issuesToFieldErrors, type FieldError, type IssueLike } from './field-errors';

export { issuesToFieldErrors, type FieldError } from './field-errors';

export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** e.g. `z.object({ 'idempotency-key': ... })`; Node lower-cases header names. Keep it non-strict. */
  headers?: z.ZodType;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Parsed<S extends RequestSchemas> {
  body: Out<S['body']>;
  query: Out<S['query']>;
  params: Out<S['params']>;
  headers: Out<S['headers']>;
}

const PARTS = ['params', 'headers', 'query', 'body'] as const;

/**
 * Paths of strings (values or keys) holding a NUL character. PostgreSQL text cannot store one and
 * would fail the query with a 500; it is bad input, so it is a field error like any other.
 */
function nulPaths(value: unknown, path: string, out: FieldError[], depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path, message: 'Must not contain NUL characters' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => nulPaths(item, path ? `${path}.${index}` : String(index), out, depth + 1));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) out.push({ path: at, message: 'Must not contain NUL characters' });
      else nulPaths(item, at, out, depth + 1);
    }
  }
}

/** Parses every part, or throws one validation_error listing every problem found. */
export function parseRequest<S extends RequestSchemas>(schemas: S, req: Pick<Request, 'body' | 'query' | 'params' | 'headers'>): Parsed<S> {
  const errors: FieldError[] = [];
  const parsed: Record<string, unknown> = { body: undefined, query: undefined, params: undefined, headers: undefined };
  for (const part of PARTS) {
    const schema = schemas[part];
    if (!schema) continue;
    // A request without a body has req.body === undefined in Express 5; treat it as missing fields.
    const input = part === 'body' && req.body === undefined ? undefined : req[part];
    const nul: FieldError[] = [];
    if (part !== 'headers') nulPaths(input, '', nul);
    errors.push(...nul);
    const result = schema.safeParse(input);
    if (result.success) parsed[part] = result.data;
    else {
      // One message per field: a NUL also fails plainText()'s control-character rule.
      const reported = new Set(nul.map((e) => e.path));
      errors.push(...issuesToFieldErrors(result.error.issues as IssueLike[], part).filter((e) => !reported.has(e.path)));
    }
  }
  if (errors.length > 0) throw new ApiError('validation_error', 'The request has invalid fields', { errors });
  return parsed as unknown as Parsed<S>;
}

/**
 * Wraps a handler: validates first, then calls it with the parsed input.
 *   router.post('/v1/x', validate({ body: createX }, async ({ body }, req, res) => { ... }))
 */
export function validate<S extends RequestSchemas>(
  schemas: S,
  handler: (input: Parsed<S>, req: Request, res: Response, next: NextFunction) => unknown,
): RequestHandler {
  return async (req, res, next) => {
    const input = parseRequest(schemas, req);
    await handler(input, req, res, next);
  };
}
