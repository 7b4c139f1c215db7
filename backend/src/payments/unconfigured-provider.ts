import { AppError } from '../http/app-error';
import { InvalidSignatureError, type PaymentProvider } from './payment-provider';

/** Without Stripe credentials card payment is off, said plainly; invoices still work. */
export const unconfiguredProvider: PaymentProvider = {
  createCheckout: async () => {
    throw new AppError('card_payments_unavailable', 'Card payment is not set up for this Wabridge installation; pay by invoice.', 503);
  },
  checkoutStatus: async () => {
    throw new AppError('card_payments_unavailable', 'Card payment is not set up for this Wabridge installation; pay by invoice.', 503);
  },
  // Without a provider there is no page to close.
  expireCheckout: async () => undefined,
  refund: async () => {
    throw new AppError('card_payments_unavailable', 'Card refunds are not set up for this Wabridge installation.', 503);
  },
  verifyEvent: () => {
    throw new InvalidSignatureError('no webhook secret configured');
  },
  interpret: async (event) => ({ id: event.id, kind: 'ignored', type: event.type }),
};
