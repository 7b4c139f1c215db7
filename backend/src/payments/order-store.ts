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
  /** The buyer's legal details, frozen on the order when the registration is erased (SPEC §9). */
  buyer: { name: string; city: string } | null;
}

export interface PaymentRow {
  id: string;
  order_id: string;
  provider: 'stripe' | 'bank' | 'credit';
  provider_ref: string;
  amount: number;
  currency: string;
  received_at: Date;
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

export async function setOrderStatus(db: Queryable, id: string, status: OrderRow['status'], at: Date, extra: Partial<Pick<OrderRow, 'paid_at' | 'activated_at' | 'period_id' | 'terminated_at' | 'activation_error'>> = {}) {
  const sets = ['status = $2', 'updated_at = $3'];
  const params: unknown[] = [id, status, at];
  for (const [key, value] of Object.entries(extra)) {
    params.push(value);
    sets.push(`${key} = $${params.length}`);
  }
  await db.query(`update orders set ${sets.join(', ')} where id = $1`, params);
}
