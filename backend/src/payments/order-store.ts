import type { Queryable } from '../store/db';

export interface OrderRow {
  id: string;
  number: string;
  account_id: string;
  kind: 'new' | 'renewal' | 'upgrade';
  plan: 'user' | 'pro' | 'vip';
  currency: 'USD' | 'EUR';
  method: 'card' | 'invoice';
  price: number;
  credit_applied: number;
  amount_due: number;
  status: 'awaiting_payment' | 'partially_paid' | 'paid' | 'active' | 'cancelled' | 'expired' | 'refunded' | 'partially_refunded';
  created_by: string;
  created_at: Date;
  expires_at: Date;
  checkout_session_id: string | null;
  checkout_url: string | null;
  paid_at: Date | null;
  activated_at: Date | null;
  period_id: string | null;
  terminated_at: Date | null;
  activation_error: string | null;
  closed_at: Date | null;
  close_reason: CloseReason | null;
}

/** Why an order was closed unpaid (or, when more than 10 % over its price arrived, refunded whole): what the admin is told. */
export type CloseReason = 'unpaid' | 'replaced' | 'overpaid_over_10_percent' | 'checkout_unavailable';

export interface PaymentRow {
  id: string;
  order_id: string;
  provider: 'stripe' | 'bank' | 'credit';
  provider_ref: string;
  amount: number;
  currency: string;
  received_at: Date;
  /** Arrived after the order was expired or cancelled: never counted toward it. */
  after_close: boolean;
}

export interface RefundRow {
  id: string;
  order_id: string;
  payment_id: string;
  amount: number;
  currency: string;
  reason: string;
  provider_ref: string | null;
  status: 'succeeded' | 'to_send';
  created_at: Date;
}

export async function findOrder(db: Queryable, id: string, lock = false): Promise<OrderRow | undefined> {
  const rows = await db.query<OrderRow>(`select * from orders where id = $1${lock ? ' for update' : ''}`, [id]);
  return rows[0];
}

/**
 * Takes the account's row lock for the rest of the transaction: whoever places an order or spends
 * credit for an account waits for the one before, so credit is spent once and one order stays open.
 * `no key update`, not `update`: rows that merely point at the account (a licence period, a credit
 * entry, written while an order row is locked) must not wait for it, or the two would deadlock.
 */
export async function lockAccount(db: Queryable, accountId: string): Promise<void> {
  await db.query('select id from accounts where id = $1 for no key update', [accountId]);
}

/** The account's order still waiting for money, if any (call under `lockAccount`). */
export async function openOrderOf(db: Queryable, accountId: string): Promise<OrderRow | undefined> {
  const rows = await db.query<OrderRow>(`select * from orders where account_id = $1 and status in ('awaiting_payment', 'partially_paid') order by created_at desc limit 1 for update`, [accountId]);
  return rows[0];
}

export async function listOrders(db: Queryable, accountId: string): Promise<OrderRow[]> {
  return db.query<OrderRow>('select * from orders where account_id = $1 order by created_at desc, number desc', [accountId]);
}

export async function paymentsOf(db: Queryable, orderId: string): Promise<PaymentRow[]> {
  return db.query<PaymentRow>('select * from payments where order_id = $1 order by received_at, recorded_at', [orderId]);
}

export async function refundsOf(db: Queryable, orderId: string): Promise<RefundRow[]> {
  return db.query<RefundRow>('select * from refunds where order_id = $1 order by created_at', [orderId]);
}

export async function nextOrderNumber(db: Queryable, at: Date): Promise<string> {
  const [row] = await db.query<{ n: string }>(`select nextval('order_numbers') as n`);
  return `WB-${at.getUTCFullYear()}-${String(row!.n).padStart(6, '0')}`;
}

export async function creditBalance(db: Queryable, accountId: string, currency: string): Promise<number> {
  const [row] = await db.query<{ total: string | null }>('select sum(amount) as total from credit_entries where account_id = $1 and currency = $2', [accountId, currency]);
  return Number(row?.total ?? 0);
}

export async function setOrderStatus(db: Queryable, id: string, status: OrderRow['status'], at: Date, extra: Partial<Pick<OrderRow, 'paid_at' | 'activated_at' | 'period_id' | 'terminated_at' | 'activation_error' | 'closed_at' | 'close_reason'>> = {}) {
  const sets = ['status = $2', 'updated_at = $3'];
  const params: unknown[] = [id, status, at];
  for (const [key, value] of Object.entries(extra)) {
    params.push(value);
    sets.push(`${key} = $${params.length}`);
  }
  await db.query(`update orders set ${sets.join(', ')} where id = $1`, params);
}
