/**
 * Book a free slot for a customer: find them by name or phone (or create them), then book. A slot
 * taken meanwhile answers 409 with alternatives, offered as buttons that book that time instead.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog';
import { ProblemView } from '../../components/ProblemView';
import { ApiProblem, newIdempotencyKey } from '../../lib/api-client';
import { formatDateTime } from '../../lib/time';
import type { Alternative, Booking, Branch, Customer, Service, Slot, Staff } from '../../lib/types';
import { createBooking, createCustomer, searchCustomers } from './api';

export function BookDialog({ branch, service, staff, slot, onClose }: { branch: Branch; service: Service; staff: Staff; slot: Slot; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Customer[] | null>(null);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [alternatives, setAlternatives] = useState<Alternative[]>([]);
  const [done, setDone] = useState<Booking | null>(null);
  const [busy, setBusy] = useState(false);
  const idempotency = useRef(newIdempotencyKey());
  const zone = branch.timezone;

  async function search(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      setResults((await searchCustomers(query)).data);
    } catch (e) {
      setError(e);
    }
  }
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { name: String(form.get('name')).trim(), phone: String(form.get('phone') || '').trim() || undefined, email: String(form.get('email') || '').trim() || undefined };
    setError(null);
    try {
      setCustomer(await createCustomer(body));
      setCreating(false);
    } catch (e) {
      setError(e);
    }
  }
  async function book(start: string, staffId: string) {
    if (!customer) return;
    setBusy(true);
    setError(null);
    setAlternatives([]);
    try {
      const body = { branchId: branch.id, serviceId: service.id, customerId: customer.id, staffId, start, source: 'phone' };
      setDone(await createBooking(body, idempotency.current));
      await queryClient.invalidateQueries({ queryKey: ['bookings'] });
      await queryClient.invalidateQueries({ queryKey: ['availability'] });
    } catch (e) {
      if (e instanceof ApiProblem && e.problem.alternatives) setAlternatives(e.problem.alternatives);
      idempotency.current = newIdempotencyKey();
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Book ${service.name}`} onClose={onClose}>
      <p>
        {formatDateTime(slot.start, zone, 'en-GB')} with <strong>{staff.name}</strong> ({service.durationMinutes} min)
      </p>
      {done ? (
        <div role="status" className="success">
          <p>
            Booked for {customer?.name}: <strong>{done.status.replace('_', ' ')}</strong> ({formatDateTime(done.start, zone, 'en-GB')}).
          </p>
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        </div>
      ) : (
        <>
          {customer ? (
            <p>
              Customer: <strong>{customer.name}</strong> {customer.phone ?? customer.email ?? ''}{' '}
              <button type="button" className="link" onClick={() => setCustomer(null)}>
                change
              </button>
            </p>
          ) : creating ? (
            <form onSubmit={create} className="stack">
              <label>
                Name <input name="name" required autoFocus />
              </label>
              <label>
                Phone <input name="phone" type="tel" defaultValue={/^\+?[0-9 ]+$/.test(query) ? query : ''} />
              </label>
              <label>
                E-mail <input name="email" type="email" />
              </label>
              <div className="row">
                <button type="submit" className="primary">
                  Create customer
                </button>
                <button type="button" onClick={() => setCreating(false)}>
                  Back to search
                </button>
              </div>
            </form>
          ) : (
            <>
              <form onSubmit={search} className="row">
                <label>
                  Find customer <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="name or phone" autoFocus />
                </label>
                <button type="submit">Search</button>
                <button type="button" onClick={() => setCreating(true)}>
                  New customer
                </button>
              </form>
              {results && (
                <ul className="results" aria-label="Customers found">
                  {results.length === 0 && <li>No customer found.</li>}
                  {results.map((c) => (
                    <li key={c.id}>
                      <button type="button" className="link" onClick={() => setCustomer(c)}>
                        {c.name}
                      </button>{' '}
                      <span className="subtle">{[c.phone, c.email].filter(Boolean).join(' · ')}</span>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
          <ProblemView error={error} />
          {alternatives.length > 0 && <Alternatives zone={zone} alternatives={alternatives} onPick={(a) => void book(a.start, a.staffId)} />}
          <div className="row">
            <button type="button" className="primary" disabled={!customer || busy} onClick={() => void book(slot.start, staff.id)}>
              {busy ? 'Booking…' : 'Book'}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

export function Alternatives({ zone, alternatives, onPick }: { zone: string; alternatives: Alternative[]; onPick: (a: Alternative) => void }) {
  return (
    <div className="alternatives">
      <p>Free instead:</p>
      <ul>
        {alternatives.map((a) => (
          <li key={`${a.start}-${a.staffId}`}>
            <button type="button" onClick={() => onPick(a)}>
              {formatDateTime(a.start, zone, 'en-GB')} {a.staffName ? `· ${a.staffName}` : ''}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
