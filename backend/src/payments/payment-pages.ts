import express, { Router } from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { notFound } from '../http/app-error';
import type { OrderViews } from './order-views';
import type { PaymentEvents } from './payment-events';
import { escapeHtml } from '../http/html';

export interface Seller {
  name: string;
  address: string;
  taxId: string;
  email: string;
  bank: string;
}

/** Signed links, so the invoice opens in a new tab without a session and no one can guess another's. */
export function invoiceLinks(key: Uint8Array, publicUrl: string) {
  const sign = (orderId: string) => createHmac('sha256', key).update(`invoice:${orderId}`).digest('base64url').slice(0, 32);
  return {
    url: (orderId: string) => `${publicUrl}/invoices/${encodeURIComponent(orderId)}/${sign(orderId)}`,
    valid: (orderId: string, token: string) => {
      const expected = Buffer.from(sign(orderId));
      const given = Buffer.from(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

const money = (cents: number, currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100);
const day = (d: Date) => new Date(d).toISOString().slice(0, 10);

/** The card provider's webhook (raw body, before JSON parsing), the return page, and the printable invoice. */
export function paymentPages(deps: {
  orders: Pick<OrderViews, 'invoice'>;
  events: PaymentEvents;
  links: ReturnType<typeof invoiceLinks>;
  seller: Seller;
}): Router {
  const router = Router();

  router.post('/payments/webhook', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await deps.events.receive(body, req.header('stripe-signature'));
    res.json({ received: true });
  });

  router.get('/payments/return', (req, res) => {
    const paid = req.query.status === 'paid';
    const number = typeof req.query.order === 'string' ? req.query.order.slice(0, 40) : '';
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Wabridge payment</title><body style="font:15px system-ui,sans-serif;max-width:520px;margin:3em auto">` +
          `<h1 data-testid="payment-return">${paid ? 'Payment received' : 'Payment cancelled'}</h1>` +
          `<p>${paid ? `Thank you. Order ${escapeHtml(number)} is being activated; the widget in Kommo shows it within seconds.` : `Order ${escapeHtml(number)} was not paid. You can pay it later from the widget.`}</p>` +
          `<p>You can close this tab.</p></body></html>`,
      );
  });

  router.get('/invoices/:orderId/:token', async (req, res) => {
    const { orderId, token } = req.params;
    if (!deps.links.valid(orderId, token)) throw notFound('No such invoice.');
    const invoice = await deps.orders.invoice(orderId);
    if (!invoice) throw notFound('No such invoice.');
    const { order, registration: buyer, account } = invoice;
    // Once the registration is erased (consent withdrawn), the legal details frozen on the order remain.
    const buyerName = buyer ? [buyer.last_name, buyer.first_name, buyer.patronymic].filter(Boolean).join(' ') : (order.buyer?.name ?? '—');
    const buyerCity = buyer?.city ?? order.buyer?.city;
    const s = deps.seller;
    res.type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Invoice ${escapeHtml(order.number)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em}table{width:100%;border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:6px;text-align:left}.parties{display:flex;gap:2em}.parties>div{flex:1}@media print{.hint{display:none}}</style>
<body>
<h1>Invoice <span data-testid="invoice-number">${escapeHtml(order.number)}</span></h1>
<p>Issued ${day(order.created_at)} · <strong>Due by <span data-testid="invoice-due">${day(order.expires_at)}</span></strong></p>
<div class="parties">
<div><h2>Seller</h2><p>${escapeHtml(s.name)}<br>${escapeHtml(s.address)}<br>Tax id ${escapeHtml(s.taxId)}<br>${escapeHtml(s.email)}</p></div>
<div data-testid="invoice-buyer"><h2>Buyer</h2><p>${escapeHtml(buyerName)}<br>${buyerCity ? `${escapeHtml(buyerCity)}<br>` : ''}${buyer ? `${escapeHtml(buyer.email)}<br>${escapeHtml(buyer.phone)}<br>` : ''}Kommo account ${escapeHtml(account?.name ?? account?.subdomain ?? '')} (${escapeHtml(String(account?.kommo_account_id ?? ''))})</p></div>
</div>
<table><tr><th>Item</th><th>Amount</th></tr>
<tr><td>Wabridge ${order.plan.toUpperCase()} licence, 30 days (${order.kind})</td><td>${money(order.price, order.currency)}</td></tr>
${order.credit_applied ? `<tr><td>Credit from earlier payments</td><td>−${money(order.credit_applied, order.currency)}</td></tr>` : ''}
<tr><th>Total due</th><th data-testid="invoice-amount">${money(order.amount_due, order.currency)}</th></tr></table>
<p>Pay by bank transfer to ${escapeHtml(s.bank)}, quoting <strong>${escapeHtml(order.number)}</strong>. The licence is activated when the full amount has arrived; the date the funds arrive is the payment date.</p>
<p class="hint">Print this page or save it as PDF from your browser.</p>
</body></html>`);
  });

  return router;
}
