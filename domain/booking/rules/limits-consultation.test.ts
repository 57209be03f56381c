import { computeAvailability } from '../../scheduling/slot-engine';
import { explainStart } from '../../scheduling/explain';
import { periodOf } from '../../scheduling/limits';
import { at, booking, branch, NOW, service, staff, startLabels } from '../../scheduling/scheduling.fixtures';
import type { BookingLimits, BusyInterval, ValidateBookingInputLike } from './limits-consultation.test-types';
import { validateBooking } from './validate-booking';

// NOW is Monday 2027-03-01 07:00 Europe/Berlin.
const WED = '2027-03-03';
const custBooking = (date: string, from: string, over: Partial<BusyInterval> = {}): BusyInterval =>
  booking('stf_ben', date, from, addMinutes(from, 45), { customerId: 'cus_1', branchId: 'br_1', serviceId: 'svc_cut', ...over });

function addMinutes(hm: string, m: number): string {
  const total = Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3)) + m;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function validate(over: Partial<ValidateBookingInputLike> = {}, start = at(WED, '10:00'), staffId: string | null = 'stf_anna') {
  return validateBooking({
    branch: branch(),
    staff: [staff('stf_anna'), staff('stf_ben')],
    service: service(),
    busy: [],
    now: NOW,
    customer: { id: 'cus_1', blocked: false },
    ...over,
    booking: { start, staffId, customerId: 'cus_1' },
  });
}

describe('periodOf', () => {
  it.each([
    ['2027-03-03', 'week', '2027-03-01', '2027-03-08'],
    ['2027-03-07', 'week', '2027-03-01', '2027-03-08'], // Sunday still belongs to Monday's week
    ['2027-03-08', 'week', '2027-03-08', '2027-03-15'],
    ['2027-12-31', 'month', '2027-12-01', '2028-01-01'],
    ['2027-02-28', 'day', '2027-02-28', '2027-03-01'],
  ] as const)('%s %s → [%s, %s)', (date, period, first, next) => {
    expect(periodOf(date, period)).toEqual({ first, next });
  });
});

describe('booking_limit', () => {
  const perCustomerWeek: BookingLimits = { perCustomer: { week: 2 } };

  it('refuses the customer\'s third booking of a week, naming the limit; the next week is free again', () => {
    const busy = [custBooking('2027-03-01', '12:00'), custBooking('2027-03-02', '12:00')];
    const r = validate({ branch: branch({ limits: perCustomerWeek }), busy });
    expect(r.ok).toBe(false);
    expect(r.slotTaken).toBe(false);
    expect(r.violations).toEqual([
      expect.objectContaining({ rule: 'booking_limit', limits: ['branch.perCustomer.week'], message: expect.stringContaining('branch.perCustomer.week') }),
    ]);
    expect(validate({ branch: branch({ limits: perCustomerWeek }), busy }, at('2027-03-08', '10:00')).ok).toBe(true);
  });

  it('a week starts on Monday in the branch zone (Sunday 23:00 local is the old week)', () => {
    const sundayLate = custBooking('2027-03-07', '23:00', { staffId: 'stf_x' });
    const busy = [custBooking('2027-03-02', '12:00'), sundayLate];
    const limits: BookingLimits = { perCustomer: { week: 2 } };
    expect(validate({ branch: branch({ limits }), busy }).violations.map((v) => v.rule)).toEqual(['booking_limit']);
    expect(validate({ branch: branch({ limits }), busy }, at('2027-03-08', '10:00')).ok).toBe(true);
  });

  it('a service limit counts only that service; a branch limit counts only that branch', () => {
    const other = custBooking('2027-03-02', '12:00', { serviceId: 'svc_color' });
    const elsewhere = custBooking('2027-03-02', '15:00', { branchId: 'br_2', serviceId: 'svc_elsewhere' });
    expect(validate({ service: service({ limits: { perCustomer: { month: 1 } } }), busy: [other, elsewhere] }).ok).toBe(true);
    expect(validate({ branch: branch({ limits: { perCustomer: { month: 1 } } }), busy: [elsewhere] }).ok).toBe(true);
    expect(validate({ branch: branch({ limits: { perCustomer: { month: 1 } } }), busy: [other] }).violations[0].limits).toEqual(['branch.perCustomer.month']);
  });

  it('a staff limit refuses that member (422, not a conflict), auto-assign takes another, slots drop them', () => {
    const limits: BookingLimits = { perStaff: { day: 1 } };
    const busy = [booking('stf_anna', WED, '15:00', '16:00', { branchId: 'br_1', serviceId: 'svc_cut' })];
    const r = validate({ service: service({ limits }), busy });
    expect(r).toMatchObject({ ok: false, slotTaken: false });
    expect(r.violations.map((v) => v.rule)).toEqual(['booking_limit']);
    expect(validate({ service: service({ limits }), busy }, at(WED, '10:00'), null).freeStaffIds).toEqual(['stf_ben']);
    const days = computeAvailability({
      branch: branch(), staff: [staff('stf_anna')], service: service({ limits }), busy, now: NOW, query: { from: WED, to: '2027-03-04' },
    }).days;
    expect(startLabels(days[0])).toEqual([]);
    expect(startLabels(days[1])).toContain('09:00');
    const ex = explainStart({ branch: branch(), staff: [staff('stf_anna')], service: service({ limits }), busy, now: NOW, start: at(WED, '10:00') });
    expect(ex.available).toBe(false);
    expect(ex.reasons).toEqual([expect.objectContaining({ code: 'booking_limit', staffId: 'stf_anna', limit: 'service.perStaff.day' })]);
  });

  it('availability for a customer at their limit lists nothing that day', () => {
    const busy = [custBooking(WED, '12:00')];
    const days = computeAvailability({
      branch: branch({ limits: { perCustomer: { day: 1 } } }), staff: [staff('stf_anna'), staff('stf_ben')], service: service(), busy, now: NOW,
      query: { from: WED, to: '2027-03-04', customerId: 'cus_1' },
    }).days;
    expect(days[0].slots).toEqual([]);
    expect(days[1].slots.length).toBeGreaterThan(0);
  });

  it('a rescheduled booking does not count against itself', () => {
    const own = custBooking(WED, '12:00');
    const r = validateBooking({
      branch: branch({ limits: { perCustomer: { day: 1 } } }), staff: [staff('stf_anna'), staff('stf_ben')], service: service(), busy: [own], now: NOW,
      customer: { id: 'cus_1', blocked: false }, excludeBookingId: own.bookingId,
      booking: { start: at(WED, '15:00'), staffId: 'stf_ben', customerId: 'cus_1' },
    });
    expect(r.ok).toBe(true);
  });
});

describe('consultation_required', () => {
  const treatment = service({ id: 'svc_treat', requiresConsultation: true, consultationServiceId: 'svc_consult' });

  it.each([
    ['no history', [], false],
    ['completed 100 days ago', [{ serviceId: 'svc_consult', status: 'completed', start: '2026-11-21T10:00:00+01:00' }], true],
    ['completed 400 days ago', [{ serviceId: 'svc_consult', status: 'completed', start: '2026-01-25T10:00:00+01:00' }], false],
    ['confirmed the day before', [{ serviceId: 'svc_consult', status: 'confirmed', start: at('2027-03-02', '10:00') }], true],
    ['confirmed after the start', [{ serviceId: 'svc_consult', status: 'confirmed', start: at('2027-03-04', '10:00') }], false],
    ['cancelled before', [{ serviceId: 'svc_consult', status: 'cancelled', start: at('2027-03-02', '10:00') }], false],
    ['another service completed', [{ serviceId: 'svc_other', status: 'completed', start: '2027-02-21T10:00:00+01:00' }], false],
  ] as const)('%s → ok %s', (_label, history, ok) => {
    const r = validate({ service: treatment, customerHistory: [...history] });
    expect(r.ok).toBe(ok);
    if (!ok) expect(r.violations.map((v) => v.rule)).toEqual(['consultation_required']);
  });

  it('a service without consultationServiceId keeps the flag informational; explain names the rule for a customer', () => {
    expect(validate({ service: service({ requiresConsultation: true }) }).ok).toBe(true);
    const ex = explainStart({ branch: branch(), staff: [staff('stf_anna')], service: treatment, busy: [], now: NOW, start: at(WED, '10:00'), customerId: 'cus_1' });
    expect(ex.reasons.map((r) => r.code)).toEqual(['consultation_required']);
  });
});
