import { WEBHOOK_RETRY_WINDOW_MS, webhookBackoffMs } from './webhook-events';

test.each([
  [1, 5_000],
  [2, 10_000],
  [3, 20_000],
  [10, 2_560_000],
  [13, 20_480_000],
  [14, 21_600_000],
  [100, 21_600_000],
])('attempt %i waits %i ms', (attempt, ms) => {
  expect(webhookBackoffMs(attempt)).toBe(ms);
});

test('the schedule keeps trying within 72 hours, about 25 times', () => {
  let elapsed = 0;
  let attempts = 0;
  while (elapsed < WEBHOOK_RETRY_WINDOW_MS) elapsed += webhookBackoffMs(++attempts);
  expect(attempts).toBeGreaterThan(15);
  expect(attempts).toBeLessThan(30);
});

test('a shorter base scales the whole schedule (tests)', () => {
  expect(webhookBackoffMs(3, 100)).toBe(400);
});
