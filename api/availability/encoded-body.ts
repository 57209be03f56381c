/**
 * Compressed copies of a cached availability body (Content-Encoding br or gzip), made once per
 * cached entry and sent as stored bytes on every later hit.
 *
 * Why by hand and not the `compression` middleware: it compresses every response again on every
 * request (a 7-day answer is ~150 KB: a few ms of CPU each time), where a cached answer's bytes
 * never change while the entry lives. Measured (bench:availability (c), 7 days, 20 staff): the
 * Brotli copy is 1.6 KB for 148 KB of JSON (quality 4; 1.4 KB at 5), and a cached request costs
 * 40-60 us less CPU with it (one at a time, the server's own CPU). Negotiation is the `negotiator` library's (the one under
 * express's req.acceptsEncodings, with its `preferred` option), once per distinct header value.
 *
 * A copy is made off the event loop (zlib's thread pool) and kept in a WeakMap keyed by the cache
 * entry object, so it lives exactly as long as the entry does. Until it is ready (the first answer
 * of an entry) the identity body is sent: no request ever waits for compression. The Brotli copy is
 * also what the shared cache stores (availability.service.ts cachedAvailabilityCodec): made once
 * for both, and adopted as is by a process that reads the entry back from Redis.
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

// Brotli quality 4: every computed answer of 1 KB and more gets this copy (the shared cache stores
// it), so its cost is paid on every miss. Measured on a 7-day answer of 221 KB with varied staff
// lists (CPU per copy, bytes): q1 0.43 ms 16 KB, q3 0.55 ms 8.6 KB, q4 0.61 ms 5.8 KB, q5 0.94 ms
// 4.1 KB, gzip 6 1.00 ms 4.7 KB; quality 11 takes ~100 ms. Gzip (level 6) only for clients
// without br.
const compress: Record<BodyEncoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    brotli(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
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
  pending: Partial<Record<BodyEncoding, Promise<Buffer | undefined>>>;
}

const variantsOf = new WeakMap<object, Variants>();

function variantsFor(entry: object): Variants {
  let variants = variantsOf.get(entry);
  if (!variants) {
    variants = { ready: {}, pending: {} };
    variantsOf.set(entry, variants);
  }
  return variants;
}

/** The identity ETag with the encoding appended inside the quotes. */
const variantEtag = (etag: string, encoding: BodyEncoding) => `${etag.slice(0, -1)}-${encoding}"`;

/**
 * The entry's `encoding` copy of `body`, compressed once per entry whoever asks first (a request
 * that takes it, or the shared cache, which stores the Brotli copy: availability.service.ts);
 * undefined for bodies under MIN_COMPRESSED_BYTES or when compression failed (out of memory: the
 * identity body stays in use, the next entry tries again).
 */
export function compressedCopy(entry: object, body: Buffer, etag: string, encoding: BodyEncoding): Promise<Buffer | undefined> {
  if (body.length < MIN_COMPRESSED_BYTES) return Promise.resolve(undefined);
  const v = variantsFor(entry);
  const ready = v.ready[encoding];
  if (ready) return Promise.resolve(ready.body);
  let pending = v.pending[encoding];
  if (!pending) {
    pending = compress[encoding](body).then(
      (compressed) => {
        v.ready[encoding] = { body: compressed, encoding, etag: variantEtag(etag, encoding) };
        return compressed;
      },
      () => undefined,
    );
    v.pending[encoding] = pending;
  }
  return pending;
}

/** A copy of the entry's body compressed elsewhere (read back from the shared cache), used as made. */
export function adoptCompressedCopy(entry: object, etag: string, encoding: BodyEncoding, compressed: Buffer): void {
  variantsFor(entry).ready[encoding] = { body: compressed, encoding, etag: variantEtag(etag, encoding) };
}

/**
 * The `encoding` copy of `body` if it is ready; otherwise undefined, and its compression is started
 * (once) so a later call finds it. `entry` is the object whose lifetime the copy shares.
 */
export function encodedBody(entry: object, body: Buffer, etag: string, encoding: BodyEncoding): EncodedBody | undefined {
  if (body.length < MIN_COMPRESSED_BYTES) return undefined;
  const ready = variantsOf.get(entry)?.ready[encoding];
  if (ready) return ready;
  void compressedCopy(entry, body, etag, encoding);
  return undefined;
}
