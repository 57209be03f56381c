/**
 * Manager: the company's Cal.com connections (create with the account's key, reconcile, remove;
 * drift and last reconciliation shown) and outbound webhook endpoints (create: the signing secret
 * is shown once; deliveries with their status, retry one; remove). A server without one of these
 * endpoint families says so instead of failing the page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { ApiProblem } from '../../lib/api-client';
import type { Page } from '../../lib/types';
import { del, get, post } from './api';

interface Connection {
  id: string;
  name: string;
  provider: string;
  baseUrl: string;
  status: string;
  account?: { id: number | string; email?: string };
  lastReconciledAt?: string | null;
  drift?: { repaired: number; open: number };
}
interface Endpoint {
  id: string;
  url: string;
  events: string[];
  description?: string | null;
  secret?: string;
}
interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  createdAt: string;
}
const EVENTS = [
  'booking.confirmed',
  'booking.failed',
  'booking.awaiting_approval',
  'booking.declined',
  'booking.rescheduled',
  'booking.cancelled',
  'booking.no_show',
  'booking.completed',
  'waitlist.offered',
  'waitlist.booked',
  'sync_failure.opened',
  'sync_failure.resolved',
];
const missing = (error: unknown) => error instanceof ApiProblem && error.status === 404;

export function IntegrationsPage() {
  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      <Connections />
      <Webhooks />
    </section>
  );
}

function useAction() {
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<unknown>, invalidate: string) => {
    setError(null);
    try {
      const result = await action();
      await queryClient.invalidateQueries({ queryKey: [invalidate] });
      return result;
    } catch (e) {
      setError(e);
      return undefined;
    }
  };
  return { error, run };
}

function Connections() {
  const list = useQuery({ queryKey: ['calendar-connections'], retry: false, queryFn: () => get<Page<Connection>>('/v1/calendar-connections', { limit: 200 }) });
  const { error, run } = useAction();
  const [note, setNote] = useState<string | null>(null);
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const created = await run(
      () => post<Connection>('/v1/calendar-connections', { name: data.get('name'), provider: 'calcom', baseUrl: data.get('baseUrl'), apiKey: data.get('apiKey') }),
      'calendar-connections',
    );
    if (created) {
      form.reset();
      setNote(`Connected "${(created as Connection).name}".`);
    }
  }
  return (
    <>
      <h2>Calendar connections (Cal.com)</h2>
      {missing(list.error) ? (
        <p className="subtle">This server has no calendar connections API yet.</p>
      ) : (
        <>
          <ProblemView error={list.error ?? error} />
          {note && <p role="status" className="success">{note}</p>}
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Account</th>
                <th scope="col">Status</th>
                <th scope="col">Last reconciled</th>
                <th scope="col">Drift (repaired / open)</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((c) => (
                <tr key={c.id}>
                  <td>
                    {c.name}
                    <br />
                    <span className="subtle">{c.baseUrl}</span>
                  </td>
                  <td>{c.account?.email ?? c.account?.id ?? '—'}</td>
                  <td>{c.status}</td>
                  <td>{c.lastReconciledAt ?? '—'}</td>
                  <td>{c.drift ? `${c.drift.repaired} / ${c.drift.open}` : '—'}</td>
                  <td>
                    <div className="row">
                    <button type="button" onClick={() => void run(() => post(`/v1/calendar-connections/${c.id}/reconcile`, {}), 'calendar-connections').then((r) => r && setNote(`Reconciling "${c.name}".`))}>
                      Reconcile
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => window.confirm(`Remove "${c.name}"? Its branches become unlinked.`) && void run(() => del(`/v1/calendar-connections/${c.id}`), 'calendar-connections')}
                    >
                      Remove
                    </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form onSubmit={create} className="row wrap card">
            <label>
              Name <input name="name" required maxLength={200} />
            </label>
            <label>
              Base URL <input name="baseUrl" type="url" required placeholder="https://api.cal.com" />
            </label>
            <label>
              API key <input name="apiKey" type="password" required autoComplete="off" />
            </label>
            <button type="submit" className="primary">
              Connect
            </button>
          </form>
        </>
      )}
    </>
  );
}

function Webhooks() {
  const list = useQuery({ queryKey: ['webhook-endpoints'], retry: false, queryFn: () => get<Page<Endpoint>>('/v1/webhook-endpoints', { limit: 200 }) });
  const { error, run } = useAction();
  const [secret, setSecret] = useState<Endpoint | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const events = data.getAll('events').map(String);
    const created = await run(() => post<Endpoint>('/v1/webhook-endpoints', { url: data.get('url'), events, description: String(data.get('description') || '') || undefined }), 'webhook-endpoints');
    if (created) {
      form.reset();
      setSecret(created as Endpoint);
    }
  }
  return (
    <>
      <h2>Webhook endpoints</h2>
      {missing(list.error) ? (
        <p className="subtle">This server has no webhook endpoints API yet.</p>
      ) : (
        <>
          <ProblemView error={list.error ?? error} />
          {secret?.secret && (
            <p role="status" className="success">
              Signing secret of {secret.url}: <code>{secret.secret}</code> — copy it now, it is not shown again.
            </p>
          )}
          <ul className="cards">
            {list.data?.data.map((e) => (
              <li key={e.id} className="card">
                <div className="row spread wrap">
                  <strong>{e.url}</strong>
                  <span className="subtle">{e.events.join(', ')}</span>
                </div>
                {e.description && <p>{e.description}</p>}
                <div className="row">
                  <button type="button" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                    Deliveries
                  </button>
                  <button type="button" className="danger" onClick={() => window.confirm(`Remove ${e.url}?`) && void run(() => del(`/v1/webhook-endpoints/${e.id}`), 'webhook-endpoints')}>
                    Remove
                  </button>
                </div>
                {open === e.id && <Deliveries endpointId={e.id} />}
              </li>
            ))}
          </ul>
          <form onSubmit={create} className="stack card">
            <label>
              URL <input name="url" type="url" required placeholder="https://example.com/hooks/bookings" />
            </label>
            <label>
              Description <input name="description" maxLength={500} />
            </label>
            <fieldset>
              <legend>Events</legend>
              <div className="hours">
                {EVENTS.map((name) => (
                  <label key={name}>
                    <span>{name}</span> <input type="checkbox" name="events" value={name} defaultChecked={name.startsWith('booking.')} />
                  </label>
                ))}
              </div>
            </fieldset>
            <button type="submit" className="primary">
              Add endpoint
            </button>
          </form>
        </>
      )}
    </>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const key = `deliveries-${endpointId}`;
  const list = useQuery({ queryKey: [key], refetchInterval: 5_000, queryFn: () => get<{ data: Delivery[] }>(`/v1/webhook-endpoints/${endpointId}/deliveries`) });
  const { error, run } = useAction();
  return (
    <>
      <ProblemView error={list.error ?? error} />
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data?.data.map((d) => (
            <tr key={d.id}>
              <td>{d.event}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.lastStatusCode ?? '—'}</td>
              <td>{d.createdAt.slice(0, 16).replace('T', ' ')}</td>
              <td>
                {d.status === 'failed' && (
                  <button type="button" onClick={() => void run(() => post(`/v1/webhook-endpoints/${endpointId}/deliveries/${d.id}/retry`, {}), key)}>
                    Retry
                  </button>
                )}
              </td>
            </tr>
          ))}
          {list.data?.data.length === 0 && (
            <tr>
              <td colSpan={6}>No deliveries yet.</td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
