/**
 * An API refusal told to a customer in the page's language: rule violations one per line with
 * the rule in plain words (and the API's own message beside it), field errors as a list, rate
 * limits and outages as what to do. The console's ProblemView shows the raw API text instead.
 */
import { ApiProblem } from '../lib/api-client';
import type { MessageKey } from '../lib/i18n';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

const RULES = new Set([
  'minimum_notice', 'max_advance', 'business_hours', 'staff_availability', 'service_availability', 'customer_blocked',
  'max_daily_bookings', 'booking_limit', 'consultation_required', 'cancellation_cutoff', 'max_reschedules', 'group_size',
]);

export function CustomerProblem({ error, t }: { error: unknown; t: T }) {
  if (!error) return null;
  if (!(error instanceof ApiProblem)) {
    return <p role="alert" className="error">{t('common.error', { message: String((error as Error).message ?? error) })}</p>;
  }
  const { violations, errors } = error.problem;
  if (violations && violations.length > 0) {
    return (
      <div role="alert" className="error problem">
        <p>{t('problem.rules')}</p>
        <ul>
          {violations.map((v) => (
            <li key={v.rule} data-rule={v.rule}>
              {RULES.has(v.rule) ? <strong>{t(`rule.${v.rule}` as MessageKey)}</strong> : null} <span>{v.message}</span>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (errors && errors.length > 0) {
    return (
      <div role="alert" className="error problem">
        <p>{t('problem.invalid')}</p>
        <ul>
          {errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              {e.path}: {e.message}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const text = error.status === 429 ? t('problem.rateLimited') : error.status >= 500 ? t('problem.unavailable') : t('common.error', { message: error.message });
  return <p role="alert" className="error">{text}</p>;
}
