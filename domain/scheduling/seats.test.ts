import { validateBooking } from '../booking/rules';
import { at, booking, branch, NOW, service, staff } from './scheduling.fixtures';
import { seatKeyOf } from './seats';
import { computeAvailability } from './slot-engine';
import type { BusyInterval } from './scheduling.types';

const TUE = '2027-03-02';
const yoga = service({ id: 'svc_yoga', durationMinutes: 60, seats: { capacity: 3 }, bufferAfterMinutes: 15 });
const seatRow = (n: number, start = at(TUE, '10:00'), staffId = 'stf_anna'): BusyInterval => ({
  staffId, start, end: new Date(Date.parse(start) + 75 * 60_000).toISOString(), bookingId: `bkg_seat_${n}_${start}`,
  seatKey: seatKeyOf('svc_yoga', Date.parse(start), staffId),
});
const slotsOf = (busy: BusyInterval[]) =>
  computeAvailability({ branch: branch(), staff: [staff('stf_anna')], service: yoga, busy, now: NOW, query: { from: TUE, to: TUE } }).days[0].slots;
const validate = (busy: BusyInterval[], start = at(TUE, '10:00')) =>
  validateBooking({ branch: branch(), staff: [staff('stf_anna')], service: yoga, busy, now: NOW, booking: { start, staffId: 'stf_anna', customerId: 'cus_1' } });

describe('seats', () => {
  it('lists seatsLeft on every slot of a seat service, and not on others', () => {
    expect(slotsOf([]).every((s) => s.seatsLeft === 3)).toBe(true);
    const plain = computeAvailability({ branch: branch(), staff: [staff('stf_anna')], service: service(), busy: [], now: NOW, query: { from: TUE, to: TUE } });
    expect(plain.days[0].slots[0]).not.toHaveProperty('seatsLeft');
  });

  it('the class start stays bookable until full; overlapping other starts are blocked by the first seat', () => {
    const one = [seatRow(1)];
    const at10 = slotsOf(one).find((s) => s.start === at(TUE, '10:00'));
    expect(at10?.seatsLeft).toBe(2);
    expect(slotsOf(one).map((s) => s.start)).not.toContain(at(TUE, '10:30'));
    expect(validate(one).ok).toBe(true);
    expect(validate(one, at(TUE, '10:30'))).toMatchObject({ ok: false, slotTaken: true });
    const full = [seatRow(1), seatRow(2), seatRow(3)];
    expect(slotsOf(full).map((s) => s.start)).not.toContain(at(TUE, '10:00'));
    expect(validate(full)).toMatchObject({ ok: false, slotTaken: true });
  });

  it('any other appointment of the staff member blocks the class, and a class blocks other services', () => {
    expect(validate([booking('stf_anna', TUE, '10:30', '11:00')])).toMatchObject({ ok: false, slotTaken: true });
    const cut = validateBooking({
      branch: branch(), staff: [staff('stf_anna')], service: service(), busy: [seatRow(1)], now: NOW,
      booking: { start: at(TUE, '10:00'), staffId: 'stf_anna', customerId: 'cus_1' },
    });
    expect(cut).toMatchObject({ ok: false, slotTaken: true });
  });

  it('a rescheduled seat booking does not count against itself', () => {
    const rows = [seatRow(1), seatRow(2), seatRow(3)];
    const r = validateBooking({
      branch: branch(), staff: [staff('stf_anna')], service: yoga, busy: rows, now: NOW, excludeBookingId: rows[0].bookingId,
      booking: { start: at(TUE, '10:00'), staffId: 'stf_anna', customerId: 'cus_1' },
    });
    expect(r.ok).toBe(true);
  });
});
