import { branch, everyDay, staff, ZONE } from '../scheduling/scheduling.fixtures';
import { openStaffMinutes } from './open-minutes';

// Fixture branch: Mon–Fri 09–18, Sat 10–14, Sun closed (Europe/Berlin).
describe('openStaffMinutes', () => {
  it('counts branch hours ∩ working hours − breaks per day', () => {
    const anna = staff('stf_anna', { workingHours: everyDay([{ start: '08:00', end: '17:00' }]), breaks: { monday: [{ start: '12:00', end: '13:00' }] } });
    // Mon 2027-03-01: 09–17 minus 1 h break = 7 h; Sat 06: 10–14 = 4 h; Sun 07: closed.
    expect(openStaffMinutes({ branch: branch(), staff: [anna], from: '2027-03-01', to: '2027-03-01' }).get('stf_anna')).toBe(420);
    expect(openStaffMinutes({ branch: branch(), staff: [anna], from: '2027-03-06', to: '2027-03-07' }).get('stf_anna')).toBe(240);
  });

  it('removes special hours, closures and time off', () => {
    const b = branch({ specialHours: [{ date: '2027-03-02', open: true, start: '09:00', end: '12:00' }], closures: [{ date: '2027-03-03' }] });
    const anna = staff('stf_anna', { timeOff: [{ start: '2027-03-04T10:00:00+01:00', end: '2027-03-05T12:00:00+01:00' }] });
    const minutes = openStaffMinutes({ branch: b, staff: [anna, staff('stf_ben')], from: '2027-03-02', to: '2027-03-05' });
    // Tue 3 h, Wed closed, Thu 09–10 = 1 h, Fri 12–18 = 6 h
    expect(minutes.get('stf_anna')).toBe(600);
    expect(minutes.get('stf_ben')).toBe(180 + 540 + 540);
  });

  it('a DST day has its real length: the spring-forward Sunday open 00–24 is 23 hours', () => {
    const always = branch({ operatingHours: { sunday: { open: true, start: '00:00', end: '24:00' } } });
    const night = staff('stf_n', { workingHours: { sunday: [{ start: '00:00', end: '24:00' }] } });
    expect(ZONE).toBe('Europe/Berlin');
    expect(openStaffMinutes({ branch: always, staff: [night], from: '2027-03-28', to: '2027-03-28' }).get('stf_n')).toBe(23 * 60);
  });
});
