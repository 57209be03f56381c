/**
 * The 409 of a taken slot: alternatives in the branch zone, at most 5, and one answer per list of
 * alternatives and zone (the losers of a storm share the list, so its formatting runs once).
 */
import { slotUnavailable } from './booking-answers';

const alternatives = Array.from({ length: 6 }, (_, i) => ({
  start: `2027-03-01T0${i}:00:00.000Z`,
  end: `2027-03-01T0${i}:30:00.000Z`,
  staffId: `stf_${i}`,
  staffName: `Staff ${i}`,
}));

test('alternatives in the zone, at most five', () => {
  const answer = slotUnavailable({ kind: 'conflict', alternatives }, 'Europe/Berlin');
  expect(answer.status).toBe(409);
  const body = answer.body as { code: string; alternatives: Array<{ start: string; end: string; staffId: string }> };
  expect(body.code).toBe('slot_unavailable');
  expect(body.alternatives).toHaveLength(5);
  expect(body.alternatives[0]).toEqual({ start: '2027-03-01T01:00:00+01:00', end: '2027-03-01T01:30:00+01:00', staffId: 'stf_0', staffName: 'Staff 0' });
});

test('one answer per list of alternatives and zone', () => {
  const shared = { kind: 'conflict' as const, alternatives };
  const first = slotUnavailable(shared, 'Europe/Berlin');
  expect(slotUnavailable({ kind: 'conflict', alternatives }, 'Europe/Berlin')).toBe(first);
  expect(slotUnavailable(shared, 'Europe/London')).not.toBe(first);
  expect(slotUnavailable({ kind: 'conflict', alternatives: [...alternatives] }, 'Europe/Berlin')).not.toBe(first);
  expect(slotUnavailable({ kind: 'conflict', alternatives: [...alternatives] }, 'Europe/Berlin')).toEqual(first);
});
