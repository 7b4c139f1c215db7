import { useState } from 'preact/hooks';
import type { OrderView } from '../../../contract/orders';
import type { Translate } from '../i18n/translate';
import { formatDate, formatMoney } from '../i18n/format';
import { toAttachment, type OrdersModel } from '../models/orders-model';

/** Every order with its status and history, and what the 10-day rules allow on it now (the admin screens load and watch them). */
export function OrdersList({ orders, t, language }: { orders: OrdersModel; t: Translate; language: string }) {
  const list = orders.list.value;
  if (!list) return null;
  return (
    <section class="wb-card" data-testid="orders">
      <h2>{t('orders.title')}</h2>
      {list.orders.length === 0 && <p class="wb-muted">{t('orders.none')}</p>}
      {list.orders.map((o) => (
        <Order key={o.id} order={o} orders={orders} t={t} language={language} support={list.supportEmail} />
      ))}
    </section>
  );
}

function Order({ order: o, orders, t, language, support }: { order: OrderView; orders: OrdersModel; t: Translate; language: string; support: string }) {
  const [confirming, setConfirming] = useState<'terminate' | 'delay' | null>(null);
  const money = (cents: number) => formatMoney(cents, o.currency, language);
  return (
    <article class="wb-order" data-testid="order" data-number={o.number} data-status={o.status}>
      <header>
        <strong>{o.number}</strong> · {t(`plans.${o.plan}.name`)} · {t(`orders.kind.${o.kind}`)} · {money(o.amountDue)} ·{' '}
        <span data-testid="order-status">{t(`orders.status.${o.status}`)}</span>
      </header>
      {o.paidAt && <p>{t('orders.paid_on', { date: formatDate(o.paidAt, language) })}</p>}
      {o.activationPending && (
        <p class="wb-warning" role="status" data-testid="activation-pending">
          {t('orders.activation_pending', { email: support })}
        </p>
      )}
      {o.claimWindow && (
        <p data-testid="claim-window" class={o.claimWindow.open ? '' : 'wb-muted'}>
          {o.claimWindow.open ? t('orders.claims_until', { date: o.claimWindow.lastDay }) : t('orders.claims_closed', { date: o.claimWindow.lastDay })}
        </p>
      )}
      <p class="wb-links">
        {o.checkoutUrl && (
          // Through the backend: a card page expires after a day and "Pay now" then opens a fresh one.
          <button type="button" data-testid="pay-now" disabled={orders.busy.value} onClick={() => void orders.payNow(o.id)}>
            {t('orders.pay_now')}
          </button>
        )}{' '}
        {o.invoiceUrl && (
          <a href={o.invoiceUrl} target="_blank" rel="noopener" data-testid="invoice-link">
            {t('orders.invoice')}
          </a>
        )}
      </p>
      <ul class="wb-history">
        {o.history.map((h, i) => (
          <li key={i}>
            {formatDate(h.at, language, undefined, true)} · {t(`orders.history.${h.event}`, { reference: h.detail ?? '' })}
            {h.why ? ` (${t(`orders.why.${h.why}`)})` : ''}
            {h.amount !== null ? ` · ${money(h.amount)}` : ''}
          </li>
        ))}
      </ul>
      {o.claims.map((c) => (
        <div key={c.id} class="wb-claim" data-testid="claim" data-status={c.status}>
          <p>
            {t('claims.filed', { date: formatDate(c.filedAt, language) })} · <strong>{t(`claims.status.${c.status}`)}</strong>
            {c.status === 'open' && ` · ${t('claims.due', { date: formatDate(c.answerDueBy, language) })}`}
          </p>
          <blockquote>{c.text}</blockquote>
          {c.answer && <p data-testid="claim-answer">{t('claims.answer', { answer: c.answer })}</p>}
        </div>
      ))}
      {o.claimWindow?.open && <ClaimForm orderId={o.id} orders={orders} t={t} until={o.claimWindow.lastDay} />}
      {o.delayRefundAvailable &&
        (confirming === 'delay' ? (
          <p role="alertdialog" data-testid="delay-refund-confirm">
            {t('orders.delay_refund_confirm', { amount: money(o.amountReceived) })}{' '}
            <button type="button" onClick={() => void orders.delayRefund(o.id)}>
              {t('orders.confirm')}
            </button>
          </p>
        ) : (
          <button type="button" data-testid="delay-refund" onClick={() => setConfirming('delay')}>
            {t('orders.delay_refund')}
          </button>
        ))}
      {o.canTerminate &&
        (confirming === 'terminate' ? (
          <p role="alertdialog" data-testid="terminate-confirm" class="wb-warning">
            {t('orders.terminate_warning')}{' '}
            <button type="button" class="wb-danger" onClick={() => void orders.terminate(o.id)}>
              {t('orders.terminate_confirm')}
            </button>{' '}
            <button type="button" onClick={() => setConfirming(null)}>
              {t('consent.cancel')}
            </button>
          </p>
        ) : (
          <button type="button" data-testid="terminate" onClick={() => setConfirming('terminate')}>
            {t('orders.terminate')}
          </button>
        ))}
      {o.terminatedAt && <p class="wb-muted">{t('orders.terminated', { date: formatDate(o.terminatedAt, language) })}</p>}
    </article>
  );
}

function ClaimForm({ orderId, orders, t, until }: { orderId: string; orders: OrdersModel; t: Translate; until: string }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  if (!open) {
    return (
      <button type="button" data-testid="open-claim" onClick={() => setOpen(true)}>
        {t('claims.file', { date: until })}
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    const attachments = await Promise.all(files.slice(0, 3).map(toAttachment));
    if (await orders.fileClaim(orderId, { text, attachments })) setOpen(false);
  };
  return (
    <form class="wb-form" data-testid="claim-form" onSubmit={(e) => void submit(e)}>
      <label>
        {t('claims.text')}
        <textarea name="text" rows={4} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </label>
      <label>
        {t('claims.attachments')}
        <input type="file" multiple onChange={(e) => setFiles([...((e.target as HTMLInputElement).files ?? [])])} />
      </label>
      <button type="submit" disabled={orders.busy.value}>
        {t('claims.submit')}
      </button>
    </form>
  );
}
