/**
 * The steps of the booking page, each a form part with its own heading (the heading takes the
 * focus when the step opens, see BookingPage). Buttons are real buttons (keyboard and touch), at
 * least 44 px high on a phone; groups of choices are named for screen readers.
 */
import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { newIdempotencyKey } from '../../lib/api-client';
import type { MessageKey } from '../../lib/i18n';
import { addDays, formatDate, formatDateTime, formatDayShort, formatTime } from '../../lib/time';
import { call, type Schemas, type TypedClient } from '../../lib/typed-api';
import type { PublicBookingCreated, RatedStaff, Reservation, Translate } from './BookingPage';

export type Step = 'service' | 'staff' | 'time' | 'details' | 'done';
export interface Alternative {
  start: string;
  end: string;
  staffId: string;
  staffName?: string;
}
export interface Alternatives {
  message: string;
  list: Alternative[];
}
type Heading = RefObject<HTMLHeadingElement | null>;

const STEPS: Array<[Step, MessageKey]> = [
  ['service', 'book.stepService'],
  ['staff', 'book.stepStaff'],
  ['time', 'book.stepTime'],
  ['details', 'book.stepDetails'],
  ['done', 'book.stepDone'],
];

export function StepList({ step, t }: { step: Step; t: Translate }) {
  const current = STEPS.findIndex(([s]) => s === step);
  return (
    <ol className="steps" aria-label={t('book.steps')}>
      {STEPS.map(([s, label], i) => (
        <li key={s} aria-current={i === current ? 'step' : undefined} className={i < current ? 'past' : i === current ? 'current' : undefined}>
          {t(label)}
        </li>
      ))}
    </ol>
  );
}

export function formatPrice(price: number | null | undefined, language: string, currency = 'EUR'): string | null {
  if (price === null || price === undefined) return null;
  return new Intl.NumberFormat(language, { style: 'currency', currency }).format(price);
}

export function ServiceStep(props: { t: Translate; language: string; heading: Heading; loading: boolean; services: Schemas['Service'][]; onPick: (s: Schemas['Service']) => void }) {
  const { t } = props;
  return (
    <section aria-labelledby="step-heading">
      <h2 id="step-heading" ref={props.heading} tabIndex={-1}>
        {t('book.chooseService')}
      </h2>
      {props.loading && <p>{t('common.loading')}</p>}
      {!props.loading && props.services.length === 0 && <p>{t('book.noServices')}</p>}
      <div className="choices" role="group" aria-label={t('book.service')}>
        {props.services.map((s) => (
          <button key={s.id} type="button" className="choice" onClick={() => props.onPick(s)}>
            <strong>{s.name}</strong>
            <span>
              {t('book.minutes', { count: s.durationMinutes })}
              {formatPrice(s.price, props.language) && ` · ${formatPrice(s.price, props.language)}`}
            </span>
          </button>
        ))}
      </div>
    </section>
  );
}

export function StaffStep(props: { t: Translate; heading: Heading; staff: RatedStaff[]; onPick: (s: RatedStaff | null) => void }) {
  const { t } = props;
  return (
    <section aria-labelledby="step-heading">
      <h2 id="step-heading" ref={props.heading} tabIndex={-1}>
        {t('book.staff')}
      </h2>
      <div className="choices" role="group" aria-label={t('book.staff')}>
        <button type="button" className="choice" onClick={() => props.onPick(null)}>
          <strong>{t('book.anyStaff')}</strong>
        </button>
        {props.staff.map((s) => (
          <button key={s.id} type="button" className="choice" onClick={() => props.onPick(s)}>
            <strong>{s.name}</strong>
            {s.rating && s.rating.count > 0 && s.rating.average !== null && (
              <span className="rating">
                <span aria-hidden="true">★ </span>
                {t('book.rating', { avg: s.rating.average.toFixed(1), count: s.rating.count })}
              </span>
            )}
          </button>
        ))}
      </div>
    </section>
  );
}

const WINDOW = 14;

export function TimeStep(props: {
  t: Translate;
  language: string;
  heading: Heading;
  api: TypedClient;
  branch: Schemas['Branch'] | undefined;
  zone: string;
  today: string;
  service: Schemas['Service'];
  staff: RatedStaff | null;
  busy: boolean;
  alternatives: Alternatives | null;
  staffName: (id: string | null | undefined) => string;
  onHold: (start: string, staffId?: string) => void;
}) {
  const { t, language, zone, api, service, staff } = props;
  const branchId = props.branch?.id ?? service.branchId;
  const [offset, setOffset] = useState(0);
  const [day, setDay] = useState<string | null>(null);
  const maxAdvance = props.branch?.rules?.maxAdvanceDays ?? 90;
  const staffQuery = staff ? { staffId: staff.id } : {};
  const next = useQuery({
    queryKey: ['pub-next', branchId, service.id, staff?.id ?? null],
    queryFn: () => call(api.GET('/v1/availability/next', { params: { query: { branchId, serviceId: service.id, ...staffQuery, limit: 6 } } })),
  });
  const dayAvailability = useQuery({
    queryKey: ['pub-day', branchId, service.id, staff?.id ?? null, day],
    enabled: !!day,
    queryFn: () => call(api.GET('/v1/availability', { params: { query: { branchId, serviceId: service.id, ...staffQuery, from: day as string, to: day as string } } })),
  });
  const days = Array.from({ length: WINDOW }, (_, i) => addDays(props.today, offset + i)).filter((_, i) => offset + i <= maxAdvance);
  const slots = dayAvailability.data?.days[0]?.slots ?? [];
  const dayLabel = day ? t('book.times', { day: formatDate(day, language) }) : '';
  return (
    <section aria-labelledby="step-heading">
      <h2 id="step-heading" ref={props.heading} tabIndex={-1}>
        {t('book.next')}
      </h2>
      {props.alternatives && (
        <div role="alert" className="alternatives">
          <p>{props.alternatives.message}</p>
          {props.alternatives.list.length === 0 && <p>{t('book.noNext')}</p>}
          <div className="slot-list">
            {props.alternatives.list.map((a) => (
              <button key={`${a.start}-${a.staffId}`} type="button" disabled={props.busy} onClick={() => props.onHold(a.start, a.staffId)}>
                {formatDateTime(a.start, zone, language)} · {a.staffName ?? props.staffName(a.staffId)}
              </button>
            ))}
          </div>
        </div>
      )}
      <div className="slot-list" role="group" aria-label={t('book.next')} aria-busy={next.isLoading}>
        {next.isLoading && <span>{t('common.loading')}</span>}
        {next.data && next.data.slots.length === 0 && <span>{t('book.noNext')}</span>}
        {(next.data?.slots ?? []).map((s) => (
          <button key={`${s.start}-${s.staffId}`} type="button" disabled={props.busy} onClick={() => props.onHold(s.start, staff?.id ?? s.staffId)}>
            {formatDateTime(s.start, zone, language)}
            {!staff && ` · ${s.staffName ?? props.staffName(s.staffId)}`}
          </button>
        ))}
      </div>
      <h3>{t('book.day')}</h3>
      <div className="day-list" role="group" aria-label={t('book.day')}>
        {days.map((d) => (
          <button key={d} type="button" aria-pressed={d === day} onClick={() => setDay(d)}>
            {formatDayShort(d, language)}
          </button>
        ))}
      </div>
      <div className="row spread">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - WINDOW))}>
          {t('book.earlier')}
        </button>
        <button type="button" disabled={offset + WINDOW > maxAdvance} onClick={() => setOffset(offset + WINDOW)}>
          {t('book.later')}
        </button>
      </div>
      {day && (
        <>
          <h3>{dayLabel}</h3>
          <div className="slot-list" role="group" aria-label={dayLabel} aria-busy={dayAvailability.isLoading}>
            {dayAvailability.isLoading && <span>{t('common.loading')}</span>}
            {dayAvailability.data && slots.length === 0 && <span>{t('book.noTimes')}</span>}
            {slots.map((s) => (
              <button key={s.start} type="button" disabled={props.busy} onClick={() => props.onHold(s.start, staff?.id)}>
                {formatTime(s.start, zone, language)}
              </button>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

export function DetailsStep(props: {
  t: Translate;
  language: string;
  heading: Heading;
  zone: string;
  reservation: Reservation;
  busy: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>, idempotencyKey: string) => void;
}) {
  const { t, language, zone, reservation } = props;
  // One key per held time: a double submit books once; a new time gets a new key.
  const idempotencyKey = useRef(newIdempotencyKey());
  const [contactMissing, setContactMissing] = useState(false);
  function submit(event: FormEvent<HTMLFormElement>) {
    const form = new FormData(event.currentTarget);
    const filled = (name: string) => String(form.get(name) ?? '').trim() !== '';
    if (!filled('email') && !filled('phone')) {
      event.preventDefault();
      setContactMissing(true);
      return;
    }
    setContactMissing(false);
    props.onSubmit(event, idempotencyKey.current);
  }
  return (
    <form onSubmit={submit} className="stack card" aria-labelledby="step-heading" noValidate={false}>
      <h2 id="step-heading" ref={props.heading} tabIndex={-1}>
        {t('book.details')}
      </h2>
      <p className="held">
        {t('book.held', { when: formatDateTime(reservation.start, zone, language), until: formatTime(reservation.expiresAt, zone, language) })}
      </p>
      <label>
        {t('book.name')} <input name="name" required autoComplete="name" maxLength={200} />
      </label>
      <p id="contact-hint" className="hint">
        {t('book.contactHint')}
      </p>
      <label>
        {t('book.email')}{' '}
        <input name="email" type="email" autoComplete="email" inputMode="email" aria-describedby="contact-hint" aria-invalid={contactMissing || undefined} />
      </label>
      <label>
        {t('book.phone')}{' '}
        <input name="phone" type="tel" autoComplete="tel" inputMode="tel" aria-describedby="contact-hint" aria-invalid={contactMissing || undefined} />
      </label>
      {contactMissing && (
        <p role="alert" className="error">
          {t('book.contactRequired')}
        </p>
      )}
      <label>
        {t('book.notes')} <textarea name="notes" rows={2} maxLength={500} />
      </label>
      <button type="submit" className="primary" disabled={props.busy}>
        {t('book.submit')}
      </button>
    </form>
  );
}

export function DoneStep(props: {
  t: Translate;
  language: string;
  heading: Heading;
  zone: string;
  result: PublicBookingCreated;
  serviceName: string;
  staffName: string;
  onAgain: () => void;
}) {
  const { t, result } = props;
  // A string: `awaiting_approval` is a status of services that need approval (API.md "Catalog depth").
  const status: string = result.status;
  const title = status === 'awaiting_approval' ? t('book.awaiting') : status === 'pending' ? t('book.pending') : t('book.confirmed');
  return (
    <section role="status" className="success card" aria-labelledby="step-heading">
      <h2 id="step-heading" ref={props.heading} tabIndex={-1}>
        {title}
      </h2>
      <p>{t('book.summary', { service: props.serviceName, staff: props.staffName, when: formatDateTime(result.start, props.zone, props.language) })}</p>
      {result.manageUrl && (
        <p>
          <a href={result.manageUrl}>{t('book.manage')}</a>
        </p>
      )}
      <button type="button" onClick={props.onAgain}>
        {t('book.another')}
      </button>
    </section>
  );
}
