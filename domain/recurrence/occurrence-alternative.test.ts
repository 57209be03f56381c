import { pickSameDayAlternative } from './occurrence-alternative';

const TZ = 'Europe/Berlin';
const s = (start: string, staffIds: string[]) => ({ start, end: start.replace(':00:00', ':30:00'), staffIds });

describe('pickSameDayAlternative', () => {
  const wanted = { start: '2026-06-10T10:00:00+02:00', staffId: 'stf_1' };

  it('prefers the same staff over a nearer slot with someone else', () => {
    const slots = [s('2026-06-10T10:15:00+02:00', ['stf_2']), s('2026-06-10T13:00:00+02:00', ['stf_1'])];
    expect(pickSameDayAlternative(wanted, slots, TZ)).toEqual({ start: slots[1].start, end: slots[1].end, staffId: 'stf_1' });
  });

  it('falls back to the nearest slot with any staff, earlier on ties', () => {
    const slots = [s('2026-06-10T11:00:00+02:00', ['stf_3']), s('2026-06-10T09:00:00+02:00', ['stf_2'])];
    expect(pickSameDayAlternative(wanted, slots, TZ)?.staffId).toBe('stf_2');
  });

  it('never leaves the local day, also when UTC dates differ', () => {
    const slots = [s('2026-06-09T23:30:00+02:00', ['stf_1']), s('2026-06-11T00:00:00+02:00', ['stf_1'])];
    expect(pickSameDayAlternative(wanted, slots, TZ)).toBeNull();
  });
});
