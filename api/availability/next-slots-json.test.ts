import { nextSlotsJson, type NextSlot } from './next-slots';

const slot = (start: string, price?: number): NextSlot => ({
  start, end: start.replace('T09', 'T10'), staffId: 'stf_a', staffName: 'Zoë "Z" Ångström',
  staff: [{ id: 'stf_a', name: 'Zoë "Z" Ångström' }, { id: 'stf_b', name: 'Ben\\n' }],
  ...(price !== undefined ? { price } : {}),
});

describe('nextSlotsJson', () => {
  it.each([
    ['no slots', []],
    ['one slot', [slot('2030-06-03T09:00:00+02:00')]],
    ['slots with a price, shared (frozen) or not', [Object.freeze(slot('2030-06-03T09:00:00+02:00', 42.5)), slot('2030-06-04T09:00:00+02:00', 0)]],
  ])('is JSON.stringify of the answer: %s', (_name, slots) => {
    const answer = { slots: slots as NextSlot[] };
    expect(nextSlotsJson(answer)).toBe(JSON.stringify(answer));
    // Twice: the second time from the remembered texts of the frozen slots.
    expect(nextSlotsJson(answer)).toBe(JSON.stringify(answer));
  });
});
