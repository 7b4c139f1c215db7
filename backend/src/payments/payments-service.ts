import type { Logger } from 'pino';
import type { CreateOrderInput, OrderQuote } from '../../../contract/orders';
import { recordAudit } from '../audit/audit-log';
import type { BackgroundTasks } from '../background-tasks';
import type { Clock } from '../clock';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import type { RegistrationService } from '../registration/registration-service';
import type { Db, Queryable } from '../store/db';
import { createCheckoutPages } from './checkout-pages';
import { creditBalance, findOrder, lockAccount, nextOrderNumber, openOrderOf, paymentsOf, refundsOf, setOrderStatus, type CloseReason, type OrderRow, type PaymentRow } from './order-store';
import type { PaymentProvider } from './payment-provider';

const DAY = 86_400_000;
/** Card orders expire unpaid after 3 days; invoices are due 10 days after they are issued (SPEC §4.3). */
export const CARD_ORDER_DAYS = 3;
export const INVOICE_DUE_DAYS = 10;
/** An overpayment up to 10% activates and becomes credit; beyond, the order is cancelled and refunded. */
export const OVERPAYMENT_TOLERANCE = 0.1;

export interface PaymentsDeps {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  tasks: BackgroundTasks;
  prices: PriceList;
  provider: PaymentProvider;
  licences: LicenceService;
  registrations: RegistrationService;
  publicUrl: string;
  /** The invoice link for an order (signed, so it opens in a new tab without a session). */
  invoiceUrl(orderId: string): string;
}

/** Orders, what is paid against them, activation, and refunds (SPEC §4.3). */
export function createPaymentsService(deps: PaymentsDeps) {
  const { db, clock, ids, licences } = deps;
  const checkout = createCheckoutPages(deps);

  async function quote(accountId: string, input: Pick<CreateOrderInput, 'action' | 'plan' | 'currency'>, q: Queryable = db): Promise<OrderQuote> {
    const status = await licences.snapshot(accountId, q);
    const credit = await creditBalance(q, accountId, input.currency);
    const base = { plan: input.plan, currency: input.currency, remainingDays: null, unusedValue: null };
    let kind: OrderQuote['kind'];
    let price: number;
    let extra: Pick<OrderQuote, 'remainingDays' | 'unusedValue'> = base;
    if (input.action === 'upgrade') {
      const upgrade = await licences.upgradeQuote(accountId, input.plan, input.currency, q);
      kind = 'upgrade';
      price = upgrade.amount;
      extra = { remainingDays: upgrade.remainingDays, unusedValue: upgrade.credit };
    } else {
      kind = status.periods.some((p) => p.plan !== 'demo' && p.ends_at > status.now) ? 'renewal' : 'new';
      price = deps.prices.plans[input.plan].prices[input.currency];
    }
    const creditApplied = Math.min(credit, price);
    return { ...base, ...extra, kind, price, creditApplied, amountDue: price - creditApplied };
  }

  /** Money received against an order: the SPEC §4.3 amount rules decide what happens. */
  async function recordPayment(input: { orderId: string; provider: 'stripe' | 'bank' | 'credit'; providerRef: string; amount: number; currency: string; receivedAt: Date }): Promise<'recorded' | 'duplicate'> {
    const at = clock.now();
    const outcome = await db.transaction(async (tx) => {
      const order = await findOrder(tx, input.orderId, true);
      if (!order) throw notFound('No such order.');
      if (input.currency !== order.currency) throw badRequest('currency_mismatch', `The order is in ${order.currency}; the payment is in ${input.currency}.`);
      const afterClose = order.status === 'expired' || order.status === 'cancelled';
      const inserted = await tx.query(
        `insert into payments (id, order_id, provider, provider_ref, amount, currency, received_at, recorded_at, after_close) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (provider, provider_ref) do nothing returning id`,
        [ids(), order.id, input.provider, input.providerRef, input.amount, input.currency, input.receivedAt, at, afterClose],
      );
      if (!inserted.length) return 'duplicate' as const;
      await recordAudit(tx, { accountId: order.account_id, actor: input.provider === 'bank' ? 'operator' : input.provider, action: 'payment.recorded', details: { orderId: order.id, amount: input.amount, ref: input.providerRef, afterClose }, at });
      if (afterClose) {
        // Money for an order that was closed unpaid never activates it: a card payment goes back to
        // the card (after this transaction, `returnLateCardPayments`), a transfer becomes credit.
        if (input.provider !== 'stripe' && input.amount > 0) await addCredit(tx, order, input.amount, 'paid_after_close', at);
        return 'recorded' as const;
      }
      if (!['awaiting_payment', 'partially_paid'].includes(order.status)) {
        // Money for an order that is already settled: keep it as credit rather than lose track of it.
        await addCredit(tx, order, input.amount, 'payment_after_settlement', at);
        return 'recorded' as const;
      }
      const received = (await paymentsOf(tx, order.id)).reduce((sum, p) => sum + p.amount, 0);
      const due = order.amount_due;
      const paidAt = input.receivedAt;
      if (received < due) {
        await setOrderStatus(tx, order.id, 'partially_paid', at);
      } else if (received <= Math.floor(due * (1 + OVERPAYMENT_TOLERANCE))) {
        if (received > due) await addCredit(tx, order, received - due, 'overpayment', at);
        await setOrderStatus(tx, order.id, 'paid', at, { paid_at: paidAt });
      } else {
        await setOrderStatus(tx, order.id, 'cancelled', at, { paid_at: paidAt, closed_at: at, close_reason: 'overpaid_over_10_percent' });
        await restoreCredit(tx, order, at);
        for (const payment of await paymentsOf(tx, order.id)) {
          await tx.query(
            `insert into refunds (id, order_id, payment_id, amount, currency, reason, status, created_at) values ($1, $2, $3, $4, $5, 'overpaid_over_10_percent', 'to_send', $6)`,
            [ids(), order.id, payment.id, payment.amount, payment.currency, at],
          );
        }
      }
      return 'recorded' as const;
    });
    // Also on a repeat: a refund to the card that failed the first time is tried again (the event stays in the inbox until then).
    if (input.provider === 'stripe') await returnLateCardPayments(input.orderId);
    if (outcome === 'recorded') await activate(input.orderId);
    return outcome;
  }

  /** Card payments that arrived after their order closed go back to the card that paid, each once. */
  async function returnLateCardPayments(orderId: string) {
    const owed = await db.query<PaymentRow & { account_id: string }>(
      `select p.*, o.account_id from payments p join orders o on o.id = p.order_id
       where p.order_id = $1 and p.after_close and p.provider = 'stripe' and not exists (select 1 from refunds r where r.payment_id = p.id)`,
      [orderId],
    );
    for (const payment of owed) {
      const { refundId } = await deps.provider.refund({ paymentRef: payment.provider_ref, amount: payment.amount, orderId, reason: 'order_closed' });
      const at = clock.now();
      await db.transaction(async (tx) => {
        // The provider's own report of this refund may have come first: then it gets the reason.
        await tx.query(
          `insert into refunds (id, order_id, payment_id, amount, currency, reason, provider_ref, status, created_at) values ($1, $2, $3, $4, $5, 'order_closed', $6, 'succeeded', $7)
           on conflict (provider_ref) do update set reason = excluded.reason`,
          [ids(), orderId, payment.id, payment.amount, payment.currency, refundId, at],
        );
        await recordAudit(tx, { accountId: payment.account_id, actor: 'system', action: 'order.refunded', details: { orderId, amount: payment.amount, reason: 'order_closed' }, at });
      });
    }
  }

  async function addCredit(tx: Queryable, order: OrderRow, amount: number, reason: string, at: Date) {
    await tx.query('insert into credit_entries (id, account_id, currency, amount, order_id, reason, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [ids(), order.account_id, order.currency, amount, order.id, reason, at]);
  }

  async function restoreCredit(tx: Queryable, order: OrderRow, at: Date) {
    if (order.credit_applied > 0) await addCredit(tx, order, order.credit_applied, 'order_not_completed', at);
  }

  /**
   * An order closed before it was paid in full: the credit it used and whatever was received on it
   * become credit again (an order that was never paid gives its credit back; SPEC §4.3).
   */
  async function closeUnpaid(tx: Queryable, order: OrderRow, status: 'expired' | 'cancelled', reason: CloseReason, at: Date) {
    await setOrderStatus(tx, order.id, status, at, { closed_at: at, close_reason: reason });
    await restoreCredit(tx, order, at);
    const received = (await paymentsOf(tx, order.id)).reduce((sum, p) => sum + p.amount, 0);
    if (received > 0) await addCredit(tx, order, received, 'received_before_close', at);
    await recordAudit(tx, { accountId: order.account_id, actor: 'system', action: `order.${status}`, details: { orderId: order.id, reason, credited: order.credit_applied + received }, at });
  }

  /** Turns a paid order into licence time. Idempotent; a failure leaves the order paid with the reason, for the operator. */
  async function activate(orderId: string): Promise<void> {
    const at = clock.now();
    try {
      await db.transaction(async (tx) => {
        const order = await findOrder(tx, orderId, true);
        if (!order || order.status !== 'paid' || order.activated_at) return;
        let periodId: string;
        if (order.kind === 'upgrade') periodId = (await licences.applyUpgrade(order.account_id, order.plan, order.currency, { orderId }, tx)).periodId;
        else periodId = (await licences.grantPeriod(order.account_id, order.plan, { orderId }, tx)).id;
        await setOrderStatus(tx, order.id, 'active', at, { activated_at: at, period_id: periodId, activation_error: null });
        await recordAudit(tx, { accountId: order.account_id, actor: 'system', action: 'order.activated', details: { orderId }, at });
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      deps.logger.warn({ err, orderId }, 'activation failed; the order waits for the operator');
      await db.query('update orders set activation_error = $2, updated_at = $3 where id = $1', [orderId, reason, at]);
    }
  }

  return {
    quote,
    recordPayment,
    activate,

    /**
     * Places an order, one open order per account (SPEC §4.3): asking again for the same thing returns
     * the open order (with a payable page); anything else cancels the open order first, so what it held
     * is credit again. The account is locked meanwhile, so orders placed at once cannot spend one credit twice.
     */
    async createOrder(accountId: string, userId: number, input: CreateOrderInput): Promise<{ order: OrderRow; reused: boolean }> {
      await deps.registrations.assertMayOrder(accountId);
      const at = clock.now();
      const placed = await db.transaction(async (tx) => {
        await lockAccount(tx, accountId);
        let q = await quote(accountId, input, tx);
        if (input.action === 'renew' && q.kind !== 'renewal') throw new AppError('nothing_to_renew', 'There is no paid licence to renew; buy a plan instead.', 409);
        const open = await openOrderOf(tx, accountId);
        if (open && open.kind === q.kind && open.plan === input.plan && open.currency === input.currency && open.method === input.method) return { order: open, replaced: null, reused: true };
        if (open) {
          await closeUnpaid(tx, open, 'cancelled', 'replaced', at);
          q = await quote(accountId, input, tx);
        }
        const id = ids();
        const number = await nextOrderNumber(tx, at);
        const expiresAt = new Date(at.getTime() + (input.method === 'card' ? CARD_ORDER_DAYS : INVOICE_DUE_DAYS) * DAY);
        await tx.query(
          `insert into orders (id, number, account_id, kind, plan, currency, method, price, credit_applied, amount_due, status, created_by, created_at, expires_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'awaiting_payment', $11, $12, $13, $12)`,
          [id, number, accountId, q.kind, input.plan, input.currency, input.method, q.price, q.creditApplied, q.amountDue, userId, at, expiresAt],
        );
        if (q.creditApplied > 0) {
          await tx.query('insert into credit_entries (id, account_id, currency, amount, order_id, reason, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [ids(), accountId, input.currency, -q.creditApplied, id, 'applied_to_order', at]);
        }
        await recordAudit(tx, { accountId, actor: `user:${userId}`, action: 'order.created', details: { orderId: id, number, ...input, amountDue: q.amountDue, replaced: open?.id ?? null }, at });
        return { order: (await findOrder(tx, id))!, replaced: open ?? null, reused: false };
      });
      if (placed.replaced) await checkout.close(placed.replaced);
      const order = placed.order;
      if (placed.reused) return { order: order.method === 'card' ? await checkout.ensureOpen(order) : order, reused: true };
      if (order.amount_due === 0) {
        await recordPayment({ orderId: order.id, provider: 'credit', providerRef: order.id, amount: 0, currency: order.currency, receivedAt: at });
      } else if (order.method === 'card') {
        try {
          await checkout.open(order);
        } catch (err) {
          await db.transaction((tx) => closeUnpaid(tx, order, 'cancelled', 'checkout_unavailable', clock.now()));
          throw err;
        }
      }
      return { order: (await findOrder(db, order.id))!, reused: false };
    },

    /** "Pay now" on an open card order: its page, or a fresh one when that page expired. */
    async payNow(orderId: string): Promise<OrderRow> {
      const order = await findOrder(db, orderId);
      if (!order) throw notFound('No such order.');
      if (order.method !== 'card' || !['awaiting_payment', 'partially_paid'].includes(order.status)) {
        throw new AppError('order_not_payable', `Order ${order.number} cannot be paid by card now (it is ${order.status.replace('_', ' ')}); place a new order.`, 409);
      }
      return checkout.ensureOpen(order);
    },

    /**
     * Refunds to where the money came from: a card through the provider (outside any transaction),
     * a bank transfer recorded for the operator to send back. `alsoInTx` records what the refund is for.
     */
    async refund(orderId: string, amount: number, reason: 'delay_refund' | 'claim_upheld' | 'operator', alsoInTx?: (tx: Queryable, order: OrderRow) => Promise<void>) {
      const order = await findOrder(db, orderId);
      if (!order) throw notFound('No such order.');
      const payments = (await paymentsOf(db, order.id)).filter((p) => p.provider !== 'credit');
      const earlier = await refundsOf(db, order.id);
      const refundedOf = (paymentId: string) => earlier.filter((r) => r.payment_id === paymentId).reduce((s, r) => s + r.amount, 0);
      const received = payments.reduce((s, p) => s + p.amount, 0);
      const refunded = earlier.reduce((s, r) => s + r.amount, 0);
      if (amount > received - refunded) throw badRequest('refund_too_large', `At most ${received - refunded} can still be refunded on order ${order.number}.`);
      const parts: { paymentId: string; currency: string; amount: number; providerRef: string | null }[] = [];
      let left = amount;
      for (const payment of payments) {
        const part = Math.min(left, payment.amount - refundedOf(payment.id));
        if (part <= 0) continue;
        const providerRef =
          payment.provider === 'stripe' ? (await deps.provider.refund({ paymentRef: payment.provider_ref, amount: part, orderId: order.id, reason })).refundId : null;
        parts.push({ paymentId: payment.id, currency: payment.currency, amount: part, providerRef });
        left -= part;
        if (left === 0) break;
      }
      const at = clock.now();
      await db.transaction(async (tx) => {
        for (const part of parts) {
          await tx.query(
            `insert into refunds (id, order_id, payment_id, amount, currency, reason, provider_ref, status, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (provider_ref) do update set reason = excluded.reason`,
            [ids(), order.id, part.paymentId, part.amount, part.currency, reason, part.providerRef, part.providerRef ? 'succeeded' : 'to_send', at],
          );
        }
        await setOrderStatus(tx, order.id, refunded + amount >= received ? 'refunded' : 'partially_refunded', at);
        await recordAudit(tx, { accountId: order.account_id, actor: reason === 'operator' ? 'operator' : 'system', action: 'order.refunded', details: { orderId: order.id, amount, reason }, at });
        await alsoInTx?.(tx, order);
      });
    },

    /** A refund the provider reports (e.g. made in its dashboard) is recorded once, by its id. */
    async recordProviderRefund(input: { refundId: string; paymentRef: string; amount: number }) {
      await db.transaction(async (tx) => {
        const [payment] = await tx.query<{ id: string; order_id: string; currency: string }>(`select id, order_id, currency from payments where provider = 'stripe' and provider_ref = $1`, [input.paymentRef]);
        if (!payment) return;
        await tx.query(
          `insert into refunds (id, order_id, payment_id, amount, currency, reason, provider_ref, status, created_at) values ($1, $2, $3, $4, $5, 'operator', $6, 'succeeded', $7)
           on conflict (provider_ref) do nothing`,
          [ids(), payment.order_id, payment.id, input.amount, payment.currency, input.refundId, clock.now()],
        );
      });
    },

    /** Unpaid card orders after 3 days and invoices at their due date (run by the schedule). */
    async expireOverdue(): Promise<number> {
      const at = clock.now();
      const expired = await db.transaction(async (tx) => {
        const due = await tx.query<OrderRow>(`select * from orders where status in ('awaiting_payment', 'partially_paid') and expires_at <= $1 for update`, [at]);
        for (const order of due) await closeUnpaid(tx, order, 'expired', 'unpaid', at);
        return due;
      });
      for (const order of expired) await checkout.close(order);
      return expired.length;
    },
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
