import { randomUUID } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import Redis from 'ioredis';
import { createAvailabilityCache } from '../../infra/cache/availability-cache';
import { cachedAvailabilityCodec, type CachedAvailability } from './availability.service';
import { encodedBody } from './encoded-body';

// The codec of cached answers in Redis, and an L2 hit through a real Redis by a second cache (as
// another API process would read it): same bytes, same header fields, no UTF-8 damage; answers of
// 1 KB and more are stored as their Brotli copy, which the reader then serves without compressing.
const logger = { info: () => undefined, warn: () => undefined } as never;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const slot = (i: number) => ({ start: `2026-12-01T${String(9 + (i % 9)).padStart(2, '0')}:00:00+01:00`, staffIds: ['stf_ü€'], staff: [{ id: 'stf_ü€', name: 'Zoë' }] });
const small = Buffer.from(JSON.stringify({ branchId: 'br_1', days: [{ date: '2026-12-01', slots: [slot(0)] }] }));
const large = Buffer.from(JSON.stringify({ branchId: 'br_1', days: [{ date: '2026-12-01', slots: Array.from({ length: 400 }, (_, i) => slot(i)) }] }));
const answer = (body: Buffer): CachedAvailability => ({ body, calendar: 'ok', validUntil: 1_795_000_000_000 });
const roundTrip = async (value: CachedAvailability) => cachedAvailabilityCodec.decode(Buffer.from(await cachedAvailabilityCodec.encode(value)));

describe('cached availability codec', () => {
  it('round-trips body bytes and header fields, small bodies as they are and large ones through Brotli', async () => {
    expect(await roundTrip(answer(small))).toEqual(answer(small));
    expect(await roundTrip(answer(large))).toEqual(answer(large));
    const stored = Buffer.from(await cachedAvailabilityCodec.encode(answer(large)));
    expect(stored.subarray(0, stored.indexOf(10)).toString()).toBe(`br|${answer(large).validUntil}|ok`);
    expect(stored.length).toBeLessThan(large.length / 10);
    expect(brotliDecompressSync(stored.subarray(stored.indexOf(10) + 1)).equals(large)).toBe(true);
  });

  it('reads the uncompressed format of earlier releases; bytes without a header line are unreadable', async () => {
    const earlier = Buffer.concat([Buffer.from('1795000000000|ok\n'), large]);
    expect(await cachedAvailabilityCodec.decode(earlier)).toEqual(answer(large));
    expect(await cachedAvailabilityCodec.decode(Buffer.from('{"days":[]}'))).toBeUndefined();
    expect(await cachedAvailabilityCodec.decode(Buffer.from('x|ok\n{}'))).toBeUndefined();
    expect(await cachedAvailabilityCodec.decode(Buffer.from('br|x|ok\n{}'))).toBeUndefined();
  });

  it('is read back from Redis (L2) by another cache, which serves the stored Brotli copy at once', async () => {
    const options = { redisUrl, logger, prefix: `codec_${randomUUID().slice(0, 8)}`, codec: cachedAvailabilityCodec };
    const writer = createAvailabilityCache(options);
    const reader = createAvailabilityCache(options);
    const redis = new Redis(redisUrl);
    try {
      for (let i = 0; i < 100 && (writer.status().mode !== 'redis' || reader.status().mode !== 'redis'); i++) await new Promise((r) => setTimeout(r, 20));
      for (const [query, body] of [['small', small], ['large', large]] as const) {
        const key = { branchId: 'br_1', query };
        const { stamp } = await writer.get(key);
        await writer.set(key, answer(body), stamp);
        const hit = await reader.get(key);
        expect(hit.source).toBe('l2');
        expect(hit.value?.body.equals(body)).toBe(true);
        expect(hit.value).toMatchObject({ calendar: 'ok', validUntil: answer(body).validUntil });
        // Bodies under 1 KB are never compressed; a large one's copy is ready on its first hit.
        const br = encodedBody(hit.value!, hit.value!.body, '"tag"', 'br');
        if (body === small) expect(br).toBeUndefined();
        else expect(br && brotliDecompressSync(br.body).equals(body)).toBe(true);
      }
      // Redis holds the compressed bytes.
      const keys = await redis.keys(`${options.prefix}*large*`);
      expect(keys).toHaveLength(1);
      expect((await redis.strlen(keys[0])) * 10).toBeLessThan(large.length);
    } finally {
      redis.disconnect();
      await writer.close();
      await reader.close();
    }
  });
});
