/**
 * Front desk: one branch's day in the branch's zone. Staff are columns; bookings are coloured by
 * status; closed hours, off-duty time, breaks and time off are shaded; the free starts of the
 * chosen service are buttons (click → book for a customer). Polls, so others' changes show up.
 */
import { useMemo, useState } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { addDays, formatDate, hm, minuteOfDay, todayIn } from '../../lib/time';
import type { Booking, Slot, Staff } from '../../lib/types';
import { useAvailability, useBranches, useCustomers, useDayBookings, useServices, useStaff, useTimeOff } from './api';
import { ApprovalQueue } from './ApprovalQueue';
import { BookDialog } from './BookDialog';
import { BookingDialog } from './BookingDialog';
import { openingHours, shadesFor, viewSpan } from './day-layout';

const PX_PER_MIN = 1.6;
const HIDDEN = new Set(['cancelled', 'declined', 'failed']);

export function DayView() {
  const branches = useBranches();
  const [branchId, setBranchId] = useState<string>();
  const branch = branches.data?.data.find((b) => b.id === branchId) ?? branches.data?.data[0];
  const zone = branch?.timezone ?? 'UTC';
  const [date, setDate] = useState<string>();
  const day = date ?? todayIn(zone);
  const staff = useStaff(branch?.id);
  const services = useServices(branch?.id);
  const [serviceId, setServiceId] = useState<string>();
  const service = services.data?.find((s) => s.id === serviceId) ?? services.data?.[0];
  const bookings = useDayBookings(branch?.id, day);
  const availability = useAvailability(branch?.id, service?.id, day);
  const staffList = useMemo(() => (staff.data?.data ?? []).filter((s) => s.branchId === branch?.id), [staff.data, branch?.id]);
  const timeOff = useTimeOff(staffList);
  const [booking, setBooking] = useState<{ slot: Slot; staffId: string } | null>(null);
  const [openBooking, setOpenBooking] = useState<string | null>(null);

  const live = (bookings.data?.data ?? []).filter((b) => !HIDDEN.has(b.status));
  const hidden = (bookings.data?.data ?? []).filter((b) => HIDDEN.has(b.status));
  const missingCustomers = [...new Set((bookings.data?.data ?? []).filter((b) => !b.customer).map((b) => b.customerId))];
  const customerQueries = useCustomers(missingCustomers);
  const customerName = (b: Booking) => b.customer?.name ?? customerQueries[missingCustomers.indexOf(b.customerId)]?.data?.name ?? '…';
  const serviceName = (b: Booking) => b.service?.name ?? services.data?.find((s) => s.id === b.serviceId)?.name ?? '';

  if (branches.error) return <ProblemView error={branches.error} />;
  if (!branch) return <p>{branches.isLoading ? 'Loading…' : 'No branch yet: create one under Catalog.'}</p>;

  const open = openingHours(branch, day);
  const span = viewSpan(
    open,
    staffList,
    day,
    live.map((b) => ({ from: minuteOfDay(b.start, zone), to: minuteOfDay(b.end, zone) })),
  );
  const height = (span.to - span.from) * PX_PER_MIN;
  const top = (minute: number) => (minute - span.from) * PX_PER_MIN;
  const step = Number((branch.rules as { slotIntervalMinutes?: number } | undefined)?.slotIntervalMinutes ?? 15);
  const slots = availability.data?.days.find((d) => d.date === day)?.slots ?? [];
  const hours: number[] = [];
  for (let m = span.from; m < span.to; m += 60) hours.push(m);

  return (
    <section aria-labelledby="day-title">
      <div className="toolbar">
        <h1 id="day-title">Front desk</h1>
        <label>
          Branch{' '}
          <select value={branch.id} onChange={(e) => setBranchId(e.target.value)}>
            {branches.data?.data.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <div className="day-nav" role="group" aria-label="Day">
          <button type="button" onClick={() => setDate(addDays(day, -1))} aria-label="Previous day">
            ‹
          </button>
          <input type="date" aria-label="Date" value={day} onChange={(e) => e.target.value && setDate(e.target.value)} />
          <button type="button" onClick={() => setDate(addDays(day, 1))} aria-label="Next day">
            ›
          </button>
          <button type="button" onClick={() => setDate(todayIn(zone))}>
            Today
          </button>
        </div>
        <label>
          Free slots for{' '}
          <select value={service?.id ?? ''} onChange={(e) => setServiceId(e.target.value)}>
            {services.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.durationMinutes} min)
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="subtle">
        {formatDate(day, 'en-GB')} · {zone} · {open ? `open ${hm(open.from)}–${hm(open.to)}` : 'closed'} · {live.length} booking(s)
        {hidden.length > 0 && `, ${hidden.length} cancelled/declined/failed not shown`}
        {bookings.isFetching && <span className="subtle"> · refreshing</span>}
      </p>
      <ApprovalQueue branchId={branch.id} zone={zone} from={todayIn(zone)} onOpen={(b) => setOpenBooking(b.id)} />
      <Legend />
      <ProblemView error={bookings.error ?? availability.error ?? staff.error} />
      <div className="day-grid" style={{ gridTemplateColumns: `4rem repeat(${Math.max(staffList.length, 1)}, minmax(9rem, 1fr))` }}>
        <div className="col-head" aria-hidden="true" />
        {staffList.map((s) => (
          <div key={s.id} className="col-head">
            {s.name}
          </div>
        ))}
        <div className="time-col" style={{ height }} aria-hidden="true">
          {hours.map((m) => (
            <span key={m} style={{ top: top(m) }}>
              {hm(m)}
            </span>
          ))}
        </div>
        {staffList.map((s, index) => (
          <StaffColumn
            key={s.id}
            staff={s}
            height={height}
            top={top}
            hours={hours}
            shades={shadesFor(s, day, zone, span, open, timeOff[index]?.data?.data ?? [])}
            bookings={live.filter((b) => b.staffId === s.id)}
            slots={slots.filter((slot) => slot.staffIds.includes(s.id))}
            step={step}
            zone={zone}
            label={(b) => `${customerName(b)} · ${serviceName(b)}`}
            onSlot={(slot) => setBooking({ slot, staffId: s.id })}
            onBooking={(b) => setOpenBooking(b.id)}
          />
        ))}
      </div>
      {booking && service && (
        <BookDialog branch={branch} service={service} staff={staffList.find((s) => s.id === booking.staffId) as Staff} slot={booking.slot} onClose={() => setBooking(null)} />
      )}
      {openBooking && <BookingDialog bookingId={openBooking} branch={branch} staff={staffList} onClose={() => setOpenBooking(null)} />}
    </section>
  );
}

function StaffColumn(props: {
  staff: Staff;
  height: number;
  top: (minute: number) => number;
  hours: number[];
  shades: ReturnType<typeof shadesFor>;
  bookings: Booking[];
  slots: Slot[];
  step: number;
  zone: string;
  label: (b: Booking) => string;
  onSlot: (slot: Slot) => void;
  onBooking: (b: Booking) => void;
}) {
  const { top, zone } = props;
  return (
    <div className="staff-col" style={{ height: props.height }} role="group" aria-label={`${props.staff.name}'s day`}>
      {props.hours.map((m) => (
        <div key={m} className="hour-line" style={{ top: top(m) }} />
      ))}
      {props.shades.map((s, i) => (
        <div key={i} className={`shade shade-${s.kind}`} style={{ top: top(s.from), height: (s.to - s.from) * PX_PER_MIN }} title={`${s.label} ${hm(s.from)}–${hm(s.to)}`}>
          <span>{s.label}</span>
        </div>
      ))}
      {props.slots.map((slot) => {
        const from = minuteOfDay(slot.start, zone);
        return (
          <button
            key={slot.start}
            type="button"
            className="free-slot"
            style={{ top: top(from), height: props.step * PX_PER_MIN - 2 }}
            onClick={() => props.onSlot(slot)}
            aria-label={`Book ${props.staff.name} at ${hm(from)}`}
          >
            {hm(from)}
          </button>
        );
      })}
      {props.bookings.map((b) => {
        const from = minuteOfDay(b.start, zone);
        const to = minuteOfDay(b.end, zone);
        return (
          <button
            key={b.id}
            type="button"
            className={`booking status-${b.status}`}
            style={{ top: top(from), height: Math.max((to - from) * PX_PER_MIN - 2, 18) }}
            onClick={() => props.onBooking(b)}
          >
            <strong>
              {hm(from)}–{hm(to)}
            </strong>{' '}
            {props.label(b)} <em>{b.status.replace('_', ' ')}</em>
          </button>
        );
      })}
    </div>
  );
}

function Legend() {
  const items = ['confirmed', 'pending', 'awaiting_approval', 'completed', 'no_show'];
  return (
    <ul className="legend" aria-label="Legend">
      {items.map((s) => (
        <li key={s}>
          <span className={`swatch status-${s}`} /> {s.replace('_', ' ')}
        </li>
      ))}
      <li>
        <span className="swatch free" /> free (click to book)
      </li>
      <li>
        <span className="swatch shade-break" /> break
      </li>
      <li>
        <span className="swatch shade-time-off" /> time off
      </li>
      <li>
        <span className="swatch shade-closed" /> closed / not working
      </li>
    </ul>
  );
}
