/**
 * The self-service page behind the links in mails: /b/:token. Shows the appointment; cancel it
 * (after a confirmation) or move it to a free time of a chosen day (the token's own availability
 * endpoint). The branch's rules bind self-service (cancellation cutoff, reschedule limit): the
 * API's 422 is shown rule by rule, in the page's language, beside its own message.
 * No key: the signed token in the path is the only credential.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { CustomerFrame } from '../../components/CustomerFrame';
import { CustomerProblem } from '../../components/CustomerProblem';
import { ApiProblem } from '../../lib/api-client';
import { browserLanguage, translator, type MessageKey } from '../../lib/i18n';
import { addDays, formatDate, formatDateTime, formatDayShort, formatTime, todayIn } from '../../lib/time';
import { call, typedClient } from '../../lib/typed-api';
import type { PublicBooking } from '../../lib/upcoming-paths';

const LIVE = ['pending', 'confirmed', 'awaiting_approval'];

export function ManagePage() {
  const { token = '' } = useParams();
  const language = browserLanguage();
  const t = translator(language);
  const api = useMemo(() => typedClient(() => null), []);
  const queryClient = useQueryClient();
  const path = { token };
  const booking = useQuery({ queryKey: ['self', token], retry: false, queryFn: () => call(api.GET('/v1/public/bookings/{token}', { params: { path } })) });
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [moving, setMoving] = useState(false);
  const [day, setDay] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const b = booking.data;
  const zone = b?.branch?.timezone ?? b?.timezone;
  const availability = useQuery({
    queryKey: ['self-availability', token, day],
    enabled: moving && !!day,
    queryFn: () => call(api.GET('/v1/public/bookings/{token}/availability', { params: { path, query: { from: day as string, to: day as string } } })),
  });
  useEffect(() => {
    if (confirmCancel) confirmButton.current?.focus();
  }, [confirmCancel]);

  async function act(run: () => Promise<PublicBooking>, done: (b: PublicBooking) => string) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const answer = await run();
      setMessage(done(answer));
      setMoving(false);
      setDay(null);
      setConfirmCancel(false);
      await queryClient.invalidateQueries({ queryKey: ['self', token] });
    } catch (e) {
      setError(e);
      setConfirmCancel(false);
      await queryClient.invalidateQueries({ queryKey: ['self-availability', token] });
    } finally {
      setBusy(false);
    }
  }
  const cancel = () => act(() => call(api.POST('/v1/public/bookings/{token}/cancel', { params: { path }, body: {} })), () => t('manage.cancelled'));
  const move = (start: string) =>
    act(
      () => call(api.POST('/v1/public/bookings/{token}/reschedule', { params: { path }, body: { start } })),
      (moved) => t('manage.moved', { when: formatDateTime(moved.start, zone, language) }),
    );

  if (booking.error) {
    const gone = booking.error instanceof ApiProblem && booking.error.status === 404;
    return (
      <CustomerFrame title={t('manage.title')} lang={language}>
        {gone ? <p role="alert">{t('manage.notFound')}</p> : <CustomerProblem error={booking.error} t={t} />}
      </CustomerFrame>
    );
  }
  if (!b) {
    return (
      <CustomerFrame title={t('manage.title')} lang={language}>
        <p>{t('common.loading')}</p>
      </CustomerFrame>
    );
  }
  const status: string = b.status;
  const live = LIVE.includes(status);
  const today = todayIn(zone ?? 'Europe/Berlin');
  const serviceName = b.service?.name ?? b.serviceName;
  const staffName = b.staff?.name ?? b.staffName;
  const slots = availability.data?.days.find((d) => d.date === day)?.slots ?? [];
  const dayLabel = day ? t('book.times', { day: formatDate(day, language) }) : '';
  return (
    <CustomerFrame title={t('manage.title')} lang={language}>
      <dl className="facts card">
        {b.branch?.name && (
          <>
            <dt>{t('manage.where')}</dt>
            <dd>{b.branch.name}</dd>
          </>
        )}
        <dt>{t('manage.when')}</dt>
        <dd>
          {formatDateTime(b.start, zone, language)}–{formatTime(b.end, zone, language)}
        </dd>
        {serviceName && (
          <>
            <dt>{t('book.service')}</dt>
            <dd>{serviceName}</dd>
          </>
        )}
        {staffName && (
          <>
            <dt>{t('book.staff')}</dt>
            <dd>{staffName}</dd>
          </>
        )}
        <dt>{t('manage.status')}</dt>
        <dd>
          <span className={`pill status-${status}`}>{t(`status.${status}` as MessageKey)}</span>
          {b.rescheduledCount > 0 && <span className="subtle"> · {t('manage.moveCount', { count: b.rescheduledCount })}</span>}
        </dd>
      </dl>
      {message && (
        <p role="status" className="success">
          {message}
        </p>
      )}
      <CustomerProblem error={error} t={t} />
      {!live && !message && <p>{t('manage.noLongerLive')}</p>}
      {live && (
        <div className="stack">
          {confirmCancel ? (
            <div className="card" role="group" aria-labelledby="cancel-question">
              <p id="cancel-question">{t('manage.cancelQuestion')}</p>
              <div className="row wrap">
                <button ref={confirmButton} type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
                  {t('manage.confirmCancel')}
                </button>
                <button type="button" onClick={() => setConfirmCancel(false)}>
                  {t('manage.keep')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" onClick={() => (setConfirmCancel(true), setMoving(false))}>
              {t('manage.cancel')}
            </button>
          )}
          <button type="button" aria-expanded={moving} aria-controls="move-panel" onClick={() => (setMoving((m) => !m), setConfirmCancel(false))}>
            {t('manage.move')}
          </button>
        </div>
      )}
      {live && moving && (
        <section id="move-panel" aria-labelledby="move-title">
          <h2 id="move-title">{t('manage.pickTime')}</h2>
          <div className="day-list" role="group" aria-label={t('manage.pickDay')}>
            {Array.from({ length: 14 }, (_, i) => addDays(today, i)).map((d) => (
              <button key={d} type="button" aria-pressed={d === day} onClick={() => setDay(d)}>
                {formatDayShort(d, language)}
              </button>
            ))}
          </div>
          {day && (
            <div className="slot-list" role="group" aria-label={dayLabel} aria-busy={availability.isLoading}>
              {availability.isLoading && <span>{t('common.loading')}</span>}
              {availability.data && slots.length === 0 && <span>{t('book.noTimes')}</span>}
              {slots.map((s) => (
                <button key={s.start} type="button" disabled={busy} onClick={() => void move(s.start)}>
                  {formatTime(s.start, zone, language)}
                </button>
              ))}
            </div>
          )}
        </section>
      )}
    </CustomerFrame>
  );
}
