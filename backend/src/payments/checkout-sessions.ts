import type { Logger } from 'pino';
import { AppError } from '../http/app-error';
import type { RegistrationService } from '../registration/registration-service';
import type { Db } from '../store/db';
import { findOrder, paymentsOf, takeCheckoutPage, type OrderRow } from './order-store';
import type { PaymentProvider } from './payment-provider';

const unavailable = () =>
  new AppError('payment_provider_unavailable', 'The card payment page could not be opened. Try again in a minute, or pay by invoice.', 502);

/**
 * The card provider's hosted page for an order: opened when the order is placed, opened afresh by
 * "Pay now" when the old one expired (Stripe's pages live 24 hours, a card order 3 days), and closed
 * when the order closes, so that it can no longer be paid (SPEC §4.3). Calls to the provider happen
 * outside any transaction.
 */
export function createCheckoutPages(deps: { db: Db; logger: Logger; provider: PaymentProvider; registrations: RegistrationService; publicUrl: string }) {
  const { db, provider } = deps;

  async function close(sessionId: string, orderId: string) {
    try {
      await provider.expireCheckout(sessionId);
    } catch (err) {
      // Not fatal: money that still gets through for a closed order goes back to the card.
      deps.logger.warn({ err, orderId, sessionId }, 'checkout page could not be closed');
    }
  }

  /** A new page for what is still due, taking over from the order's page if it had one. */
  async function open(order: OrderRow): Promise<OrderRow> {
    const registration = (await deps.registrations.view(order.account_id)).registration;
    const received = (await paymentsOf(db, order.id)).reduce((sum, p) => sum + p.amount, 0);
    const back = (status: string) => `${deps.publicUrl}/payments/return?order=${encodeURIComponent(order.number)}&status=${status}`;
    let session: { sessionId: string; url: string };
    try {
      session = await provider.createCheckout({
        orderId: order.id,
        description: `Wabridge ${order.plan.toUpperCase()} · ${order.kind} · order ${order.number}`,
        amount: order.amount_due - received,
        currency: order.currency,
        customerEmail: registration?.email,
        successUrl: back('paid'),
        cancelUrl: back('cancelled'),
        replaces: order.checkout_session_id ?? undefined,
      });
    } catch (err) {
      deps.logger.error({ err, orderId: order.id }, 'checkout session could not be created');
      throw unavailable();
    }
    // Two clicks at the same moment: the first page stays the order's, the other is closed, so one order never has two payable pages.
    if (!(await takeCheckoutPage(db, order.id, session, order.checkout_session_id))) await close(session.sessionId, order.id);
    return (await findOrder(db, order.id))!;
  }

  return {
    /** The first page of a card order just placed. */
    open,

    /** "Pay now": the order's page while it can still be paid (or was just paid), otherwise a fresh one. */
    async ensureOpen(order: OrderRow): Promise<OrderRow> {
      // Paid in full by credit: the request that placed it is recording that payment; there is nothing to pay here.
      if (order.amount_due === 0) return order;
      if (order.checkout_session_id) {
        const status = await provider.checkoutStatus(order.checkout_session_id).catch((err: unknown) => {
          deps.logger.error({ err, orderId: order.id }, 'checkout session could not be looked up');
          throw unavailable();
        });
        if (status !== 'expired') return order;
      }
      return open(order);
    },

    /** The order closed unpaid: its page can no longer be paid. */
    async close(order: OrderRow) {
      if (order.checkout_session_id) await close(order.checkout_session_id, order.id);
    },
  };
}
export type CheckoutPages = ReturnType<typeof createCheckoutPages>;
