import { explainStart } from '../../scheduling/explain';
import { at, branch, NOW, service, staff } from '../../scheduling/scheduling.fixtures';
import { cutoffText, selfServicePolicyOf, selfServiceReasons, validateSelfServiceChange, type SelfServiceChange } from './self-service-change';
import { validateBooking } from './validate-booking';

// NOW is Monday 2027-03-01 07:00 Europe/Berlin.
const now = Date.parse(NOW);
const H = 3_600_000;
const policy = { cancellationCutoffHours: 24, maxReschedules: 3 };
const change = (over: Partial<SelfServiceChange> = {}): SelfServiceChange => ({ action: 'cancel', bookingStart: now + 48 * H, rescheduledCount: 0, ...over });
const rules = (c: SelfServiceChange, p = policy) => validateSelfServiceChange({ change: c, policy: p, now }).map((v) => v.rule);

describe('self-service change rules', () => {
  it.each<[string, Partial<SelfServiceChange>, string[]]>([
    ['cancel 48 h ahead', {}, []],
    ['cancel exactly 24 h ahead', { bookingStart: now + 24 * H }, []],
    ['cancel 23 h 59 min ahead', { bookingStart: now + 24 * H - 60_000 }, ['cancellation_cutoff']],
    ['cancel after the start', { bookingStart: now - H }, ['cancellation_cutoff']],
    ['cancel of a booking moved 3 times (not counted for cancels)', { rescheduledCount: 3 }, []],
    ['reschedule moved twice', { action: 'reschedule', rescheduledCount: 2 }, []],
    ['reschedule moved 3 times', { action: 'reschedule', rescheduledCount: 3 }, ['max_reschedules']],
    ['reschedule late and moved 3 times: both', { action: 'reschedule', rescheduledCount: 3, bookingStart: now + H }, ['cancellation_cutoff', 'max_reschedules']],
  ])('%s → %j', (_label, over, expected) => {
    expect(rules(change(over))).toEqual(expected);
  });

  it('a cut-off of 0 still refuses a started booking; maxReschedules 0 refuses every move', () => {
    expect(rules(change({ bookingStart: now + 60_000 }), { cancellationCutoffHours: 0, maxReschedules: 3 })).toEqual([]);
    expect(rules(change({ bookingStart: now }), { cancellationCutoffHours: 0, maxReschedules: 3 })).toEqual(['cancellation_cutoff']);
    expect(rules(change({ action: 'reschedule' }), { cancellationCutoffHours: 0, maxReschedules: 0 })).toEqual(['max_reschedules']);
  });

  it('a branch may switch a rule off', () => {
    expect(validateSelfServiceChange({ change: change({ bookingStart: now + H }), policy, now, disabledRules: ['cancellation_cutoff'] })).toEqual([]);
  });

  it('reads the branch settings with the defaults (24 h, 3)', () => {
    expect(selfServicePolicyOf(null)).toEqual({ cancellationCutoffHours: 24, maxReschedules: 3 });
    expect(selfServicePolicyOf({ cancellationCutoffHours: 2, maxReschedules: 0, minimumNoticeMinutes: 5 })).toEqual({ cancellationCutoffHours: 2, maxReschedules: 0 });
    expect(selfServicePolicyOf({ cancellationCutoffHours: -1, maxReschedules: 'x' })).toEqual({ cancellationCutoffHours: 24, maxReschedules: 3 });
  });

  it('the violation names the rule and says why', () => {
    const [v] = validateSelfServiceChange({ change: change({ bookingStart: now + H }), policy, now });
    expect(v).toMatchObject({ rule: 'cancellation_cutoff', reasons: ['cancellation_cutoff'], message: expect.stringContaining('24 hours') });
  });
});

describe('the cut-off in the words a customer reads', () => {
  it.each<[number, string]>([
    [1, '1 hour'],
    [24, '24 hours'],
    [47, '47 hours'],
    [48, '2 days'],
    [54, '2 days and 6 hours'],
    [73, '3 days and 1 hour'],
    [8_760, '365 days'],
  ])('%i hours → %s', (hours, text) => {
    expect(cutoffText(hours)).toBe(text);
  });

  it('a year\'s cut-off is told in days, not hours', () => {
    const [v] = validateSelfServiceChange({ change: change({ bookingStart: now + 48 * H }), policy: { cancellationCutoffHours: 8_760, maxReschedules: 3 }, now });
    expect(v.message).toBe('Appointments can be cancelled online until 365 days before they start; please contact the branch');
  });
});

describe('self-service rules in the booking rule list and explain', () => {
  const base = { branch: branch(), staff: [staff('stf_anna')], service: service(), busy: [], now: NOW };
  const newStart = at('2027-03-03', '10:00');

  it('a self-service reschedule is validated with every rule: the slot rules and the change rules together', () => {
    const selfService = { change: change({ action: 'reschedule', rescheduledCount: 3, bookingStart: now + H }), policy };
    const r = validateBooking({ ...base, customer: { id: 'cus_1', blocked: true }, booking: { start: newStart, staffId: 'stf_anna', customerId: 'cus_1' }, selfService });
    expect(r.ok).toBe(false);
    expect(r.slotTaken).toBe(false);
    expect(r.violations.map((v) => v.rule)).toEqual(['customer_blocked', 'cancellation_cutoff', 'max_reschedules']);
  });

  it('without the self-service context (company keys) the same move passes', () => {
    expect(validateBooking({ ...base, booking: { start: newStart, staffId: 'stf_anna', customerId: 'cus_1' } }).ok).toBe(true);
  });

  it('explain lists the change reasons', () => {
    const extraReasons = selfServiceReasons(change({ action: 'reschedule', rescheduledCount: 5 }), policy, now);
    const ex = explainStart({ ...base, start: newStart, extraReasons });
    expect(ex.available).toBe(false);
    expect(ex.reasons.map((r) => r.code)).toEqual(['max_reschedules']);
  });
});
