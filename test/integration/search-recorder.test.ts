/**
 * The search recorder on the real database: buffered searches land in availability_searches one
 * row each, with their company, branch, service and instant (to the millisecond) and an id of
 * their own, whichever group they travelled in (the batch is grouped by company, branch and
 * service to keep the INSERT's parameter small).
 */
import pino from 'pino';
import { batchJson, createSearchRecorder, type SearchRecord } from '../../api/availability/search-recorder';
import { ID_PATTERN, newId } from '../../infra/db/ids';
import { startApiHarness, type ApiHarness } from '../api/api-harness';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('search recorder', () => {
  it('groups a batch by company, branch and service, keeping every search', () => {
    const at = new Date('2027-05-03T09:00:00.123Z');
    const a = { companyId: 'cmp_a', branchId: 'br_a', serviceId: 'svc_a', at };
    const b = { ...a, serviceId: 'svc_b', at: new Date(at.getTime() + 1) };
    const groups = JSON.parse(batchJson([a, b, a])) as Array<{ c: string; b: string; s: string; ids: string[]; ats: number[] }>;
    expect(groups.map((g) => [g.c, g.b, g.s, g.ats])).toEqual([
      ['cmp_a', 'br_a', 'svc_a', [at.getTime(), at.getTime()]],
      ['cmp_a', 'br_a', 'svc_b', [at.getTime() + 1]],
    ]);
    expect(groups.flatMap((g) => g.ids).every((id) => ID_PATTERN.test(id) && id.startsWith('srch_'))).toBe(true);
  });

  it('writes one row per search with its fields and instant, in one flush', async () => {
    const companyId = newId('cmp');
    const [b1, b2] = [newId('br'), newId('br')];
    const [s1, s2] = [newId('svc'), newId('svc')];
    const base = Date.parse('2027-05-03T09:00:00.000Z');
    const searches: SearchRecord[] = [];
    for (let i = 0; i < 250; i++) searches.push({ companyId, branchId: i % 3 ? b1 : b2, serviceId: i % 5 ? s1 : s2, at: new Date(base + i * 1_001 + (i % 7)) });
    const recorder = createSearchRecorder({ db: h.db, logger: pino({ level: 'silent' }), flushIntervalMs: 60_000 });
    for (const s of searches) recorder.record(s);
    await recorder.close();

    const rows = await h.db.availabilitySearch.findMany({ where: { companyId } });
    expect(rows).toHaveLength(searches.length);
    expect(new Set(rows.map((r) => r.id)).size).toBe(searches.length);
    expect(rows.every((r) => ID_PATTERN.test(r.id))).toBe(true);
    const written = rows.map((r) => `${r.branchId}|${r.serviceId}|${r.at.toISOString()}`).sort();
    const expected = searches.map((s) => `${s.branchId}|${s.serviceId}|${s.at.toISOString()}`).sort();
    expect(written).toEqual(expected);
    await h.db.availabilitySearch.deleteMany({ where: { companyId } });
  });
});
