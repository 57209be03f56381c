/**
 * One booking at the front desk: details and history, reschedule (pick a free time of a day; a
 * time taken meanwhile shows the alternatives), cancel, no-show, complete, approve or decline.
 * The buttons follow the status; the API has the last word and its refusal is shown as it said.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { ProblemView } from '../../components/ProblemView';
import { ApiProblem } from '../../lib/api-client';
import { currentRole } from '../../lib/console-client';
import { formatDateTime, formatTime } from '../../lib/time';
import type { Alternative, Branch, Staff } from '../../lib/types';
import { bookingAction, getBooking, reschedule, useAvailability, useCustomers, type BookingAction } from './api';
import { Alternatives } from './BookDialog';

// What the API accepts (activities/booking-change.activities.ts): only a confirmed booking moves;
// one awaiting approval cancels too (the request is withdrawn); a pending one is still being booked.
const MOVABLE = ['confirmed'];
const CANCELLABLE = ['awaiting_approval', 'confirmed'];

export function BookingDialog({ bookingId, branch, staff, onClose }: { bookingId: string; branch: Branch; staff: Staff[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  // Approving and declining are the manager's (the API says so too).
  const mayDecide = currentRole() === 'manager';
  const booking = useQuery({ queryKey: ['booking', bookingId], queryFn: () => getBooking(bookingId) });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [moving, setMoving] = useState(false);
  const zone = branch.timezone;
  const b = booking.data;
  const customers = useCustomers(b && !b.customer ? [b.customerId] : []);
  const customer = b?.customer ?? customers[0]?.data;

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      await Promise.all(['booking', 'bookings', 'availability'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
      return true;
    } catch (e) {
      setError(e);
      await queryClient.invalidateQueries({ queryKey: ['booking', bookingId] });
      return false;
    } finally {
      setBusy(false);
    }
  }
  const act = (action: BookingAction, body?: Record<string, unknown>) => void run(() => bookingAction(bookingId, action, body));

  if (!b) return <Dialog title="Booking" onClose={onClose}>{booking.error ? <ProblemView error={booking.error} /> : <p>Loading…</p>}</Dialog>;
  const started = new Date(b.start).getTime() <= Date.now();
  const staffName = b.staff?.name ?? staff.find((s) => s.id === b.staffId)?.name ?? '—';
  return (
    <Dialog title={`Booking ${customer?.name ?? ''}`} onClose={onClose}>
      <dl className="facts">
        <dt>When</dt>
        <dd>
          {formatDateTime(b.start, zone, 'en-GB')}–{formatTime(b.end, zone, 'en-GB')}
        </dd>
        <dt>Service</dt>
        <dd>{b.service?.name ?? b.serviceId}</dd>
        <dt>Staff</dt>
        <dd>{staffName}</dd>
        <dt>Customer</dt>
        <dd>
          {customer?.name ?? b.customerId} {customer?.phone ?? customer?.email ?? ''}
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`pill status-${b.status}`}>{b.status.replace('_', ' ')}</span> · calendar {b.calendar?.status ?? '—'} · moved {b.rescheduledCount}×
        </dd>
      </dl>
      <ProblemView error={error} />
      <div className="row wrap">
        {MOVABLE.includes(b.status) && (
          <button type="button" onClick={() => setMoving((m) => !m)} aria-expanded={moving}>
            Reschedule
          </button>
        )}
        {CANCELLABLE.includes(b.status) && (
          <button type="button" className="danger" disabled={busy} onClick={() => act('cancel', { reason: 'front desk' })}>
            Cancel booking
          </button>
        )}
        {b.status === 'awaiting_approval' && mayDecide && (
          <>
            <button type="button" className="primary" disabled={busy} onClick={() => act('approve')}>
              Approve
            </button>
            <button type="button" disabled={busy} onClick={() => act('decline', { reason: 'declined at the front desk' })}>
              Decline
            </button>
          </>
        )}
        {b.status === 'confirmed' && started && (
          <>
            <button type="button" disabled={busy} onClick={() => act('complete')}>
              Complete
            </button>
            <button type="button" disabled={busy} onClick={() => act('no-show')}>
              No-show
            </button>
          </>
        )}
      </div>
      {moving && (
        <Reschedule
          branch={branch}
          serviceId={b.serviceId}
          staffId={b.staffId ?? undefined}
          currentStart={b.start}
          onMove={(start, staffId) => run(() => reschedule(bookingId, { start, staffId })).then((ok) => ok && setMoving(false))}
          error={error}
        />
      )}
      {b.history && b.history.length > 0 && (
        <details>
          <summary>History ({b.history.length})</summary>
          <ol className="history">
            {b.history.map((h, i) => (
              <li key={i}>
                {formatDateTime(h.at, zone, 'en-GB')} <strong>{h.event}</strong> {h.detail ? <code>{JSON.stringify(h.detail)}</code> : null}
              </li>
            ))}
          </ol>
        </details>
      )}
    </Dialog>
  );
}

function Reschedule(props: { branch: Branch; serviceId: string; staffId?: string; currentStart: string; onMove: (start: string, staffId?: string) => void; error: unknown }) {
  const zone = props.branch.timezone;
  const [date, setDate] = useState(props.currentStart.slice(0, 10));
  const availability = useAvailability(props.branch.id, props.serviceId, date, props.staffId);
  const slots = availability.data?.days.find((d) => d.date === date)?.slots ?? [];
  const alternatives: Alternative[] = props.error instanceof ApiProblem ? (props.error.problem.alternatives ?? []) : [];
  return (
    <div className="reschedule">
      <label>
        New day <input type="date" value={date} onChange={(e) => e.target.value && setDate(e.target.value)} />
      </label>
      <p className="subtle">Free times with the same staff member:</p>
      <div className="slot-list" role="group" aria-label="Free times">
        {availability.isLoading && <span>Loading…</span>}
        {!availability.isLoading && slots.length === 0 && <span>Nothing free that day.</span>}
        {slots.map((s) => (
          <button key={s.start} type="button" onClick={() => props.onMove(s.start, props.staffId)} aria-label={`Move to ${formatTime(s.start, zone, 'en-GB')}`}>
            {formatTime(s.start, zone, 'en-GB')}
          </button>
        ))}
      </div>
      {alternatives.length > 0 && <Alternatives zone={zone} alternatives={alternatives} onPick={(a) => props.onMove(a.start, a.staffId)} />}
    </div>
  );
}
