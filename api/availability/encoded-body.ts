/**
 * Compressed copies of a cached availability body (Content-Encoding br or gzip), made once per
 * cached entry and sent as stored bytes on every later hit.
 *
 * Why by hand and not the `compression` middleware: it compresses every response again on every
 * request (a 7-day answer is ~150 KB: a few ms of CPU each time), where a cached answer's bytes
 * never change while the entry lives. Measured (bench:availability (c)): writing the 150 KB
 * identity body was a fifth of the cached path's CPU; its Brotli copy is ~5 KB. Negotiation itself
 * is the `accepts` library's (req.acceptsEncodings), as express does it for every route.
 *
 * A copy is made off the event loop (zlib's thread pool) and kept in a WeakMap keyed by the cache
 * entry object, so it lives exactly as long as the entry does. Until it is ready (the first answer
 * of an entry) the identity body is sent: no request ever waits for compression.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type BodyEncoding = 'br' | 'gzip';

/** Encodings offered, in the server's order of preference (Brotli is ~20% smaller than gzip here). */
export const BODY_ENCODINGS: readonly BodyEncoding[] = ['br', 'gzip'];

/** Bodies smaller than this are sent as they are: compression would not pay for its headers. */
export const MIN_COMPRESSED_BYTES = 1024;

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
