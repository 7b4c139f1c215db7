import { HistoryWhy, type OrderList, type OrderView } from '../../../contract/orders';
import type { Clock } from '../clock';
import { notFound } from '../http/app-error';
import type { LicenceService } from '../licensing/licence-service';
import type { Queryable } from '../store/db';
import { claimsOf, creditBalance, creditsOf, findOrder, invoiceBuyer, listOrders, paymentsOf, refundsOf, type OrderRow, type RefundRow } from './order-store';
import { claimWindowOpen, delayRefundAvailable, lastWindowDay, windowClosesAt } from './ten-day-rules';
import { DAY_MS } from '../clock';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** The reason as the widget translates it, when it is one the admin is told about. */
const why = (reason: string): { why?: HistoryWhy } => (HistoryWhy.options.includes(reason as HistoryWhy) ? { why: reason as HistoryWhy } : {});
const REFUND_NOTE: Record<RefundRow['status'], string> = {
  to_send: ' (to be sent by bank transfer)',
  sent: ' (sent by bank transfer)',
  pending: ' (pending at the card provider)',
  succeeded: '',
};

/** An order as the admin sees it: amounts, status, history, the 10-day windows and the actions that apply now. */
async function orderView(db: Queryable, order: OrderRow, ctx: { zone: string; now: Date; invoiceUrl: (id: string) => string }): Promise<OrderView> {
  const [payments, refunds, credits, claims] = await Promise.all([
    paymentsOf(db, order.id),
    refundsOf(db, order.id),
    creditsOf(db, order.id),
    claimsOf(db, order.id),
  ]);
  const paidAt = order.paid_at ? new Date(order.paid_at) : null;
  const activatedAt = order.activated_at ? new Date(order.activated_at) : null;
  const settled = paidAt && !['cancelled', 'refunded'].includes(order.status);
  const history: OrderView['history'] = [
    { at: iso(order.created_at)!, event: 'created' as const, amount: order.amount_due, detail: order.credit_applied ? `credit ${order.credit_applied}` : null },
    ...payments.map((p) => ({
      at: iso(p.received_at)!,
      event: 'payment' as const,
      amount: p.amount,
      detail: p.after_close ? `${p.provider}, after the order closed` : p.provider,
    })),
    ...(order.closed_at && order.close_reason
      ? [
          {
            at: iso(order.closed_at)!,
            event: order.close_reason === 'unpaid' ? ('expired' as const) : ('cancelled' as const),
            amount: null,
            detail: order.close_reason,
            why: order.close_reason,
          },
        ]
      : []),
    ...refunds.map((r) => ({
      at: iso(r.created_at)!,
      event: 'refund' as const,
      amount: r.amount,
      detail: `${r.reason}${REFUND_NOTE[r.status]}`,
      ...why(r.reason),
    })),
    // A bank refund the operator sent: its transfer's reference.
    ...refunds.filter((r) => r.status === 'sent').map((r) => ({ at: iso(r.sent_at)!, event: 'refund_sent' as const, amount: r.amount, detail: r.reference })),
    ...credits.map((c) => ({ at: iso(c.created_at)!, event: 'credit' as const, amount: Number(c.amount), detail: c.reason, ...why(c.reason) })),
    ...(activatedAt ? [{ at: activatedAt.toISOString(), event: 'activated' as const, amount: null, detail: null }] : []),
    ...(order.terminated_at ? [{ at: iso(order.terminated_at)!, event: 'terminated' as const, amount: null, detail: 'no refund' }] : []),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    id: order.id,
    number: order.number,
    kind: order.kind,
    plan: order.plan,
    currency: order.currency,
    method: order.method,
    price: order.price,
    creditApplied: order.credit_applied,
    amountDue: order.amount_due,
    amountReceived: payments.reduce((s, p) => s + p.amount, 0),
    amountRefunded: refunds.reduce((s, r) => s + r.amount, 0),
    status: refunds.some((r) => r.status === 'to_send' || r.status === 'pending') ? 'refund_pending' : order.status,
    createdAt: iso(order.created_at)!,
    expiresAt: iso(order.expires_at)!,
    paidAt: iso(paidAt),
    activatedAt: iso(activatedAt),
    terminatedAt: iso(order.terminated_at),
    activationPending: Boolean(order.status === 'paid' && paidAt && !activatedAt && ctx.now.getTime() - paidAt.getTime() >= DAY_MS),
    claimWindow:
      settled && paidAt
        ? {
            lastDay: lastWindowDay(paidAt, ctx.zone),
            closesAt: windowClosesAt(paidAt, ctx.zone).toISOString(),
            open: claimWindowOpen(paidAt, ctx.zone, ctx.now),
          }
        : null,
    delayRefundAvailable: Boolean(order.status === 'paid' && paidAt && delayRefundAvailable({ paidAt, activatedAt, zone: ctx.zone, now: ctx.now })),
    canTerminate: order.status === 'active' && !order.terminated_at,
    checkoutUrl: order.status === 'awaiting_payment' ? order.checkout_url : null,
    invoiceUrl: order.method === 'invoice' ? ctx.invoiceUrl(order.id) : null,
    history,
    claims: claims.map((c) => ({
      id: c.id,
      status: c.status,
      text: c.text,
      attachments: (c.attachments ?? []).map((a) => ({ name: a.name, size: a.size })),
      filedAt: iso(c.filed_at)!,
      answerDueBy: iso(c.answer_due_by)!,
      answer: c.answer,
      resolution: c.resolution,
      refundAmount: c.refund_amount,
      extensionDays: c.extension_days,
      answeredAt: iso(c.answered_at),
    })),
  };
}

/** The admin's orders, one by one or all with the account's credit (SPEC §4.3). */
export function createOrderViews(deps: { db: Queryable; clock: Clock; licences: LicenceService; invoiceUrl: (id: string) => string; supportEmail: string }) {
  const { db } = deps;
  const ctx = async (accountId: string) => ({ zone: (await deps.licences.snapshot(accountId)).zone, now: deps.clock.now(), invoiceUrl: deps.invoiceUrl });
  return {
    /** The account's order; another account's is not found. */
    async one(accountId: string, orderId: string): Promise<OrderView> {
      const order = await findOrder(db, orderId);
      if (!order || order.account_id !== accountId) throw notFound('No such order in this account.');
      return orderView(db, order, await ctx(accountId));
    },

    async list(accountId: string): Promise<OrderList> {
      const c = await ctx(accountId);
      return {
        orders: await Promise.all((await listOrders(db, accountId)).map((o) => orderView(db, o, c))),
        supportEmail: deps.supportEmail,
        credit: { USD: await creditBalance(db, accountId, 'USD'), EUR: await creditBalance(db, accountId, 'EUR') },
      };
    },

    /** What the printable invoice of an invoice order shows; undefined for any other order. */
    async invoice(orderId: string) {
      const order = await findOrder(db, orderId);
      if (!order || order.method !== 'invoice') return undefined;
      return { order, ...(await invoiceBuyer(db, order.account_id)) };
    },
  };
}
export type OrderViews = ReturnType<typeof createOrderViews>;
