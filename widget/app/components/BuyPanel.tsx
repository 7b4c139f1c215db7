import { useEffect, useState } from 'preact/hooks';
import type { Translate } from '../i18n/translate';
import { formatMoney } from '../i18n/format';
import type { AccountAdminModel } from '../models/account-admin-model';
import type { LicenceModel } from '../models/licence-model';
import { draftForAction, plansFor, startingDraft, type OrdersModel } from '../models/orders-model';

/** Buy, renew or upgrade: the backend prices it; card opens the provider's page, invoice the printable invoice. */
export function BuyPanel({
  orders,
  licence,
  admin,
  t,
  language,
  onRegister,
}: {
  orders: OrdersModel;
  licence: LicenceModel;
  admin: AccountAdminModel;
  t: Translate;
  language: string;
  onRegister: () => void;
}) {
  const paid = licence.status.value?.state === 'active';
  const current = paid ? (licence.status.value?.plan ?? null) : null;
  const draft = orders.draft.value;
  const openId = orders.open.value?.id ?? null;
  // The draft starts from the licence and the open order once both are in, and starts again when
  // either changes, never when the admin edits it. Until it has started the panel shows nothing,
  // so no control changes under the admin's hand.
  const startKey = licence.status.value && orders.list.value ? `${current}|${openId}` : null;
  const [started, setStarted] = useState(false);
  useEffect(() => {
    if (!startKey) return;
    void orders.change(startingDraft(orders.open.peek(), current, orders.draft.peek()));
    setStarted(true);
  }, [orders, startKey]);
  if (!startKey || !started) return null;
  const mayOrder = admin.admin.value?.mayOrder;
  const quote = orders.quote.value;
  const open = orders.open.value;
  const select = (name: string, value: string, options: [string, string][], onChange: (v: string) => void) => (
    <label>
      {t(`buy.${name}`)}
      <select name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section class="wb-card wb-buy" data-testid="buy-panel">
      <h2>{t('buy.title')}</h2>
      {mayOrder && !mayOrder.allowed && (
        <p class="wb-warning" data-testid="order-blocked">
          {t(`buy.blocked.${mayOrder.code}`)} {/* The registration form (with the terms) is above this panel, in the same section. */}
          <button type="button" class="wb-link" data-testid="go-to-registration" onClick={onRegister}>
            {t(mayOrder.code === 'terms_acceptance_required' ? 'buy.go_to_terms' : 'buy.go_to_registration')}
          </button>
        </p>
      )}
      <div class="wb-buy__row">
        {select(
          'action',
          draft.action,
          (paid ? ['renew', ...(plansFor('upgrade', current).length ? ['upgrade'] : [])] : ['buy']).map((a) => [a, t(`buy.actions.${a}`)]),
          (v) => void orders.change(draftForAction(draft, v as typeof draft.action, current)),
        )}
        {select(
          'plan',
          draft.plan,
          plansFor(draft.action, current).map((p) => [p, t(`plans.${p}.name`)]),
          (v) => void orders.change({ plan: v as typeof draft.plan }),
        )}
        {select(
          'currency',
          draft.currency,
          [
            ['USD', 'USD'],
            ['EUR', 'EUR'],
          ],
          (v) => void orders.change({ currency: v as typeof draft.currency }),
        )}
        {select(
          'method',
          draft.method,
          [
            ['card', t('buy.methods.card')],
            ['invoice', t('buy.methods.invoice')],
          ],
          (v) => void orders.change({ method: v as typeof draft.method }),
        )}
      </div>
      {quote && (
        <p data-testid="order-price">
          {t('buy.price', { amount: formatMoney(quote.amountDue, quote.currency, language) })}
          {quote.unusedValue
            ? ` ${t('buy.upgrade_credit', { days: quote.remainingDays ?? 0, amount: formatMoney(quote.unusedValue, quote.currency, language) })}`
            : ''}
          {quote.creditApplied ? ` ${t('buy.credit_applied', { amount: formatMoney(quote.creditApplied, quote.currency, language) })}` : ''}
        </p>
      )}
      {open && (
        <div class="wb-warning" role="status" data-testid="open-order" data-number={open.number}>
          <p>
            {orders.returned.value === open.number ? `${t('buy.already_ordered')} ` : ''}
            {t('buy.open_order', { number: open.number, amount: formatMoney(open.amountDue - open.amountReceived, open.currency, language) })}{' '}
            {open.method === 'card' ? (
              <button type="button" data-testid="pay-open-order" disabled={orders.busy.value} onClick={() => void orders.payNow(open.id)}>
                {t('orders.pay_now')}
              </button>
            ) : (
              open.invoiceUrl && (
                <a href={open.invoiceUrl} target="_blank" rel="noopener">
                  {t('orders.invoice')}
                </a>
              )
            )}
          </p>
          {!orders.sameAsOpen.value && <p data-testid="replaces-open-order">{t('buy.replaces_open', { number: open.number })}</p>}
        </div>
      )}
      {orders.error.value && (
        <p class="wb-error" role="alert">
          {orders.error.value}
        </p>
      )}
      <button
        type="button"
        data-testid="place-order"
        disabled={orders.busy.value || !quote || (mayOrder && !mayOrder.allowed)}
        onClick={() => void orders.place()}
      >
        {draft.method === 'card' ? t('buy.pay_card') : t('buy.get_invoice')}
      </button>
      <p class="wb-muted">{t('buy.note')}</p>
    </section>
  );
}
