import type { Logger } from 'pino';
import type { CreateOrderInput, OrderQuote } from '../../../contract/orders';
import { recordAudit } from '../audit/audit-log';
import type { BackgroundTasks } from '../background-tasks';
import { DAY_MS, type Clock } from '../clock';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { LicenceService } from '../licensing/licence-service';
import type { PriceList } from '../licensing/plans';
import type { RegistrationService } from '../registration/registration-service';
import type { Db, Queryable } from '../store/db';
import { createCheckoutPages } from './checkout-sessions';
import {
  creditBalance,
  findOrder,
  insertCreditEntry,
  insertOrder,
  insertPayment,
  lockAccount,
  lockUnpaidOrdersDue,
  nextOrderNumber,
  noteActivationError,
  openOrderOf,
  paymentsOf,
  setOrderStatus,
  type CloseReason,
  type OrderRow,
} from './order-store';
import type { PaymentProvider } from './payment-provider';
import { createRefunds } from './refunds';

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
  const refunds = createRefunds({ db, clock, ids, logger: deps.logger, provider: deps.provider });

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
  async function recordPayment(input: {
    orderId: string;
    provider: 'stripe' | 'bank' | 'credit';
    providerRef: string;
    amount: number;
    currency: string;
    receivedAt: Date;
  }): Promise<'recorded' | 'duplicate'> {
    const at = clock.now();
    const outcome = await db.transaction(async (tx) => {
      const order = await findOrder(tx, input.orderId, true);
      if (!order) throw notFound('No such order.');
      if (input.currency !== order.currency) throw badRequest('currency_mismatch', `The order is in ${order.currency}; the payment is in ${input.currency}.`);
      const afterClose = order.status === 'expired' || order.status === 'cancelled';
      const paymentId = ids();
      const inserted = await insertPayment(tx, {
        id: paymentId,
        orderId: order.id,
        provider: input.provider,
        providerRef: input.providerRef,
        amount: input.amount,
        currency: input.currency,
        receivedAt: input.receivedAt,
        at,
        afterClose,
      });
      if (!inserted) return 'duplicate' as const;
      await recordAudit(tx, {
        accountId: order.account_id,
        actor: input.provider === 'bank' ? 'operator' : input.provider,
        action: 'payment.recorded',
        details: { orderId: order.id, amount: input.amount, ref: input.providerRef, afterClose },
        at,
      });
      if (afterClose) {
        // Money for an order that was closed unpaid never activates it: a card payment goes back to
        // the card (recorded here, once per payment; asked of the provider after the commit), a transfer becomes credit.
        if (input.provider === 'stripe' && input.amount > 0) {
          await refunds.record(tx, order, input.amount, 'order_closed', `order_closed:${paymentId}`, at, paymentId);
          await recordAudit(tx, {
            accountId: order.account_id,
            actor: 'system',
            action: 'order.refunded',
            details: { orderId: order.id, amount: input.amount, reason: 'order_closed' },
            at,
          });
        } else if (input.amount > 0) await addCredit(tx, order, input.amount, 'paid_after_close', at);
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
        // All of it goes back: a card through the provider (after the commit), a transfer by the operator.
        const refundable = (await paymentsOf(tx, order.id)).filter((p) => p.provider !== 'credit').reduce((sum, p) => sum + p.amount, 0);
        await refunds.record(tx, order, refundable, 'overpaid_over_10_percent', 'overpaid_over_10_percent', at);
      }
      return 'recorded' as const;
    });
    if (outcome === 'recorded') {
      await activate(input.orderId);
      await refunds.sendCardRefunds(input.orderId);
    }
    return outcome;
  }

  async function addCredit(tx: Queryable, order: OrderRow, amount: number, reason: string, at: Date) {
    await insertCreditEntry(tx, { id: ids(), accountId: order.account_id, currency: order.currency, amount, orderId: order.id, reason, at });
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
    await recordAudit(tx, {
      accountId: order.account_id,
      actor: 'system',
      action: `order.${status}`,
      details: { orderId: order.id, reason, credited: order.credit_applied + received },
      at,
    });
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
      await noteActivationError(db, orderId, reason, at);
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
        if (input.action === 'renew' && q.kind !== 'renewal')
          throw new AppError('nothing_to_renew', 'There is no paid licence to renew; buy a plan instead.', 409);
        const open = await openOrderOf(tx, accountId);
        if (open && open.kind === q.kind && open.plan === input.plan && open.currency === input.currency && open.method === input.method)
          return { order: open, replaced: null, reused: true };
        if (open) {
          await closeUnpaid(tx, open, 'cancelled', 'replaced', at);
          q = await quote(accountId, input, tx);
        }
        const id = ids();
        const number = await nextOrderNumber(tx, at);
        const expiresAt = new Date(at.getTime() + (input.method === 'card' ? CARD_ORDER_DAYS : INVOICE_DUE_DAYS) * DAY_MS);
        await insertOrder(tx, {
          id,
          number,
          accountId,
          kind: q.kind,
          plan: input.plan,
          currency: input.currency,
          method: input.method,
          price: q.price,
          creditApplied: q.creditApplied,
          amountDue: q.amountDue,
          createdBy: userId,
          at,
          expiresAt,
        });
        if (q.creditApplied > 0) {
          await insertCreditEntry(tx, {
            id: ids(),
            accountId,
            currency: input.currency,
            amount: -q.creditApplied,
            orderId: id,
            reason: 'applied_to_order',
            at,
          });
        }
        await recordAudit(tx, {
          accountId,
          actor: `user:${userId}`,
          action: 'order.created',
          details: { orderId: id, number, ...input, amountDue: q.amountDue, replaced: open?.id ?? null },
          at,
        });
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
        throw new AppError(
          'order_not_payable',
          `Order ${order.number} cannot be paid by card now (it is ${order.status.replace('_', ' ')}); place a new order.`,
          409,
        );
      }
      return checkout.ensureOpen(order);
    },

    /** Refunds: one per request, card ones through the provider, bank ones in the operator's queue (see refunds.ts). */
    refund: refunds.refund,
    recordProviderRefund: refunds.recordProviderRefund,
    markRefundSent: refunds.markSent,
    /** Card refunds the provider has not confirmed yet, asked for again (run by the schedule). */
    sendPendingRefunds: () => refunds.sendCardRefunds(null),

    /** Unpaid card orders after 3 days and invoices at their due date (run by the schedule). */
    async expireOverdue(): Promise<number> {
      const at = clock.now();
      const expired = await db.transaction(async (tx) => {
        const due = await lockUnpaidOrdersDue(tx, at);
        for (const order of due) await closeUnpaid(tx, order, 'expired', 'unpaid', at);
        return due;
      });
      for (const order of expired) await checkout.close(order);
      return expired.length;
    },
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
