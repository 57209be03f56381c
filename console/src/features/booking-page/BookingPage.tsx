/**
 * The customer booking page of the web channel: /book/:branchId?key=<publishable key>.
 * service → staff (with ratings) → time (the next free times first, then any day's times) →
 * details → confirmation with the manage link. A chosen time is held with a reservation
 * (POST /v1/reservations) while the customer types; the booking is made from it
 * (POST /v1/public/bookings). A time taken meanwhile (409 slot_unavailable, reservation_expired)
 * shows the alternatives to pick from. The publishable key stays in the URL it came with and in
 * memory; nothing is stored. Requests and answers are typed from /openapi.json (lib/typed-api).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { CustomerFrame } from '../../components/CustomerFrame';
import { CustomerProblem } from '../../components/CustomerProblem';
import { ApiProblem } from '../../lib/api-client';
import { browserLanguage, browserLocale, translator } from '../../lib/i18n';
import { todayIn } from '../../lib/time';
import { call, typedClient, type Schemas } from '../../lib/typed-api';
import { DetailsStep, DoneStep, ServiceStep, StaffStep, StepList, TimeStep, type Alternatives, type Step } from './steps';

export type RatedStaff = Schemas['Staff'];
export type PublicBookingCreated = Schemas['PublicBookingCreated'];
export type Reservation = Schemas['Reservation'];
export type Translate = ReturnType<typeof translator>;

export function BookingPage() {
  const { branchId = '' } = useParams();
  const [search] = useSearchParams();
  const key = search.get('key');
  const language = browserLanguage();
  const locale = browserLocale();
  const t = translator(language);
  const api = useMemo(() => typedClient(() => key), [key]);
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>('service');
  const [service, setService] = useState<Schemas['Service'] | null>(null);
  const [staff, setStaff] = useState<RatedStaff | null>(null);
  const [reservation, setReservation] = useState<Reservation | null>(null);
  const [alternatives, setAlternatives] = useState<Alternatives | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<PublicBookingCreated | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  const branch = useQuery({ queryKey: ['pub-branch', branchId], enabled: !!key, queryFn: () => call(api.GET('/v1/branches/{id}', { params: { path: { id: branchId } } })) });
  const services = useQuery({
    queryKey: ['pub-services', branchId],
    enabled: !!key,
    queryFn: () => call(api.GET('/v1/services', { params: { query: { branchId, limit: 200 } } })),
  });
  const staffList = useQuery({
    queryKey: ['pub-staff', branchId],
    enabled: !!key,
    queryFn: () => call(api.GET('/v1/staff', { params: { query: { branchId, limit: 200 } } })),
  });
  const zone = branch.data?.timezone ?? 'Europe/Berlin';

  // Each step's heading takes the focus, so keyboard and screen-reader users land on what is new.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  if (!key) {
    return (
      <CustomerFrame title={t('book.title')} lang={language}>
        <p role="alert">{t('book.missingKey')}</p>
      </CustomerFrame>
    );
  }

  const bookable = (services.data?.data ?? []).filter((s) => s.branchId === branchId && s.active !== false);
  const staffOfService = ((staffList.data?.data ?? []) as RatedStaff[]).filter(
    (s) => s.active !== false && (!service || service.requiredSkills.every((skill) => s.skills.includes(skill))),
  );
  const staffName = (id: string | null | undefined) => staffList.data?.data.find((s) => s.id === id)?.name ?? t('book.anyStaff');

  const go = (next: Step) => {
    setError(null);
    setStep(next);
  };
  async function release() {
    if (!reservation) return;
    const id = reservation.id;
    setReservation(null);
    await api.DELETE('/v1/reservations/{id}', { params: { path: { id } } }).catch(() => undefined);
  }
  async function hold(start: string, staffId?: string) {
    if (!service) return;
    setBusy(true);
    setError(null);
    setAlternatives(null);
    try {
      await release();
      const held = await call(api.POST('/v1/reservations', { body: { branchId, serviceId: service.id, start, ...(staffId ? { staffId } : {}) } }));
      setReservation(held);
      go('details');
    } catch (e) {
      if (e instanceof ApiProblem && e.problem.alternatives) setAlternatives({ message: t('book.taken'), list: e.problem.alternatives });
      else setError(e);
      // What is free changed: the lists show it again.
      await Promise.all(['pub-next', 'pub-day'].map((k) => queryClient.invalidateQueries({ queryKey: [k] })));
    } finally {
      setBusy(false);
    }
  }
  async function submit(event: FormEvent<HTMLFormElement>, idempotencyKey: string) {
    event.preventDefault();
    if (!reservation) return;
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const customer = { name: text('name') ?? '', email: text('email'), phone: text('phone'), language };
    const notes = text('notes');
    setBusy(true);
    setError(null);
    try {
      const booking = await call(
        api.POST('/v1/public/bookings', {
          body: { reservationId: reservation.id, customer, ...(notes ? { notes } : {}) },
          headers: { 'Idempotency-Key': idempotencyKey },
        }),
      );
      setResult(booking);
      setReservation(null);
      go('done');
    } catch (e) {
      if (e instanceof ApiProblem && e.problem.alternatives) {
        setAlternatives({ message: e.code === 'reservation_expired' ? t('book.expired') : t('book.taken'), list: e.problem.alternatives });
        setReservation(null);
        go('time');
      } else setError(e);
    } finally {
      setBusy(false);
    }
  }
  function restart() {
    setService(null);
    setStaff(null);
    setResult(null);
    setAlternatives(null);
    go('service');
  }
  const loadError = branch.error ?? services.error ?? staffList.error;
  const back = async () => {
    if (step === 'details') await release();
    go(step === 'details' ? 'time' : step === 'time' ? 'staff' : 'service');
  };

  return (
    <CustomerFrame title={branch.data ? `${t('book.title')} · ${branch.data.name}` : t('book.title')} lang={language}>
      <StepList step={step} t={t} />
      <CustomerProblem error={loadError} t={t} />
      {step !== 'service' && step !== 'done' && (
        <p className="summary">
          <span>
            {service?.name}
            {step !== 'staff' && ` · ${staff?.name ?? t('book.anyStaff')}`}
          </span>{' '}
          <button type="button" className="link" onClick={() => void back()}>
            {t('book.back')}
          </button>
        </p>
      )}
      {step === 'service' && (
        <ServiceStep t={t} language={locale} heading={heading} loading={services.isLoading} services={bookable} onPick={(s) => (setService(s), setStaff(null), go('staff'))} />
      )}
      {step === 'staff' && <StaffStep t={t} heading={heading} staff={staffOfService} onPick={(s) => (setStaff(s), setAlternatives(null), go('time'))} />}
      {step === 'time' && service && (
        <TimeStep
          t={t}
          language={locale}
          heading={heading}
          api={api}
          branch={branch.data}
          zone={zone}
          today={todayIn(zone)}
          service={service}
          staff={staff}
          busy={busy}
          alternatives={alternatives}
          staffName={staffName}
          onHold={(start, staffId) => void hold(start, staffId)}
        />
      )}
      {step === 'details' && reservation && (
        <DetailsStep t={t} language={locale} heading={heading} zone={zone} reservation={reservation} busy={busy} onSubmit={(e, k) => void submit(e, k)} />
      )}
      {step !== 'done' && <CustomerProblem error={error} t={t} />}
      {step === 'done' && result && (
        <DoneStep t={t} language={locale} heading={heading} zone={zone} result={result} serviceName={service?.name ?? ''} staffName={staffName(result.staffId)} onAgain={restart} />
      )}
    </CustomerFrame>
  );
}
