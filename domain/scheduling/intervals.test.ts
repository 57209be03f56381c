import { containing, intersect, normalize, overlapsAny, subtract, type Interval } from './intervals';

const iv = (...pairs: [number, number][]): Interval[] => pairs.map(([start, end]) => ({ start, end }));

describe('intervals', () => {
  it.each([
    ['sorts and merges overlaps', iv([5, 8], [1, 3], [2, 4]), iv([1, 4], [5, 8])],
    ['merges touching intervals', iv([1, 2], [2, 3]), iv([1, 3])],
    ['drops empty and inverted', iv([1, 1], [3, 2], [4, 6]), iv([4, 6])],
    ['keeps containment once', iv([1, 10], [2, 3]), iv([1, 10])],
  ])('normalize: %s', (_, input, expected) => {
    expect(normalize(input)).toEqual(expected);
  });

  it.each([
    ['partial overlap', iv([1, 5]), iv([3, 8]), iv([3, 5])],
    ['several pieces', iv([0, 10]), iv([1, 2], [4, 6], [9, 12]), iv([1, 2], [4, 6], [9, 10])],
    ['disjoint', iv([0, 1]), iv([1, 2]), []],
  ])('intersect: %s', (_, a, b, expected) => {
    expect(intersect(a, b)).toEqual(expected);
  });

  it.each([
    ['hole in the middle', iv([0, 10]), iv([3, 4]), iv([0, 3], [4, 10])],
    ['covers the start', iv([0, 10]), iv([-5, 2]), iv([2, 10])],
    ['covers everything', iv([0, 10]), iv([-1, 11]), []],
    ['one b over two a', iv([0, 5], [6, 10]), iv([4, 7]), iv([0, 4], [7, 10])],
    ['nothing to remove', iv([0, 5]), [], iv([0, 5])],
  ])('subtract: %s', (_, a, b, expected) => {
    expect(subtract(a, b)).toEqual(expected);
  });

  it.each([
    [0, 1, false],
    [0, 2, true],
    [5, 6, false],
    [4, 5, true],
    [12, 20, true],
    [25, 30, false],
  ])('overlapsAny [%d, %d) → %s (half-open)', (s, e, expected) => {
    expect(overlapsAny(iv([1, 5], [10, 20]), s, e)).toBe(expected);
  });

  it('containing finds the single interval that holds a range', () => {
    const list = iv([1, 5], [10, 20]);
    expect(containing(list, 10, 20)).toEqual({ start: 10, end: 20 });
    expect(containing(list, 4, 11)).toBeUndefined();
    expect(containing(list, 0, 2)).toBeUndefined();
  });
});
