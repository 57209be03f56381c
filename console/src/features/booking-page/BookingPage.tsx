/**
 * The customer booking page of the web channel: /book/:branchId?key=<publishable key>.
 * service → staff (with ratings) → day → time (the next free times first) → details →
 * confirmation with the manage link. A chosen time is held with a reservation; a time taken
 * meanwhile (409 slot_unavailable, reservation_expired) shows the alternatives to pick from.
 * The publishable key stays in the URL it came with and in memory; nothing is stored.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { CustomerFrame } from '../../components/CustomerFrame';
import { ApiProblem, createClient, newIdempotencyKey } from '../../lib/api-client';
import { browserLanguage, translator } from '../../lib/i18n';
import { addDays, formatDate, formatDayShort, formatDateTime, formatTime, todayIn } from '../../lib/time';
import type { Alternative, Availability, Booking, Branch, NextSlot, Page, Service, Staff } from '../../lib/types';

interface Reservation {
  id: string;
  start: string;
  end: string;
  staffId: string;
  expiresAt: string;
}
type Step = 'service' | 'staff' | 'time' | 'details' | 'done';

export function BookingPage() {
  const { branchId = '' } = useParams();
  const [search] = useSearchParams();
  const key = search.get('key');
  const language = browserLanguage();
  const t = translator(language);
  const api = useMemo(() => createClient(() => key), [key]);
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>('service');
  const [service, setService] = useState<Service | null>(null);
  const [staff, setStaff] = useState<Staff | null>(null);
  const [day, setDay] = useState<string | null>(null);
  const [reservation, setReservation] = useState<Reservation | null>(null);
  const [alternatives, setAlternatives] = useState<{ message: string; list: Alternative[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<(Booking & { manageUrl?: string }) | null>(null);
  const [busy, setBusy] = useState(false);

  const branch = useQuery({ queryKey: ['pub-branch', branchId], enabled: !!key, queryFn: () => api.get<Branch>(`/v1/branches/${branchId}`) });
  const services = useQuery({ queryKey: ['pub-services', branchId], enabled: !!key, queryFn: () => api.get<Page<Service>>('/v1/services', { branchId, limit: 200 }) });
  const staffList = useQuery({ queryKey: ['pub-staff', branchId], enabled: !!key, queryFn: () => api.get<Page<Staff>>('/v1/staff', { branchId, limit: 200 }) });
  const zone = branch.data?.timezone ?? 'Europe/Berlin';
  const today = todayIn(zone);
  const next = useQuery({
    queryKey: ['pub-next', branchId, service?.id, staff?.id],
    enabled: !!key && step === 'time' && !!service,
    queryFn: async () => {
      try {
        return await api.get<{ slots: NextSlot[] }>('/v1/availability/next', { branchId, serviceId: service?.id, staffId: staff?.id, limit: 6 });
      } catch (error) {
        if (!(error instanceof ApiProblem && error.status === 404)) throw error;
        // A server without /v1/availability/next: the first free times of the next two weeks.
        const range = await api.get<Availability>('/v1/availability', { branchId, serviceId: service?.id, staffId: staff?.id, from: today, to: addDays(today, 13) });
        const slots = range.days.flatMap((d) => d.slots).slice(0, 6);
        return { slots: slots.map((s) => ({ start: s.start, end: s.end, staffId: s.staffIds[0], staffName: s.staff?.[0]?.name })) };
      }
    },
  });
  const dayAvailability = useQuery({
    queryKey: ['pub-day', branchId, service?.id, staff?.id, day],
    enabled: !!key && step === 'time' && !!service && !!day,
    queryFn: () => api.get<Availability>('/v1/availability', { branchId, serviceId: service?.id, staffId: staff?.id, from: day, to: day }),
  });

  if (!key) return <CustomerFrame title={t('book.title')} lang={language}><p role="alert">{t('book.missingKey')}</p></CustomerFrame>;

  const staffOfService = (staffList.data?.data ?? []).filter((s) => s.branchId === branchId);
  const staffName = (id: string | undefined) => staffList.data?.data.find((s) => s.id === id)?.name ?? t('book.anyStaff');
  const describe = (message: string, e: unknown) => (e instanceof ApiProblem ? e.messages().join(' ') : (e as Error).message ?? message);

  async function hold(start: string, staffId?: string) {
    setBusy(true);
    setError(null);
    setAlternatives(null);
    try {
      if (reservation) await api.del(`/v1/reservations/${reservation.id}`).catch(() => undefined);
      const held = await api.post<Reservation>('/v1/reservations', { branchId, serviceId: service?.id, start, staffId });
      setReservation(held);
      setStep('details');
    } catch (e) {
      if (e instanceof ApiProblem && e.problem.alternatives) setAlternatives({ message: t('book.taken'), list: e.problem.alternatives });
      else setError(describe('', e));
      // What is free changed: the lists below show it again.
      await Promise.all(['pub-next', 'pub-day'].map((k) => queryClient.invalidateQueries({ queryKey: [k] })));
    } finally {
      setBusy(false);
    }
  }
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const customer = { name: text('name'), email: text('email'), phone: text('phone'), language };
    if (!customer.email && !customer.phone) return setError(t('book.contactRequired'));
    setBusy(true);
    setError(null);
    try {
      const booking = await api.post<Booking & { manageUrl?: string }>(
        '/v1/public/bookings',
        { reservationId: reservation?.id, customer, notes: text('notes') },
        { 'Idempotency-Key': newIdempotencyKey() },
      );
      setResult(booking);
      setStep('done');
    } catch (e) {
      if (e instanceof ApiProblem && e.problem.alternatives) {
        setAlternatives({ message: e.code === 'reservation_expired' ? t('book.expired') : t('book.taken'), list: e.problem.alternatives });
        setReservation(null);
        setStep('time');
      } else setError(describe('', e));
    } finally {
      setBusy(false);
    }
  }
  const loadError = branch.error ?? services.error ?? staffList.error;
  const days = Array.from({ length: 14 }, (_, i) => addDays(today, i));

  return (
    <CustomerFrame title={branch.data ? `${t('book.title')} · ${branch.data.name}` : t('book.title')} lang={language}>
      {loadError && <p role="alert" className="error">{t('common.error', { message: describe('', loadError) })}</p>}
      {step !== 'service' && step !== 'done' && (
        <p className="summary">
          {service?.name}
          {step !== 'staff' && ` · ${staffName(staff?.id)}`}
          {reservation && ` · ${formatDateTime(reservation.start, zone, language)}`}{' '}
          <button type="button" className="link" onClick={() => setStep(step === 'details' ? 'time' : step === 'time' ? 'staff' : 'service')}>
            {t('book.back')}
          </button>
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      {step === 'service' && (
        <fieldset className="choices">
          <legend>{t('book.chooseService')}</legend>
          {services.isLoading && <p>{t('common.loading')}</p>}
          {(services.data?.data ?? []).filter((s) => s.branchId === branchId).map((s) => (
            <button key={s.id} type="button" className="choice" onClick={() => (setService(s), setStep('staff'))}>
              <strong>{s.name}</strong> <span>{s.durationMinutes} min</span>
              {s.price !== undefined && s.price !== null && <span>{formatPrice(s, language)}</span>}
            </button>
          ))}
        </fieldset>
      )}
      {step === 'staff' && (
        <fieldset className="choices">
          <legend>{t('book.staff')}</legend>
          <button type="button" className="choice" onClick={() => (setStaff(null), setStep('time'))}>
            <strong>{t('book.anyStaff')}</strong>
          </button>
          {staffOfService.map((s) => (
            <button key={s.id} type="button" className="choice" onClick={() => (setStaff(s), setStep('time'))}>
              <strong>{s.name}</strong>
              {s.rating && s.rating.count > 0 && s.rating.average !== null && (
                <span>★ {t('book.rating', { avg: s.rating.average.toFixed(1), count: s.rating.count })}</span>
              )}
            </button>
          ))}
        </fieldset>
      )}
      {step === 'time' && (
        <>
          {alternatives && (
            <div role="alert" className="alternatives">
              <p>{alternatives.message}</p>
              <div className="slot-list">
                {alternatives.list.map((a) => (
                  <button key={`${a.start}-${a.staffId}`} type="button" disabled={busy} onClick={() => void hold(a.start, a.staffId)}>
                    {formatDateTime(a.start, zone, language)} · {a.staffName ?? staffName(a.staffId)}
                  </button>
                ))}
              </div>
            </div>
          )}
          <h2>{t('book.next')}</h2>
          <div className="slot-list" role="group" aria-label={t('book.next')}>
            {next.isLoading && <span>{t('common.loading')}</span>}
            {(next.data?.slots ?? []).map((s) => (
              <button key={`${s.start}-${s.staffId}`} type="button" disabled={busy} onClick={() => void hold(s.start, staff?.id ?? s.staffId)}>
                {formatDateTime(s.start, zone, language)}
                {!staff && ` · ${s.staffName ?? staffName(s.staffId)}`}
              </button>
            ))}
          </div>
          <h2>{t('book.day')}</h2>
          <div className="day-list" role="group" aria-label={t('book.day')}>
            {days.map((d) => (
              <button key={d} type="button" aria-pressed={d === day} onClick={() => setDay(d)}>
                {formatDayShort(d, language)}
              </button>
            ))}
          </div>
          {day && (
            <>
              <h3>{t('book.times', { day: formatDate(day, language) })}</h3>
              <div className="slot-list" role="group" aria-label={t('book.times', { day: formatDate(day, language) })}>
                {dayAvailability.isLoading && <span>{t('common.loading')}</span>}
                {dayAvailability.data && (dayAvailability.data.days[0]?.slots.length ?? 0) === 0 && <span>{t('book.noTimes')}</span>}
                {(dayAvailability.data?.days[0]?.slots ?? []).map((s) => (
                  <button key={s.start} type="button" disabled={busy} onClick={() => void hold(s.start, staff?.id)}>
                    {formatTime(s.start, zone, language)}
                  </button>
                ))}
              </div>
            </>
          )}
        </>
      )}
      {step === 'details' && reservation && (
        <form onSubmit={submit} className="stack card">
          <h2>{t('book.details')}</h2>
          <label>
            {t('book.name')} <input name="name" required autoComplete="name" maxLength={200} />
          </label>
          <label>
            {t('book.email')} <input name="email" type="email" autoComplete="email" />
          </label>
          <label>
            {t('book.phone')} <input name="phone" type="tel" autoComplete="tel" />
          </label>
          <label>
            {t('book.notes')} <textarea name="notes" rows={2} maxLength={500} />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {t('book.submit')}
          </button>
        </form>
      )}
      {step === 'done' && result && (
        <div role="status" className="success card">
          <h2>{result.status === 'awaiting_approval' ? t('book.awaiting') : result.status === 'pending' ? t('book.pending') : t('book.confirmed')}</h2>
          <p>{t('book.summary', { service: service?.name ?? '', staff: staffName(result.staffId ?? undefined), when: formatDateTime(result.start, zone, language) })}</p>
          {result.manageUrl && (
            <p>
              <a href={result.manageUrl}>{t('book.manage')}</a>
            </p>
          )}
        </div>
      )}
    </CustomerFrame>
  );
}

function formatPrice(service: Service, language: string): string {
  const price = service.price as number | { amount: number; currency: string };
  const [amount, currency] = typeof price === 'number' ? [price, service.currency ?? 'EUR'] : [price.amount, price.currency];
  return new Intl.NumberFormat(language, { style: 'currency', currency }).format(amount);
}
