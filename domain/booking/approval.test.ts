import { approvalDeadline } from './approval';

const now = Date.parse('2027-03-01T08:00:00Z');
const h = (n: number) => n * 60 * 60 * 1000;

describe('approvalDeadline', () => {
  it.each([
    ['the timeout when the start is later', now + h(72), 24, now + h(24)],
    ['the start when it comes before the timeout', now + h(5), 24, now + h(5)],
    ['a short timeout', now + h(72), 1, now + h(1)],
    ['now when the start is already past (never in the past)', now - h(1), 24, now],
  ])('is %s', (_label, start, hours, expected) => {
    expect(approvalDeadline(now, start, hours)).toBe(expected);
  });
});
