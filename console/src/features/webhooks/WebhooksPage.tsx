/**
 * Manager: outbound webhook endpoints (API.md "Outbound webhooks"). Add one (the signing secret is
 * shown once), see each endpoint's deliveries with status, attempts and the last answer's status
 * code (polled), retry a failed delivery, remove an endpoint. A server without the endpoints API
 * says so instead of failing the page.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { SecretReveal } from '../../components/SecretReveal';
import { ApiProblem } from '../../lib/api-client';
import { consoleApi as api } from '../../lib/console-client';
import { call, type Schemas } from '../../lib/typed-api';
import { WEBHOOK_EVENTS } from '../../../../domain/webhooks/webhook-events';

type WebhookEndpoint = Schemas['WebhookEndpoint'] & { secret?: string };
type WebhookEvent = Schemas['CreateWebhookEndpoint']['events'][number];

// The one list of event names (domain/webhooks/webhook-events.ts, pure), typed against the API's schema:
// a name the API does not accept fails the console's typecheck.
const EVENTS: readonly WebhookEvent[] = WEBHOOK_EVENTS;

const when = (instant: string) => instant.slice(0, 16).replace('T', ' ');

export function WebhooksPage() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['webhook-endpoints'], retry: false, queryFn: () => call(api.GET('/v1/webhook-endpoints', { params: { query: { limit: 200 } } })) });
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<WebhookEndpoint | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const description = String(data.get('description') ?? '').trim();
    setError(null);
    try {
      const endpoint = await call(api.POST('/v1/webhook-endpoints', { body: { url: String(data.get('url')).trim(), events: data.getAll('events').map(String) as WebhookEvent[], ...(description ? { description } : {}) } }));
      form.reset();
      setCreated(endpoint);
      setOpen(endpoint.id);
      await refresh();
    } catch (e) {
      setError(e);
    }
  }
  async function remove(endpoint: WebhookEndpoint) {
    if (!window.confirm(`Remove the endpoint ${endpoint.url}? Nothing more is sent to it.`)) return;
    setError(null);
    try {
      await call(api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } } }));
      if (created?.id === endpoint.id) setCreated(null);
      await refresh();
    } catch (e) {
      setError(e);
    }
  }

  if (list.error instanceof ApiProblem && list.error.status === 404) {
    return (
      <section aria-labelledby="webhooks-title">
        <h1 id="webhooks-title">Webhook endpoints</h1>
        <p className="subtle">This server has no webhook endpoints API yet.</p>
      </section>
    );
  }
  const endpoints = list.data?.data ?? [];
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhook endpoints</h1>
      <p className="subtle">
        Each event is sent as a signed POST (Standard Webhooks: <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>), at least once, in order per booking,
        retried with backoff for 72 hours.
      </p>
      {created?.secret && <SecretReveal label={`Signing secret of ${created.url}`} secret={created.secret} onDismiss={() => setCreated(null)} />}
      <ProblemView error={error ?? list.error} />
      {list.isLoading && <p>Loading…</p>}
      {!list.isLoading && endpoints.length === 0 && <p>No endpoint yet.</p>}
      <ul className="cards" aria-label="Endpoints">
        {endpoints.map((e) => (
          <li key={e.id} className="card" aria-label={`Endpoint ${e.url}`}>
            <div className="row spread wrap">
              <strong className="break">{e.url}</strong>
              {e.createdAt && <span className="subtle">since {when(e.createdAt)}</span>}
            </div>
            {e.description && <p>{e.description}</p>}
            <p className="subtle">{e.events.join(', ')}</p>
            <div className="row">
              <button type="button" aria-expanded={open === e.id} aria-controls={`deliveries-${e.id}`} onClick={() => setOpen(open === e.id ? null : e.id)}>
                Deliveries
              </button>
              <button type="button" className="danger" onClick={() => void remove(e)} aria-label={`Remove ${e.url}`}>
                Remove
              </button>
            </div>
            {open === e.id && <Deliveries endpoint={e} />}
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="stack card" aria-labelledby="add-endpoint">
        <h2 id="add-endpoint">Add an endpoint</h2>
        <label>
          URL <input name="url" type="url" required placeholder="https://example.com/hooks/bookings" />
        </label>
        <label>
          Description <input name="description" maxLength={500} />
        </label>
        <fieldset>
          <legend>Events</legend>
          <div className="event-list">
            {EVENTS.map((name) => (
              <label key={name}>
                <input type="checkbox" name="events" value={name} defaultChecked={name.startsWith('booking.')} /> <span>{name}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" className="primary">
          Add endpoint
        </button>
      </form>
    </section>
  );
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  const queryClient = useQueryClient();
  const key = ['webhook-deliveries', endpoint.id];
  const list = useQuery({
    queryKey: key,
    refetchInterval: 3_000,
    queryFn: () => call(api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { limit: 50 } } })),
  });
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  async function retry(deliveryId: string, event: string) {
    setError(null);
    setNote(null);
    try {
      await call(api.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry', { params: { path: { id: endpoint.id, deliveryId } } }));
      setNote(`Retrying the ${event} delivery.`);
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(e);
    }
  }
  const rows = list.data?.data ?? [];
  return (
    <div id={`deliveries-${endpoint.id}`}>
      <ProblemView error={error ?? list.error} />
      {note && <p role="status" className="success">{note}</p>}
      <table className="data" aria-label={`Deliveries to ${endpoint.url}`}>
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
          {rows.map((d) => (
            <tr key={d.id}>
              <td>{d.event}</td>
              <td>
                <span className={`pill delivery-${d.status}`}>{d.status}</span>
              </td>
              <td>{d.attempts}</td>
              <td>{d.lastStatusCode ?? '—'}</td>
              <td>{when(d.createdAt)}</td>
              <td>
                {/* A delivered one can be sent again too (a receiver that lost it). */}
                <button type="button" onClick={() => void retry(d.id, d.event)} aria-label={`${d.status === 'delivered' ? 'Send again' : 'Retry'} ${d.event} delivery`}>
                  {d.status === 'delivered' ? 'Send again' : 'Retry'}
                </button>
              </td>
            </tr>
          ))}
          {list.data && rows.length === 0 && (
            <tr>
              <td colSpan={6}>No deliveries yet.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
