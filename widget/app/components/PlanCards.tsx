import type { Translate } from '../i18n/translate';
import { formatMoney, formatNumber } from '../i18n/format';
import type { LicenceModel } from '../models/licence-model';

/** The price list: each plan's price in USD or EUR and what it includes. */
export function PlanCards({ model, t, language }: { model: LicenceModel; t: Translate; language: string }) {
  const list = model.plans.value;
  if (!list) return null;
  const currency = model.currency.value;
  const current = model.status.value?.plan;
  return (
    <section class="wb-plans" data-testid="plan-cards">
      <h2>{t('plans.title')}</h2>
      <div class="wb-segmented" role="group" aria-label={t('plans.currency')}>
        {(['USD', 'EUR'] as const).map((c) => (
          <button key={c} type="button" aria-pressed={currency === c} onClick={() => (model.currency.value = c)}>
            {c}
          </button>
        ))}
      </div>
      <div class="wb-plans__grid">
        {list.plans.map((plan) => (
          <article key={plan.id} class={`wb-plan${current === plan.id ? ' is-current' : ''}`} data-plan={plan.id}>
            <h3>{t(`plans.${plan.id}.name`)}</h3>
            <p class="wb-plan__price">{t('plans.per_period', { price: formatMoney(plan.prices[currency], currency, language), days: list.periodDays })}</p>
            <ul>
              <li>{t('plans.messages', { count: formatNumber(plan.messages, language) })}</li>
              <li>{t('plans.numbers', { count: plan.numbers })}</li>
              <li>{t('plans.includes')}</li>
            </ul>
            {current === plan.id && <p class="wb-muted">{t('plans.current')}</p>}
          </article>
        ))}
      </div>
      <p class="wb-muted">{t('plans.demo_note', { days: list.demo.days, messages: list.demo.messages })}</p>
    </section>
  );
}
