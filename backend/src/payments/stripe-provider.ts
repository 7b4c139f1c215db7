import Stripe from 'stripe';
import { InvalidSignatureError, type PaymentProvider, type ProviderEvent } from './payment-provider';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Overrides https://api.stripe.com (the fake Stripe). */
  apiBase?: string;
}

/** Stripe Checkout through the official library: sessions, refunds of the original charge, signed webhooks. */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  const stripe = new Stripe(options.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(base
      ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol.replace(':', '') as 'http' | 'https' }
      : {}),
  });

  return {
    async createCheckout(input) {
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: input.orderId,
          customer_email: input.customerEmail,
          metadata: { order_id: input.orderId, description: input.description },
          payment_intent_data: { metadata: { order_id: input.orderId } },
          line_items: [
            { quantity: 1, price_data: { currency: input.currency.toLowerCase(), unit_amount: input.amount, product_data: { name: input.description } } },
          ],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        // A retried create never makes a second session for the same order and amount; a page that
        // replaces an expired one is another request (Stripe keeps keys 24 h, as long as a page lives).
        { idempotencyKey: `checkout-${input.orderId}-${input.amount}${input.replaces ? `-after-${input.replaces}` : ''}` },
      );
      if (!session.url) throw new Error('Stripe returned a checkout session without a URL');
      return { sessionId: session.id, url: session.url };
    },

    async checkoutStatus(sessionId) {
      const { status } = await stripe.checkout.sessions.retrieve(sessionId);
      if (status === 'open') return 'open';
      return status === 'complete' ? 'complete' : 'expired';
    },

    async expireCheckout(sessionId) {
      const session = await stripe.checkout.sessions.retrieve(sessionId);
      if (session.status === 'open') await stripe.checkout.sessions.expire(sessionId);
    },

    async refund(input) {
      const refund = await stripe.refunds.create(
        { payment_intent: input.paymentRef, amount: input.amount, metadata: { order_id: input.orderId, reason: input.reason, refund_id: input.refundId } },
        // One of our refunds is one refund at Stripe, however often it is asked for.
        { idempotencyKey: `refund-${input.refundId}` },
      );
      return { refundId: refund.id };
    },

    verifyEvent(rawBody, signature, receivedAt) {
      try {
        // The library takes the receive time in milliseconds (it divides by 1000 itself).
        const event = stripe.webhooks.constructEvent(rawBody, signature, options.webhookSecret, 300, undefined, receivedAt.getTime());
        return { id: event.id, type: event.type, payload: event };
      } catch (error) {
        throw new InvalidSignatureError(error instanceof Error ? error.message : 'invalid signature');
      }
    },

    interpret: (event) => normalise(event.payload as Stripe.Event),
  };

  async function normalise(event: Stripe.Event): Promise<ProviderEvent> {
    const paidAt = new Date(event.created * 1000);
    if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded') {
      const session = event.data.object;
      if (session.payment_status !== 'paid' || !session.payment_intent) return { id: event.id, kind: 'ignored', type: event.type };
      const paymentRef = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent.id;
      return {
        id: event.id,
        kind: 'payment',
        orderId: session.client_reference_id ?? session.metadata?.order_id ?? null,
        paymentRef,
        amount: session.amount_total ?? 0,
        currency: (session.currency ?? '').toUpperCase(),
        paidAt,
      };
    }
    if (event.type === 'charge.succeeded') {
      const charge = event.data.object;
      const paymentRef = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
      if (!paymentRef) return { id: event.id, kind: 'ignored', type: event.type };
      // The charge does not carry our order; the PaymentIntent does (payment_intent_data.metadata).
      const intent = await stripe.paymentIntents.retrieve(paymentRef);
      return {
        id: event.id,
        kind: 'payment',
        orderId: intent.metadata?.order_id ?? null,
        paymentRef,
        amount: charge.amount,
        currency: charge.currency.toUpperCase(),
        paidAt,
      };
    }
    if (event.type === 'charge.refunded') {
      const charge = event.data.object;
      const paymentRef = typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? '');
      const refunds = (charge.refunds?.data ?? [])
        .filter((r) => r.status === 'succeeded')
        .map((r) => ({ refundId: r.id, paymentRef, amount: r.amount, ourRefundId: r.metadata?.refund_id ?? null }));
      return { id: event.id, kind: 'refunds', refunds };
    }
    return { id: event.id, kind: 'ignored', type: event.type };
  }
}
