import { at, booking, branch, NOW, service, staff } from './scheduling.fixtures';
import { explainStart, type ExplainInput } from './explain';

const TUE = '2027-03-02';

function explain(over: Partial<ExplainInput> = {}) {
  return explainStart({ branch: branch(), staff: [staff('stf_anna')], service: service(), busy: [], now: NOW, start: at(TUE, '10:00'), ...over });
}

describe('explainStart', () => {
  it('says available with the free staff and no reasons', () => {
    expect(explain()).toEqual({
      available: true,
      start: '2027-03-02T10:00:00+01:00',
      end: '2027-03-02T10:45:00+01:00',
      staffIds: ['stf_anna'],
      resourceId: null,
      reasons: [],
    });
  });

  it.each<[string, Partial<ExplainInput>]>([
    ['branch_closed', { start: at('2027-03-07', '10:00') }],
    ['branch_closed', { branch: branch({ closures: [{ date: TUE, reason: 'Holiday' }] }) }],
    ['outside_business_hours', { start: at(TUE, '17:30') }],
    ['staff_not_working', { staff: [staff('stf_anna', { workingHours: { tuesday: [{ start: '11:00', end: '18:00' }] } })] }],
    ['staff_on_break', { staff: [staff('stf_anna', { breaks: { tuesday: [{ start: '10:30', end: '10:40' }] } })] }],
    ['staff_time_off', { staff: [staff('stf_anna', { timeOff: [{ start: at('2027-03-01', '20:00'), end: at(TUE, '10:15') }] })] }],
    ['staff_busy', { busy: [booking('stf_anna', TUE, '10:30', '11:00')] }],
    ['staff_busy', { busy: [booking('stf_anna', TUE, '09:00', '10:00')], service: service({ bufferBeforeMinutes: 5 }) }],
    ['staff_busy', { busy: [booking('stf_anna', TUE, '10:50', '11:30')], service: service({ travelMinutes: 10 }) }],
    ['resource_unavailable', { service: service({ resourceRequirements: ['room_a'] }), busy: [{ resourceId: 'room_a', start: at(TUE, '10:00'), end: at(TUE, '10:15') }] }],
    ['skill_mismatch', { service: service({ requiredSkills: ['color'] }), staffId: 'stf_anna' }],
    ['minimum_notice', { start: at('2027-03-01', '08:30') }],
    ['max_advance', { start: at('2027-06-01', '10:00') }],
    ['max_daily_bookings', { staff: [staff('stf_anna', { maxDailyBookings: 1 })], busy: [booking('stf_anna', TUE, '16:00', '17:00')] }],
    [
      'max_daily_bookings',
      { branch: branch({ rules: { maxDailyBookingsPerCustomer: 1 } }), customerId: 'cus_1', busy: [booking('stf_ben', TUE, '16:00', '17:00', { customerId: 'cus_1' })] },
    ],
    ['preference_mismatch', { preferences: { gender: 'male' } }],
    ['preference_mismatch', { preferences: { language: 'fr' } }],
    ['group_size', { participants: 3 }],
    ['invalid_duration', { durationMinutes: 60 }],
  ])('reports %s', (code, over) => {
    const r = explain(over);
    expect(r.available).toBe(false);
    expect(r.reasons.map((x) => x.code)).toContain(code);
    for (const reason of r.reasons) expect(reason.message.length).toBeGreaterThan(0);
  });

  it('lists every reason at once, naming the staff member where it concerns one', () => {
    const r = explain({ start: at('2027-03-01', '08:00'), busy: [booking('stf_anna', '2027-03-01', '08:00', '09:00')], staffId: 'stf_anna' });
    expect(r.reasons.map((x) => x.code).sort()).toEqual(['minimum_notice', 'outside_business_hours', 'staff_busy', 'staff_not_working']);
    expect(r.reasons.find((x) => x.code === 'staff_busy')?.staffId).toBe('stf_anna');
  });

  it('without staffId is available when any staff member is free, and names only the free ones', () => {
    const r = explain({ staff: [staff('stf_anna'), staff('stf_ben')], busy: [booking('stf_anna', TUE, '10:00', '11:00')] });
    expect(r.available).toBe(true);
    expect(r.staffIds).toEqual(['stf_ben']);
  });

  it('picks the first free listed resource', () => {
    const busy = [{ resourceId: 'room_a', start: at(TUE, '10:00'), end: at(TUE, '11:00') }];
    expect(explain({ service: service({ resourceRequirements: ['room_a', 'room_b'] }), busy }).resourceId).toBe('room_b');
  });
});
