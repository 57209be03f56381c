/**
 * Requests waiting for a decision (services with `requiresApproval`): soonest first, with approve
 * and decline for a manager (the API refuses the others, so they only see the list). The slot is
 * held meanwhile; undecided requests are declined by the API at their timeout.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { currentRole } from '../../lib/console-client';
import { formatDateTime } from '../../lib/time';
import type { Schemas } from '../../lib/typed-api';

type Booking = Schemas['Booking'];
import { decide as decideBooking, useAwaitingApproval } from './api';

export function ApprovalQueue({ branchId, zone, from, onOpen }: { branchId: string; zone: string; from: string; onOpen: (b: Booking) => void }) {
  const queryClient = useQueryClient();
  const queue = useAwaitingApproval(branchId, from);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const mayDecide = currentRole() === 'manager';
  const items = queue.data?.data ?? [];
  if (!queue.error && items.length === 0 && !note) return null;

  async function decide(b: Booking, action: 'approve' | 'decline', name: string) {
    setBusy(b.id);
    setError(null);
    setNote(null);
    try {
      const answer = await decideBooking(b.id, action);
      setNote(`${name}: ${answer.status.replace('_', ' ')}.`);
      await Promise.all(['bookings', 'booking', 'availability'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }
  return (
    <section className="card approvals" aria-labelledby="approvals-title">
      <h2 id="approvals-title">Awaiting approval ({items.length})</h2>
      <ProblemView error={error ?? queue.error} />
      {note && <p role="status" className="success">{note}</p>}
      <ul className="results">
        {items.map((b) => {
          const name = `${b.customer?.name ?? b.customerId} · ${b.service?.name ?? ''} · ${formatDateTime(b.start, zone, 'en-GB')}`;
          return (
            <li key={b.id} className="row wrap" aria-label={`Request ${name}`}>
              <span className={`pill status-${b.status}`}>awaiting approval</span>
              <button type="button" className="link" onClick={() => onOpen(b)}>
                {name}
              </button>
              {b.staff?.name && <span className="subtle">with {b.staff.name}</span>}
              {mayDecide && (
                <>
                  <button type="button" className="primary" disabled={busy === b.id} onClick={() => void decide(b, 'approve', name)}>
                    Approve
                  </button>
                  <button type="button" disabled={busy === b.id} onClick={() => void decide(b, 'decline', name)}>
                    Decline
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
