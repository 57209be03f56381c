/**
 * Support desk: calendar sync failures still open (or being retried) with their booking, customer,
 * error and attempts; retry (the outcome shows when the retry workflow ends) and resolve by hand;
 * links to the booking's and the retry's workflows in the Temporal UI; the booking's history and
 * notifications. Recently resolved failures stay listed below.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { useCustomers, useService } from '../../lib/catalog';
import { formatDateTime } from '../../lib/time';
import type { SyncFailure } from '../../lib/types';
import { resolveFailure, retryFailure, useBooking, useConsoleConfig, useNotifications, useSyncFailures, workflowUrl, type ConsoleConfig } from './api';

export function SupportDesk() {
  const failures = useSyncFailures();
  const config = useConsoleConfig();
  const rows = failures.data?.data ?? [];
  // Retries being watched (failure id → attempts when retried) and their outcomes, kept here
  // because a resolved failure moves from the open list to the resolved one.
  const watching = useRef(new Map<string, number>());
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const setOutcome = (id: string, text: string | null) =>
    setOutcomes((all) => {
      const next = { ...all };
      if (text === null) delete next[id];
      else next[id] = text;
      return next;
    });
  useEffect(() => {
    for (const [id, attempts] of watching.current) {
      const row = rows.find((f) => f.id === id);
      if (!row || row.status === 'retrying') continue;
      if (row.status === 'resolved') setOutcome(id, 'Retry succeeded: the calendar accepted; resolved.');
      else if (row.attempts > attempts) setOutcome(id, `Retry failed (attempt ${row.attempts}): ${row.error}`);
      else continue;
      watching.current.delete(id);
    }
  }, [rows]);
  const cardProps = (f: SyncFailure) => ({
    failure: f,
    config: config.data,
    outcome: outcomes[f.id] ?? null,
    setOutcome: (text: string | null) => setOutcome(f.id, text),
    watch: (attempts: number | null) => (attempts === null ? watching.current.delete(f.id) : watching.current.set(f.id, attempts)),
  });
  const open = rows.filter((f) => f.status !== 'resolved');
  const resolved = rows.filter((f) => f.status === 'resolved').slice(0, 20);
  return (
    <section aria-labelledby="support-title">
      <h1 id="support-title">Support: calendar sync failures</h1>
      <ProblemView error={failures.error} />
      <h2>Open ({open.length})</h2>
      {failures.isLoading && <p>Loading…</p>}
      {!failures.isLoading && open.length === 0 && <p className="success">No open sync failures.</p>}
      <ul className="cards">
        {open.map((f) => (
          <FailureCard key={f.id} {...cardProps(f)} />
        ))}
      </ul>
      <h2>Recently resolved</h2>
      <ul className="cards">
        {resolved.map((f) => (
          <FailureCard key={f.id} {...cardProps(f)} />
        ))}
      </ul>
    </section>
  );
}

function FailureCard(props: {
  failure: SyncFailure;
  config: ConsoleConfig | undefined;
  outcome: string | null;
  setOutcome: (text: string | null) => void;
  watch: (attempts: number | null) => void;
}) {
  const { failure, config, outcome, setOutcome } = props;
  const queryClient = useQueryClient();
  const booking = useBooking(failure.bookingId);
  const [details, setDetails] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [retryWorkflow, setRetryWorkflow] = useState<string>();
  const b = booking.data;
  // Inlined with expand= where the API offers it; otherwise read by id.
  const customer = useCustomers(b && !b.customer ? [b.customerId] : [])[0]?.data ?? b?.customer;
  const service = useService(b && !b.service ? b.serviceId : undefined).data ?? b?.service;
  // Instants come at the branch's offset: shown as written.
  const zone = undefined;

  async function retry() {
    setError(null);
    setOutcome('Retrying…');
    props.watch(failure.attempts);
    try {
      const answer = await retryFailure(failure.id);
      setRetryWorkflow(answer.workflowId);
      await queryClient.invalidateQueries({ queryKey: ['sync-failures'] });
    } catch (e) {
      props.watch(null);
      setOutcome(null);
      setError(e);
    }
  }
  async function resolve() {
    const note = window.prompt('Resolve by hand: what was done? (optional)') ?? '';
    setError(null);
    try {
      await resolveFailure(failure.id, note);
      setOutcome('Resolved by hand.');
      await queryClient.invalidateQueries({ queryKey: ['sync-failures'] });
    } catch (e) {
      setError(e);
    }
  }
  const bookingLink = workflowUrl(config, b?.workflowId);
  const retryLink = workflowUrl(config, retryWorkflow);
  return (
    <li className="card failure" aria-label={`Sync failure ${failure.id}`}>
      <div className="row spread">
        <strong>
          {failure.operation} · <span className={`pill failure-${failure.status}`}>{failure.status}</span>
        </strong>
        <span className="subtle">
          {failure.attempts} attempt(s) · since {formatDateTime(failure.createdAt, zone, 'en-GB')}
        </span>
      </div>
      <p>
        Booking <code>{failure.bookingId}</code>
        {b && (
          <>
            {' '}
            · {customer?.name ?? b.customerId} · {service?.name ?? b.serviceId} · {formatDateTime(b.start, zone, 'en-GB')} ·{' '}
            <span className={`pill status-${b.status}`}>{b.status.replace('_', ' ')}</span>
          </>
        )}
      </p>
      <p className="error-text">
        <span className="subtle">Error:</span> {failure.error}
      </p>
      {outcome && (
        <p role="status" className={outcome.startsWith('Retry failed') ? 'error' : 'success'}>
          {outcome}
        </p>
      )}
      <ProblemView error={error} />
      <div className="row wrap">
        {failure.status !== 'resolved' && (
          <>
            <button type="button" className="primary" disabled={failure.status === 'retrying'} onClick={() => void retry()}>
              Retry
            </button>
            <button type="button" disabled={failure.status === 'retrying'} onClick={() => void resolve()}>
              Resolve
            </button>
          </>
        )}
        {bookingLink && (
          <a href={bookingLink} target="_blank" rel="noreferrer">
            Booking workflow in Temporal UI
          </a>
        )}
        {retryLink && (
          <a href={retryLink} target="_blank" rel="noreferrer">
            Retry workflow
          </a>
        )}
        <button type="button" className="link" aria-expanded={details} onClick={() => setDetails((d) => !d)}>
          {details ? 'Hide' : 'Show'} history and notifications
        </button>
      </div>
      {details && b && <BookingDetails bookingId={b.id} history={b.history ?? []} zone={zone} />}
    </li>
  );
}

function BookingDetails({ bookingId, history, zone }: { bookingId: string; history: Array<{ at: string; event: string; detail?: unknown }>; zone: string | undefined }) {
  const notifications = useNotifications(bookingId, true);
  return (
    <div className="details">
      <h3>History</h3>
      <ol className="history">
        {history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at, zone, 'en-GB')} <strong>{h.event}</strong> {h.detail ? <code>{JSON.stringify(h.detail)}</code> : null}
          </li>
        ))}
      </ol>
      <h3>Notifications</h3>
      {notifications.error ? (
        <p className="subtle">Not available.</p>
      ) : (
        <ul>
          {(notifications.data?.data ?? []).map((n, i) => (
            <li key={i}>
              {n.kind} · {n.channel} to {n.to} · {n.status} {n.sentAt ? `· ${formatDateTime(n.sentAt, zone, 'en-GB')}` : ''}
            </li>
          ))}
          {notifications.data?.data.length === 0 && <li>None yet.</li>}
        </ul>
      )}
    </div>
  );
}
