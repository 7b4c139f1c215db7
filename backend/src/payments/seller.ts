import type { Seller } from './payment-pages';

/** Who issues the invoices. A deployment sets its own with SELLER (JSON of the same shape). */
export const defaultSeller: Seller = {
  name: 'Wabridge',
  address: 'Set SELLER to your legal entity and address',
  taxId: '—',
  email: 'billing@wabridge.app',
  bank: 'the account named in SELLER.bank',
};
