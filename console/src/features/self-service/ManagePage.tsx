/**
 * The self-service page behind the links in mails: /b/:token. Shows the appointment; cancel it or
 * move it to a free time within the branch's rules (the API answers 422 with the rule otherwise).
 * No key: the signed token in the path is the only credential.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { CustomerFrame } from '../../components/CustomerFrame';
import { ApiProblem, createClient, newIdempotencyKey } from '../../lib/api-client';
import { browserLanguage, translator, type MessageKey } from '../../lib/i18n';
import { addDays, formatDate, formatDayShort, formatDateTime, formatTime, todayIn } from '../../lib/time';
import type { Availability, Booking } from '../../lib/types';

type PublicBooking = Booking & { timezone?: string; branch?: { name: string; timezone: string }; serviceName?: string; staffName?: string };

export function ManagePage() {
  const { token = '' } = useParams();
  const language = browserLanguage();
  const t = translator(language);
  const api = useMemo(() => createClient(() => null), []);
  const queryClient = useQueryClient();
  const base = `/v1/public/bookings/${encodeURIComponent(token)}`;
  const booking = useQuery({ queryKey: ['self', token], retry: false, queryFn: () => api.get<PublicBooking>(base) });
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [moving, setMoving] = useState(false);
  const [day, setDay] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const b = booking.data;
  const zone = b?.branch?.timezone ?? b?.timezone;
  const availability = useQuery({
    queryKey: ['self-availability', token, day],
    enabled: moving && !!day,
    queryFn: () => api.get<Availability>(`${base}/availability`, { from: day, to: day }),
  });

  async function act(path: string, body: Record<string, unknown>, done: (b: Booking) => string) {
    setError(null);
    setMessage(null);
    try {
      const answer = await api.post<Booking>(`${base}/${path}`, body, { 'Idempotency-Key': newIdempotencyKey() });
      setMessage(done(answer));
      setMoving(false);
      setConfirmCancel(false);
      await queryClient.invalidateQueries({ queryKey: ['self', token] });
    } catch (e) {
      setError(e instanceof ApiProblem ? e.messages().join(' ') : (e as Error).message);
    }
  }

  if (booking.error) {
    const gone = booking.error instanceof ApiProblem && booking.error.status === 404;
    return (
      <CustomerFrame title={t('manage.title')} lang={language}>
        <p role="alert">{gone ? t('manage.notFound') : t('common.error', { message: (booking.error as Error).message })}</p>
      </CustomerFrame>
    );
  }
  if (!b) return <CustomerFrame title={t('manage.title')} lang={language}><p>{t('common.loading')}</p></CustomerFrame>;
  const live = ['pending', 'confirmed', 'awaiting_approval'].includes(b.status);
  const today = todayIn(zone ?? 'Europe/Berlin');
  return (
    <CustomerFrame title={t('manage.title')} lang={language}>
      <dl className="facts card">
        <dt>{t('manage.when')}</dt>
        <dd>
          {formatDateTime(b.start, zone, language)}–{formatTime(b.end, zone, language)}
        </dd>
        {(b.service?.name ?? b.serviceName) && (
          <>
            <dt>{t('book.service')}</dt>
            <dd>{b.service?.name ?? b.serviceName}</dd>
          </>
        )}
        {(b.staff?.name ?? b.staffName) && (
          <>
            <dt>{t('book.staff')}</dt>
            <dd>{b.staff?.name ?? b.staffName}</dd>
          </>
        )}
        <dt>{t('manage.status')}</dt>
        <dd>
          <span className={`pill status-${b.status}`}>{t(`status.${b.status}` as MessageKey)}</span>
        </dd>
      </dl>
      {message && <p role="status" className="success">{message}</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {live && (
        <div className="stack">
          {confirmCancel ? (
            <button type="button" className="danger" onClick={() => void act('cancel', {}, () => t('manage.cancelled'))}>
              {t('manage.confirmCancel')}
            </button>
          ) : (
            <button type="button" onClick={() => setConfirmCancel(true)}>
              {t('manage.cancel')}
            </button>
          )}
          <button type="button" aria-expanded={moving} onClick={() => setMoving((m) => !m)}>
            {t('manage.move')}
          </button>
        </div>
      )}
      {moving && (
        <>
          <h2>{t('manage.pickDay')}</h2>
          <div className="day-list" role="group" aria-label={t('manage.pickDay')}>
            {Array.from({ length: 14 }, (_, i) => addDays(today, i)).map((d) => (
              <button key={d} type="button" aria-pressed={d === day} onClick={() => setDay(d)}>
                {formatDayShort(d, language)}
              </button>
            ))}
          </div>
          {day && (
            <div className="slot-list" role="group" aria-label={t('book.times', { day: formatDate(day, language) })}>
              {availability.isLoading && <span>{t('common.loading')}</span>}
              {availability.data && (availability.data.days[0]?.slots.length ?? 0) === 0 && <span>{t('book.noTimes')}</span>}
              {(availability.data?.days[0]?.slots ?? []).map((s) => (
                <button key={s.start} type="button" onClick={() => void act('reschedule', { start: s.start }, (moved) => t('manage.moved', { when: formatDateTime(moved.start, zone, language) }))}>
                  {formatTime(s.start, zone, language)}
                </button>
              ))}
            </div>
          )}
        </>
      )}
    </CustomerFrame>
  );
}
