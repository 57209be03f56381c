/**
 * The self-service page behind the links in mails: /b/:token. Shows the appointment; cancel it
 * (after a confirmation) or move it to a free time of a chosen day (the token's own availability
 * endpoint). The branch's rules bind self-service (cancellation cutoff, reschedule limit): what
 * the link may still do (the answer's `selfService`) decides which buttons there are, and why not
 * is said once, in the page's language with the cut-off in hours or days: as the alert when an
 * action was just refused by one of these rules, otherwise as a note. Other refusals (the rules of
 * the new time) are shown rule by rule with the API's message. After the appointment, a review
 * form (once).
 * No key: the signed token in the path is the only credential.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { CustomerFrame } from '../../components/CustomerFrame';
import { CustomerProblem } from '../../components/CustomerProblem';
import { ApiProblem } from '../../lib/api-client';
import { browserLanguage, browserLocale, hoursText, pluralOf, translator, type Language, type MessageKey } from '../../lib/i18n';
import { addDays, formatDate, formatDateTime, formatDayShort, formatTime, todayIn } from '../../lib/time';
import { call, typedClient, type Schemas } from '../../lib/typed-api';

type PublicBooking = Schemas['PublicBooking'];

const LIVE = ['pending', 'confirmed', 'awaiting_approval'];

/** The branch rules that bind the link itself (API.md "Self-service"). */
type LinkRule = 'cancellation_cutoff' | 'max_reschedules';
const LINK_RULES: readonly string[] = ['cancellation_cutoff', 'max_reschedules'] satisfies LinkRule[];

/** The rules of a refusal made only by the link's own rules; none for any other error. */
function linkRulesRefusing(error: unknown): LinkRule[] {
  const rules = error instanceof ApiProblem ? (error.problem.violations ?? []).map((v) => v.rule) : [];
  return rules.length > 0 && rules.every((r) => LINK_RULES.includes(r)) ? (rules as LinkRule[]) : [];
}

/** Why the link may not do something, in the customer's words: the cut-off in hours or days, the number of moves. */
function linkRuleText(rule: LinkRule, language: Language, rules: PublicBooking['selfService'] | undefined): string {
  const t = translator(language);
  if (rule === 'cancellation_cutoff') {
    return rules ? t('manage.rule.cutoff', { within: hoursText(language, rules.cancellationCutoffHours) }) : t('rule.cancellation_cutoff');
  }
  return rules && rules.maxReschedules > 0
    ? t(`manage.rule.maxMoves.${pluralOf(language, rules.maxReschedules)}`, { count: rules.maxReschedules })
    : t('rule.max_reschedules');
}

export function ManagePage() {
  const { token = '' } = useParams();
  const language = browserLanguage();
  const locale = browserLocale();
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
  const zone = b?.branch.timezone ?? b?.timezone;
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
      setConfirmCancel(false);
      // A refusal may mean the rules changed: ask again what the link may do, and what is free,
      // before showing it (its words use the rules as they are now).
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['self', token] }), queryClient.invalidateQueries({ queryKey: ['self-availability', token] })]);
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const cancel = () => act(() => call(api.POST('/v1/public/bookings/{token}/cancel', { params: { path }, body: {} })), () => t('manage.cancelled'));
  const move = (start: string) =>
    act(
      () => call(api.POST('/v1/public/bookings/{token}/reschedule', { params: { path }, body: { start } })),
      (moved) => t('manage.moved', { when: formatDateTime(moved.start, zone, locale) }),
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
  // What the link may still do, as the API says (older servers: try, and show its refusal).
  const rules = b.selfService;
  const canCancel = live && (rules?.canCancel ?? true);
  const canMove = live && (rules?.canReschedule ?? true);
  const blocked: LinkRule[] = !live || !rules ? [] : !rules.canCancel ? ['cancellation_cutoff'] : !rules.canReschedule ? ['max_reschedules'] : [];
  // A refusal by the link's own rules is the same news as the note: told once, as the alert.
  const refused = linkRulesRefusing(error);
  const why = [...new Set([...refused, ...blocked])];
  const today = todayIn(zone ?? 'Europe/Berlin');
  const serviceName = b.service.name;
  const staffName = b.staff.name;
  const slots = availability.data?.days.find((d) => d.date === day)?.slots ?? [];
  const dayLabel = day ? t('book.times', { day: formatDate(day, locale) }) : '';
  return (
    <CustomerFrame title={t('manage.title')} lang={language}>
      <dl className="facts card">
        {b.branch.name && (
          <>
            <dt>{t('manage.where')}</dt>
            <dd>{b.branch.name}</dd>
          </>
        )}
        <dt>{t('manage.when')}</dt>
        <dd>
          {formatDateTime(b.start, zone, locale)}–{formatTime(b.end, zone, locale)}
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
          {b.rescheduledCount > 0 && <span className="subtle"> · {t(`manage.moveCount.${pluralOf(language, b.rescheduledCount)}`, { count: b.rescheduledCount })}</span>}
        </dd>
      </dl>
      {message && (
        <p role="status" className="success">
          {message}
        </p>
      )}
      {refused.length > 0 ? (
        <div role="alert" className="error problem">
          <p>{t('problem.rules')}</p>
          <ul>
            {why.map((rule) => (
              <li key={rule} data-rule={rule}>
                {linkRuleText(rule, language, rules)}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <CustomerProblem error={error} t={t} />
      )}
      {!live && !message && <p>{t('manage.noLongerLive')}</p>}
      {live && rules && blocked.length === 0 && (
        <p className="subtle">
          {t('manage.changeableUntil', { when: formatDateTime(rules.changeableUntil, zone, locale) })} {t('manage.reschedulesLeft', { count: rules.reschedulesLeft })}
        </p>
      )}
      {blocked.length > 0 && refused.length === 0 && !busy && (
        <div className="notice" role="note">
          <p>{t('manage.noMoreChanges')}</p>
          <ul>
            {blocked.map((rule) => (
              <li key={rule} data-rule={rule}>
                {linkRuleText(rule, language, rules)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {(canCancel || canMove) && (
        <div className="stack">
          {canCancel &&
            (confirmCancel ? (
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
            ))}
          {canMove && (
            <button type="button" aria-expanded={moving} aria-controls="move-panel" onClick={() => (setMoving((m) => !m), setConfirmCancel(false))}>
              {t('manage.move')}
            </button>
          )}
        </div>
      )}
      {b.review && <p className="success">{t('review.yours', { count: b.review.rating })}</p>}
      {b.canReview && !b.review && <ReviewForm t={t} onSend={(rating, comment) => call(api.POST('/v1/public/bookings/{token}/review', { params: { path }, body: { rating, ...(comment ? { comment } : {}) } }))} />}
      {canMove && moving && (
        <section id="move-panel" aria-labelledby="move-title">
          <h2 id="move-title">{t('manage.pickTime')}</h2>
          <div className="day-list" role="group" aria-label={t('manage.pickDay')}>
            {Array.from({ length: 14 }, (_, i) => addDays(today, i)).map((d) => (
              <button key={d} type="button" aria-pressed={d === day} onClick={() => setDay(d)}>
                {formatDayShort(d, locale)}
              </button>
            ))}
          </div>
          {day && (
            <div className="slot-list" role="group" aria-label={dayLabel} aria-busy={availability.isLoading}>
              {availability.isLoading && <span>{t('common.loading')}</span>}
              {availability.data && slots.length === 0 && <span>{t('book.noTimes')}</span>}
              {slots.map((s) => (
                <button key={s.start} type="button" disabled={busy} onClick={() => void move(s.start)}>
                  {formatTime(s.start, zone, locale)}
                </button>
              ))}
            </div>
          )}
        </section>
      )}
    </CustomerFrame>
  );
}

function ReviewForm({ t, onSend }: { t: ReturnType<typeof translator>; onSend: (rating: number, comment?: string) => Promise<unknown> }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const comment = String(form.get('comment') ?? '').trim();
    setError(null);
    try {
      await onSend(Number(form.get('rating')), comment || undefined);
      setSent(true);
      await queryClient.invalidateQueries({ queryKey: ['self'] });
    } catch (e) {
      setError(e);
    }
  }
  if (sent) return <p role="status" className="success">{t('review.thanks')}</p>;
  return (
    <form className="stack card" onSubmit={submit} aria-labelledby="review-title">
      <h2 id="review-title">{t('review.title')}</h2>
      <fieldset className="stars">
        <legend>{t('review.rating')}</legend>
        {[5, 4, 3, 2, 1].map((n) => (
          <label key={n}>
            <input type="radio" name="rating" value={n} required /> {t('review.stars', { count: n })}
          </label>
        ))}
      </fieldset>
      <label>
        {t('review.comment')} <textarea name="comment" rows={3} maxLength={2000} />
      </label>
      <CustomerProblem error={error} t={t} />
      <button type="submit" className="primary">
        {t('review.submit')}
      </button>
    </form>
  );
}
