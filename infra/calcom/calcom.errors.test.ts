import { CalcomError, classifyStatus, parseErrorBody, parseRetryAfterMs } from './calcom.errors';

describe('parseErrorBody', () => {
  it.each([
    [
      'Nest envelope with details',
      '{"status":"error","timestamp":"t","path":"/v2/bookings","error":{"code":"BadRequestException","message":"User either already has booking at this time or is not available","details":{"message":"User either already has booking at this time or is not available","error":"Bad Request","statusCode":400}}}',
      { message: 'User either already has booking at this time or is not available', code: 'BadRequestException' },
    ],
    [
      'validation array',
      '{"status":"error","error":{"code":"BadRequestException","message":"Bad Request Exception","details":{"message":["a","b"],"statusCode":400}}}',
      { message: 'Bad Request Exception: a; b', code: 'BadRequestException' },
    ],
    ['Prisma constant', '{"status":"error","error":{"code":"CONFLICT","message":"Invalid Input: Trying to create a record that already exists."}}', { message: 'Invalid Input: Trying to create a record that already exists.', code: 'CONFLICT' }],
    ['raw core error', '{"statusCode":404,"message":"Could not find original booking"}', { message: 'Could not find original booking' }],
    ['not JSON', '<html>Bad gateway</html>', { message: '<html>Bad gateway</html>' }],
    ['empty', '', { message: 'empty response body' }],
  ])('%s', (_name, text, expected) => {
    expect(parseErrorBody(text)).toEqual(expected);
  });
});

describe('classifyStatus', () => {
  it.each([
    [429, 'Too Many Requests', 'rate_limited'],
    [500, 'x', 'server'],
    [503, 'x', 'server'],
    [408, 'x', 'timeout'],
    [409, 'Invalid Input: Trying to create a record that already exists.', 'duplicate'],
    [404, 'Booking not found', 'not_found'],
    [400, 'User either already has booking at this time or is not available', 'slot_taken'],
    [400, 'One of the hosts either already has booking at this time or is not available', 'slot_taken'],
    [400, 'The event type can\'t be booked at the "start" time provided', 'slot_taken'],
    [422, 'This time slot is already reserved by another user. Please choose a different time.', 'slot_taken'],
    [400, 'Attempting to book a meeting in the past.', 'client'],
    [401, 'Invalid API Key', 'client'],
    [403, 'Forbidden', 'client'],
  ] as const)('%i %s → %s', (status, message, kind) => {
    expect(classifyStatus(status, { message })).toBe(kind);
  });
});

describe('CalcomError', () => {
  it('derives retryable from the kind', () => {
    expect(new CalcomError({ kind: 'timeout', message: 'x' }).retryable).toBe(true);
    expect(new CalcomError({ kind: 'network', message: 'x' }).retryable).toBe(true);
    expect(new CalcomError({ kind: 'slot_taken', message: 'x', status: 400 }).retryable).toBe(false);
    expect(new CalcomError({ kind: 'duplicate', message: 'x', status: 409 }).retryable).toBe(false);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('3')).toBe(3000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfterMs(null)).toBeUndefined();
    expect(parseRetryAfterMs('soon')).toBeUndefined();
  });
});
