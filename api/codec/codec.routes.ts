/**
 * The Temporal UI's codec server (https://docs.temporal.io/production-deployment/data-encryption):
 * `POST /codec/decode` and `POST /codec/encode`, body and answer `{payloads: [{metadata:
 * {name: base64}, data: base64}]}`, so operators see decoded payloads in the UI while the server
 * stores only ciphertext. Behind a company key of role support (or manager): the UI sends it as
 * `Authorization: Bearer` when configured to pass credentials. CORS admits TEMPORAL_UI_URL only.
 */
import express, { type Express, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { AppDeps } from '../app-deps';
import { authenticate } from '../auth';
import { ApiError, invalid } from '../error-handler';

declare module '../app-deps' {
  interface AppDeps {
    /** The service's Temporal payload codec (infra/temporal/payload-codec.ts), for /codec. */
    payloadCodec?: PayloadCodec;
  }
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromJson(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | undefined)?.payloads;
  if (!Array.isArray(payloads) || payloads.length > 1000) throw invalid([{ path: 'payloads', message: 'Expected an array of at most 1000 payloads' }]);
  return payloads.map((p: JsonPayload, index) => {
    const fields = [...Object.values(p?.metadata ?? {}), p?.data ?? ''];
    if (typeof p !== 'object' || p === null || fields.some((v) => typeof v !== 'string' || !BASE64.test(v))) {
      throw invalid([{ path: `payloads.${index}`, message: 'metadata values and data must be base64 strings' }]);
    }
    return {
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    };
  });
}

const toJson = (payloads: Payload[]): { payloads: JsonPayload[] } => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

export function registerCodec(app: Express, deps: AppDeps): void {
  const origin = deps.config.temporalUiUrl ? new URL(deps.config.temporalUiUrl).origin : undefined;
  const cors: RequestHandler = (req, res, next) => {
    if (origin && req.headers.origin === origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
  const auth = authenticate(deps, (_method, path) => (path === '/codec/decode' || path === '/codec/encode' ? path : undefined));
  for (const op of ['decode', 'encode'] as const) {
    app.options(`/codec/${op}`, cors);
    app.post(`/codec/${op}`, cors, auth, express.json({ limit: '4mb' }), async (req, res) => {
      if (!deps.payloadCodec) throw new ApiError('dependency_unavailable', 'No payload codec is configured', { dependency: 'codec' });
      let out: Payload[];
      try {
        out = await deps.payloadCodec[op](fromJson(req.body));
      } catch (err) {
        if (err instanceof ApiError) throw err;
        // A payload of another key or a tampered one: the caller's input, not our failure.
        throw invalid([{ path: 'payloads', message: `Cannot ${op}: ${(err as Error).message}` }]);
      }
      res.json(toJson(out));
    });
  }
}
