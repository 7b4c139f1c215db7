/** The card payment provider, as the payments service needs it. The real one is Stripe; tests and the demo point it at the fake. */
export interface PaymentProvider {
  createCheckout(input: CheckoutInput): Promise<{ sessionId: string; url: string }>;
  /** Whether a checkout page can still be paid (`open`), was paid (`complete`) or can no longer be (`expired`). */
  checkoutStatus(sessionId: string): Promise<'open' | 'complete' | 'expired'>;
  /** Closes a checkout page so it can no longer be paid; a page already paid or expired is left as it is. */
  expireCheckout(sessionId: string): Promise<void>;
  /** Refunds part or all of a payment, to the card that paid it; asking again with the same `refundId` (ours) makes no second refund. */
  refund(input: { refundId: string; paymentRef: string; amount: number; orderId: string; reason: string }): Promise<{ refundId: string }>;
  /** Verifies the signature on the raw body; throws `InvalidSignatureError`. Nothing else, so it is fast and never fails on the network. */
  verifyEvent(rawBody: Buffer, signature: string, receivedAt: Date): VerifiedEvent;
  /** Turns a stored event into what the payments service acts on (may ask the provider for details). */
  interpret(event: VerifiedEvent): Promise<ProviderEvent>;
}

export interface VerifiedEvent {
  id: string;
  type: string;
  payload: unknown;
}

export interface CheckoutInput {
  orderId: string;
  description: string;
  amount: number;
  currency: 'USD' | 'EUR';
  customerEmail?: string;
  successUrl: string;
  cancelUrl: string;
  /** The session this one replaces (its page expired), so a retried create is not taken for the first one. */
  replaces?: string;
}

export type ProviderEvent =
  | { id: string; kind: 'payment'; orderId: string | null; paymentRef: string; amount: number; currency: string; paidAt: Date }
  /** `ourRefundId`: the refund we asked for, when it was ours (null for one made in the provider's dashboard). */
  | { id: string; kind: 'refunds'; refunds: { refundId: string; paymentRef: string; amount: number; ourRefundId: string | null }[] }
  | { id: string; kind: 'ignored'; type: string };

export class InvalidSignatureError extends Error {
  override readonly name = 'InvalidSignatureError';
}
