/**
 * Manager: the company's Cal.com connections (create with the account's key, reconcile, remove;
 * drift and last reconciliation shown). Outbound webhooks have their own page (features/webhooks).
 * A server without the connections API says so instead of failing the page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
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
const missing = (error: unknown) => error instanceof ApiProblem && error.status === 404;

export function IntegrationsPage() {
  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      <Connections />
      <p>
        Outbound webhook endpoints and their deliveries: <Link to="/console/webhooks">Webhooks</Link>.
      </p>
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
