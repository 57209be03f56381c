import { at, booking, branch, everyDay, NOW, service, staff } from '../../scheduling/scheduling.fixtures';
import type { ValidateBookingInput } from './rule.types';
import { validateBooking } from './validate-booking';

const TUE = '2027-03-02';

function validate(over: Partial<ValidateBookingInput> = {}, req: Partial<ValidateBookingInput['booking']> = {}) {
  return validateBooking({
    branch: branch(),
    staff: [staff('stf_anna'), staff('stf_ben', { gender: 'male', languages: ['en'] })],
    service: service(),
    busy: [],
    now: NOW,
    customer: { id: 'cus_1', blocked: false },
    ...over,
    booking: { start: at(TUE, '10:00'), staffId: 'stf_anna', customerId: 'cus_1', ...req },
  });
}

const rules = (r: ReturnType<typeof validate>) => r.violations.map((v) => v.rule);

describe('validateBooking', () => {
  it('passes a free start and reports the free staff', () => {
    expect(validate()).toMatchObject({ ok: true, violations: [], slotTaken: false, freeStaffIds: ['stf_anna'], start: '2027-03-02T10:00:00+01:00' });
  });

  it.each<[string, Partial<ValidateBookingInput>, Partial<ValidateBookingInput['booking']>]>([
    // now 08:00 + 120 min notice: 09:30 (inside all hours) is 30 minutes too early.
    ['minimum_notice', { now: '2027-03-01T08:00:00+01:00' }, { start: at('2027-03-01', '09:30') }],
    ['max_advance', {}, { start: at('2027-06-01', '10:00') }],
    ['business_hours', {}, { start: at('2027-03-07', '10:00') }],
    // Anna works until 20:00 here, so only the branch's hours (18:00) are broken.
    ['business_hours', { staff: [staff('stf_anna', { workingHours: everyDay([{ start: '09:00', end: '20:00' }]) })] }, { start: at(TUE, '17:30') }],
    ['staff_availability', { busy: [booking('stf_anna', TUE, '10:00', '10:30')] }, {}],
    ['staff_availability', {}, { staffId: 'stf_nobody' }],
    ['staff_availability', {}, { preferences: { gender: 'male' } }],
    ['staff_availability', { service: service({ requiredSkills: ['color'] }) }, { staffId: null }],
    ['service_availability', { service: service({ active: false }) }, {}],
    ['service_availability', {}, { durationMinutes: 50 }],
    ['service_availability', { service: service({ resourceRequirements: ['room_a'] }), busy: [{ resourceId: 'room_a', start: at(TUE, '10:00'), end: at(TUE, '12:00') }] }, {}],
    ['customer_blocked', { customer: { id: 'cus_1', blocked: true, blockedReason: 'no-shows' } }, {}],
    ['max_daily_bookings', { staff: [staff('stf_anna', { maxDailyBookings: 1 })], busy: [booking('stf_anna', TUE, '15:00', '16:00')] }, {}],
    ['max_daily_bookings', { branch: branch({ rules: { maxDailyBookingsPerCustomer: 1 } }), busy: [booking('stf_ben', TUE, '15:00', '16:00', { customerId: 'cus_1' })] }, {}],
    ['group_size', { service: service({ group: { minParticipants: 2, maxParticipants: 4 } }) }, { participants: 5 }],
    ['group_size', {}, { participants: 2 }],
  ])('flags %s', (rule, over, req) => {
    const r = validate(over, req);
    expect(r.ok).toBe(false);
    expect(rules(r)).toEqual([rule]);
    expect(r.violations[0].message).not.toHaveLength(0);
  });

  it('returns every failing rule, one violation per rule, in API order', () => {
    const r = validate(
      { customer: { id: 'cus_1', blocked: true }, service: service({ group: { minParticipants: 2, maxParticipants: 3 } }) },
      { start: at('2027-03-07', '08:00'), participants: 9, durationMinutes: 30 },
    );
    expect(rules(r)).toEqual(['business_hours', 'staff_availability', 'service_availability', 'customer_blocked', 'group_size']);
    expect(r.slotTaken).toBe(false);
  });

  it('marks a start held by another booking as slotTaken (409, not 422)', () => {
    const r = validate({ busy: [booking('stf_anna', TUE, '10:15', '11:00')] });
    expect(r).toMatchObject({ ok: false, slotTaken: true });
    expect(r.violations[0].reasons).toEqual(['staff_busy']);
  });

  it('auto-assign passes while any matching staff member is free, and is slotTaken when all are booked', () => {
    const busy = [booking('stf_anna', TUE, '10:00', '11:00')];
    expect(validate({ busy }, { staffId: null }).freeStaffIds).toEqual(['stf_ben']);
    const both = [...busy, booking('stf_ben', TUE, '10:00', '11:00')];
    expect(validate({ busy: both }, { staffId: null })).toMatchObject({ ok: false, slotTaken: true });
  });

  it('auto-assign with nobody matching the preferences is a staff_availability violation, not a conflict', () => {
    const r = validate({}, { staffId: null, preferences: { language: 'fr' } });
    expect(rules(r)).toEqual(['staff_availability']);
    expect(r.slotTaken).toBe(false);
  });

  it.each([
    ['minimum_notice', '2027-03-01T08:00:00+01:00', { start: at('2027-03-01', '09:30') }],
    ['business_hours', NOW, { start: at(TUE, '17:30'), staffId: 'stf_late' }],
    ['group_size', NOW, { participants: 2 }],
  ] as const)('a branch can switch off %s', (rule, now, req) => {
    const late = staff('stf_late', { workingHours: { tuesday: [{ start: '09:00', end: '20:00' }] } });
    const b = (disabledRules: ('minimum_notice' | 'business_hours' | 'group_size')[]) => branch({ rules: { disabledRules } });
    expect(rules(validate({ now, branch: b([]), staff: [staff('stf_anna'), late] }, req))).toContain(rule);
    expect(validate({ now, branch: b([rule]), staff: [staff('stf_anna'), late] }, req).ok).toBe(true);
  });
});
