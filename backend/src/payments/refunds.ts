import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { AppError, badRequest, notFound } from '../http/app-error';
import type { IdGenerator } from '../ids';
import type { Db, Queryable } from '../store/db';
import {
  cardRefundSucceeded,
  findCardPayment,
  findOrder,
  insertRefund,
  leaseCardRefund,
  lockRefund,
  lockRefundWithAccount,
  markRefundSent,
  recordProviderRefund,
  releaseCardRefund,
  paymentsOf,
  pendingCardRefunds,
  refundsOf,
  setOrderStatus,
  type OrderRow,
} from './order-store';
import type { PaymentProvider } from './payment-provider';

/** `order_closed`: a card payment that arrived after its order closed goes back to the card (SPEC §4.3). */
export type RefundReason = 'overpaid_over_10_percent' | 'delay_refund' | 'claim_upheld' | 'operator' | 'order_closed';

/** A card refund asked for by a sender that then vanished (a crash mid-call) is asked for again after this; the idempotency key makes it the same refund. */
const LEASE_MS = 5 * 60_000;

/**
 * Refunds (SPEC §4.3, §4.4): money goes back where it came from. Each request is decided and
 * recorded in one transaction with the order locked, so two requests at the same moment give one
 * refund (and `unique (payment_id, request)` refuses a second one for the same request). A card
 * refund is recorded `pending` and only then asked of the provider, after the commit (no network
 * inside a transaction), with our refund's id as the idempotency key; a failed ask is retried by
 * the housekeeping. A bank refund waits in the operator's queue until marked sent with a reference.
 */
export function createRefunds(deps: { db: Db; clock: Clock; ids: IdGenerator; logger: Logger; provider: PaymentProvider }) {
  const { db, clock } = deps;

  /**
   * Records `amount` back to the order's payments, oldest first, or to the one payment `paymentId`.
   * The caller holds the order's lock.
   */
  async function record(
    tx: Queryable,
    order: OrderRow,
    amount: number,
    reason: RefundReason,
    request: string,
    at: Date,
    paymentId?: string,
  ): Promise<{ received: number; refunded: number }> {
    const payments = (await paymentsOf(tx, order.id)).filter((p) => p.provider !== 'credit');
    const from = paymentId ? payments.filter((p) => p.id === paymentId) : payments;
    const earlier = await refundsOf(tx, order.id);
    const refundedOf = (id: string) => earlier.filter((r) => r.payment_id === id).reduce((s, r) => s + r.amount, 0);
    const received = payments.reduce((s, p) => s + p.amount, 0);
    const refunded = earlier.reduce((s, r) => s + r.amount, 0);
    if (amount > received - refunded) throw badRequest('refund_too_large', `At most ${received - refunded} can still be refunded on order ${order.number}.`);
    let left = amount;
    for (const payment of from) {
      const part = Math.min(left, payment.amount - refundedOf(payment.id));
      if (part <= 0) continue;
      await insertRefund(tx, {
        id: deps.ids(),
        order_id: order.id,
        payment_id: payment.id,
        amount: part,
        currency: payment.currency,
        reason,
        request,
        status: payment.provider === 'stripe' ? 'pending' : 'to_send',
        created_at: at,
      });
      left -= part;
      if (left === 0) break;
    }
    return { received, refunded: refunded + amount };
  }

  /** Asks the provider for the card refunds it has not confirmed (of one order, or all); what fails stays pending. */
  async function sendCardRefunds(orderId: string | null): Promise<void> {
    const now = clock.now();
    for (const refund of await pendingCardRefunds(db, orderId)) {
      if (!(await leaseCardRefund(db, refund.id, now, new Date(now.getTime() - LEASE_MS)))) continue;
      try {
        const { refundId } = await deps.provider.refund({
          refundId: refund.id,
          paymentRef: refund.payment_ref,
          amount: refund.amount,
          orderId: refund.order_id,
          reason: refund.reason,
        });
        await db.transaction((tx) => cardRefundSucceeded(tx, refund.id, refundId));
      } catch (err) {
        deps.logger.error({ err, refundId: refund.id, orderId: refund.order_id }, 'card refund not sent; it stays pending and is asked for again');
        await releaseCardRefund(db, refund.id);
      }
    }
  }

  return {
    record,
    sendCardRefunds,

    /**
     * One refund request. `decide` runs in the transaction with the order locked: it refuses by
     * throwing, records what the refund is for, and returns the amount.
     */
    async refund(
      orderId: string,
      reason: RefundReason,
      request: string,
      decide: (tx: Queryable, order: OrderRow, received: number) => Promise<number>,
    ): Promise<void> {
      const at = clock.now();
      await db.transaction(async (tx) => {
        const order = await findOrder(tx, orderId, true);
        if (!order) throw notFound('No such order.');
        const received = (await paymentsOf(tx, order.id)).filter((p) => p.provider !== 'credit').reduce((s, p) => s + p.amount, 0);
        const amount = await decide(tx, order, received);
        const totals = await record(tx, order, amount, reason, request, at);
        await setOrderStatus(tx, order.id, totals.refunded >= totals.received ? 'refunded' : 'partially_refunded', at);
        await recordAudit(tx, {
          accountId: order.account_id,
          actor: reason === 'operator' ? 'operator' : 'system',
          action: 'order.refunded',
          details: { orderId: order.id, amount, reason },
          at,
        });
      });
      await sendCardRefunds(orderId);
    },

    /** The operator sent a bank refund back to the paying account: it leaves the queue with the transfer's reference. */
    async markSent(refundId: string, reference: string): Promise<void> {
      const at = clock.now();
      await db.transaction(async (tx) => {
        const row = await lockRefundWithAccount(tx, refundId);
        if (!row) throw notFound('No such refund.');
        if (row.status === 'sent') throw new AppError('refund_already_sent', `This refund was already marked sent, with reference ${row.reference}.`, 409);
        if (!(await markRefundSent(tx, refundId, reference, at)))
          throw new AppError('not_a_bank_refund', 'This refund goes back through the card provider; there is nothing to send by hand.', 409);
        await recordAudit(tx, {
          accountId: row.account_id,
          actor: 'operator',
          action: 'refund.sent',
          details: { refundId, orderId: row.order_id, amount: row.amount, currency: row.currency, reference },
          at,
        });
      });
    },

    /** A refund the provider reports: ours (named in its metadata) is confirmed; one made in its dashboard is recorded once, by its id. */
    async recordProviderRefund(input: { refundId: string; paymentRef: string; amount: number; ourRefundId: string | null }) {
      await db.transaction(async (tx) => {
        if (input.ourRefundId) {
          if (await lockRefund(tx, input.ourRefundId)) return cardRefundSucceeded(tx, input.ourRefundId, input.refundId);
        }
        const payment = await findCardPayment(tx, input.paymentRef);
        if (!payment) return;
        await recordProviderRefund(tx, {
          id: deps.ids(),
          orderId: payment.order_id,
          paymentId: payment.id,
          amount: input.amount,
          currency: payment.currency,
          providerRefundId: input.refundId,
          at: clock.now(),
        });
      });
    },
  };
}
export type Refunds = ReturnType<typeof createRefunds>;
