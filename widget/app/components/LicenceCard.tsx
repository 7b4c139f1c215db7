import type { Translate } from '../i18n/translate';
import { formatDate, formatNumber } from '../i18n/format';
import { allowancePercent, type LicenceModel } from '../models/licence-model';

/** Plan, period, days left, the allowance meter, reminders, and what is switched off and why. */
export function LicenceCard({ model, t, language }: { model: LicenceModel; t: Translate; language: string }) {
  const status = model.status.value;
  if (model.error.value)
    return (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    );
  if (!status) return null;
  const zone = status.timezone;
  const planName = status.plan ? t(`plans.${status.plan}.name`) : t('licence.no_plan');
  return (
    <section class="wb-card" data-testid="licence-card" data-state={status.state}>
      <h2>{t('licence.title')}</h2>
      <p data-testid="licence-plan">
        <strong>{planName}</strong> · {t(`licence.state.${status.state}`)}
      </p>
      {status.period && (
        <p data-testid="licence-period">{t('licence.until', { date: formatDate(status.period.endsAt, language, zone), count: status.period.daysLeft })}</p>
      )}
      {status.reminderDaysLeft !== null && (
        <p class="wb-warning" role="status" data-testid="licence-reminder">
          {status.reminderDaysLeft === 0 ? t('licence.reminder_today') : t('licence.reminder', { days: status.reminderDaysLeft })}
        </p>
      )}
      {status.inactivity && (
        <p class="wb-warning" role="alert" data-testid="licence-inactivity">
          {t('licence.inactivity_warning', { unused: status.inactivity.daysUnused, days: status.inactivity.daysLeft })}
        </p>
      )}
      {(status.state === 'expired' || status.state === 'none') && (
        <p class="wb-warning" role="alert" data-testid="licence-expired">
          {t('licence.expired_notice')}
        </p>
      )}
      {status.allowance && (
        <div class="wb-meter" data-testid="allowance">
          <div class="wb-meter__label">
            {t('licence.allowance', { used: formatNumber(status.allowance.used, language), limit: formatNumber(status.allowance.limit, language) })}
          </div>
          <div
            class="wb-meter__bar"
            role="meter"
            aria-valuemin={0}
            aria-valuemax={status.allowance.limit}
            aria-valuenow={status.allowance.used}
            aria-label={t('licence.allowance_label')}
          >
            <div class="wb-meter__fill" style={{ width: `${allowancePercent(status.allowance)}%` }} />
          </div>
          <div class="wb-muted">
            {status.allowance.resetsAt
              ? t('licence.resets_at', { date: formatDate(status.allowance.resetsAt, language, zone, true) })
              : t('licence.resets_on_renewal')}
          </div>
        </div>
      )}
      {model.disabled.value.length > 0 && (
        <ul class="wb-disabled" data-testid="disabled-capabilities">
          {model.disabled.value.map((d) => (
            <li key={d.name} data-capability={d.name} data-code={d.code}>
              <strong>{t(`capabilities.${d.name}`)}</strong>:{' '}
              {t(`capabilities.off.${d.code}`, { plan: status.kommoPlan.name ?? t('capabilities.unknown_plan') })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The licence in a card: one line (plan, state, days left, messages used) so the chat starts right
 * below it; a licence that needs attention shows in the warning colour. The full block is in settings.
 */
export function LicenceLine({ model, t, language }: { model: LicenceModel; t: Translate; language: string }) {
  const status = model.status.value;
  if (model.error.value)
    return (
      <p class="wb-error" role="alert">
        {model.error.value}
      </p>
    );
  if (!status) return null;
  const attention = status.state === 'expired' || status.state === 'none' || status.reminderDaysLeft !== null || status.inactivity !== null;
  return (
    <p
      class={`wb-licence-line${attention ? ' wb-warning' : ''}`}
      data-testid="licence-line"
      data-state={status.state}
      title={attention && (status.state === 'expired' || status.state === 'none') ? t('licence.expired_notice') : undefined}
    >
      <strong>{status.plan ? t(`plans.${status.plan}.name`) : t('licence.no_plan')}</strong> · {t(`licence.state.${status.state}`)}
      {status.period && <> · {t('licence.until', { date: formatDate(status.period.endsAt, language, status.timezone), count: status.period.daysLeft })}</>}
      {status.allowance && (
        <> · {t('licence.allowance', { used: formatNumber(status.allowance.used, language), limit: formatNumber(status.allowance.limit, language) })}</>
      )}
    </p>
  );
}
