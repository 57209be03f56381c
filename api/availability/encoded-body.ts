/**
 * Compressed copies of a cached availability body (Content-Encoding br or gzip), made once per
 * cached entry and sent as stored bytes on every later hit.
 *
 * Why by hand and not the `compression` middleware: it compresses every response again on every
 * request (a 7-day answer is ~150 KB: a few ms of CPU each time), where a cached answer's bytes
 * never change while the entry lives. Measured (bench:availability (c), 7 days, 20 staff): the
 * Brotli copy is 1.4 KB for 148 KB of JSON, and a cached request costs 40-60 us less CPU with it
 * (one at a time, the server's own CPU). Negotiation is the `negotiator` library's (the one under
 * express's req.acceptsEncodings, with its `preferred` option), once per distinct header value.
 *
 * A copy is made off the event loop (zlib's thread pool) and kept in a WeakMap keyed by the cache
 * entry object, so it lives exactly as long as the entry does. Until it is ready (the first answer
 * of an entry) the identity body is sent: no request ever waits for compression.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request } from 'express';
import Negotiator from 'negotiator';

type BodyEncoding = 'br' | 'gzip';

/** Encodings offered, in the server's order of preference (Brotli copies of these answers are the smaller). */
const BODY_ENCODINGS: readonly BodyEncoding[] = ['br', 'gzip'];

// @types/negotiator predates negotiator 1.x's `preferred` option (the server's order for ties).
type EncodingNegotiator = { encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined };

// Clients send few distinct Accept-Encoding values: each is negotiated once (bounded: a client
// cannot grow the map by sending new ones, it is cleared when full).
const negotiated = new Map<string, BodyEncoding | null>();

/** The encoding of BODY_ENCODINGS the client prefers (ties go to the server's order), or undefined for identity. */
export function preferredEncoding(req: Request): BodyEncoding | undefined {
  const accept = req.headers['accept-encoding'];
  if (accept === undefined) return undefined;
  let encoding = negotiated.get(accept);
  if (encoding === undefined) {
    encoding = ((new Negotiator(req) as unknown as EncodingNegotiator).encoding(BODY_ENCODINGS, { preferred: BODY_ENCODINGS }) as BodyEncoding | undefined) ?? null;
    if (negotiated.size >= 256) negotiated.clear();
    negotiated.set(accept, encoding);
  }
  return encoding ?? undefined;
}

/** Bodies smaller than this are sent as they are: compression would not pay for its headers. */
const MIN_COMPRESSED_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

// Quality 5 / level 6: within a few percent of the best ratio on this JSON at a fraction of the
// time (quality 11 takes ~100 ms for 150 KB). Made once per entry, so the time is off the hot path.
const compress: Record<BodyEncoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    brotli(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => gzipAsync(body, { level: 6 }),
};

export interface EncodedBody {
  body: Buffer;
  encoding: BodyEncoding;
  /** The identity ETag with the encoding appended inside the quotes: a strong tag per representation. */
  etag: string;
}

interface Variants {
  ready: Partial<Record<BodyEncoding, EncodedBody>>;
  pending: Partial<Record<BodyEncoding, Promise<void>>>;
}

const variantsOf = new WeakMap<object, Variants>();

/**
 * The `encoding` copy of `body` if it is ready; otherwise undefined, and its compression is started
 * (once) so a later call finds it. `entry` is the object whose lifetime the copy shares.
 */
export function encodedBody(entry: object, body: Buffer, etag: string, encoding: BodyEncoding): EncodedBody | undefined {
  if (body.length < MIN_COMPRESSED_BYTES) return undefined;
  let variants = variantsOf.get(entry);
  if (!variants) {
    variants = { ready: {}, pending: {} };
    variantsOf.set(entry, variants);
  }
  const ready = variants.ready[encoding];
  if (ready) return ready;
  if (!variants.pending[encoding]) {
    const v = variants;
    v.pending[encoding] = compress[encoding](body).then(
      (compressed) => {
        v.ready[encoding] = { body: compressed, encoding, etag: `${etag.slice(0, -1)}-${encoding}"` };
      },
      // A failed compression (out of memory) leaves the identity body in use; the next entry tries again.
      () => undefined,
    );
  }
  return undefined;
}
