import { randomUUID } from 'node:crypto';
import { createAvailabilityCache } from '../../infra/cache/availability-cache';
import { cachedAvailabilityCodec, type CachedAvailability } from './availability.service';

// The codec of cached answers in Redis, and an L2 hit through a real Redis by a second cache (as
// another API process would read it): same bytes, same header fields, no UTF-8 damage.
const logger = { info: () => undefined, warn: () => undefined } as never;
const body = Buffer.from(JSON.stringify({ branchId: 'br_1', days: [{ date: '2026-12-01', slots: [{ start: '2026-12-01T09:00:00+01:00', staffIds: ['stf_ü€'] }] }] }));
const answer: CachedAvailability = { body, calendar: 'ok', validUntil: 1_795_000_000_000 };

describe('cached availability codec', () => {
  it('round-trips body bytes and header fields', () => {
    const decoded = cachedAvailabilityCodec.decode(Buffer.from(cachedAvailabilityCodec.encode(answer)));
    expect(decoded).toEqual({ body, calendar: 'ok', validUntil: answer.validUntil });
  });

  it('treats bytes without a header line as unreadable', () => {
    expect(cachedAvailabilityCodec.decode(Buffer.from('{"days":[]}'))).toBeUndefined();
    expect(cachedAvailabilityCodec.decode(Buffer.from('x|ok\n{}'))).toBeUndefined();
  });

  it('is read back from Redis (L2) by another cache', async () => {
    const options = { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger, prefix: `codec_${randomUUID().slice(0, 8)}`, codec: cachedAvailabilityCodec };
    const writer = createAvailabilityCache(options);
    const reader = createAvailabilityCache(options);
    try {
      for (let i = 0; i < 100 && (writer.status().mode !== 'redis' || reader.status().mode !== 'redis'); i++) await new Promise((r) => setTimeout(r, 20));
      const key = { branchId: 'br_1', query: 'q' };
      const { stamp } = await writer.get(key);
      await writer.set(key, answer, stamp);
      const hit = await reader.get(key);
      expect(hit.source).toBe('l2');
      expect(hit.value?.body.equals(body)).toBe(true);
      expect(hit.value).toMatchObject({ calendar: 'ok', validUntil: answer.validUntil });
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});
