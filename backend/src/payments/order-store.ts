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
  /** The buyer's legal details, frozen on the order when the registration is erased (SPEC §9). */
  buyer: { name: string; city: string } | null;
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
  /** What asked for it (`delay_refund`, `claim:<id>`, …): a payment is refunded once per request. */
  request: string;
  provider_ref: string | null;
  /** Card: pending until the provider confirms, then succeeded. Bank: to_send until the operator sends it. */
  status: 'pending' | 'succeeded' | 'to_send' | 'sent';
  created_at: Date;
  sent_at: Date | null;
  reference: string | null;
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
  const rows = await db.query<OrderRow>(
    `select * from orders where account_id = $1 and status in ('awaiting_payment', 'partially_paid') order by created_at desc limit 1 for update`,
    [accountId],
  );
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

export async function insertRefund(
  db: Queryable,
  r: Pick<RefundRow, 'id' | 'order_id' | 'payment_id' | 'amount' | 'currency' | 'reason' | 'request' | 'status' | 'created_at'>,
) {
  await db.query(
    `insert into refunds (id, order_id, payment_id, amount, currency, reason, request, status, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [r.id, r.order_id, r.payment_id, r.amount, r.currency, r.reason, r.request, r.status, r.created_at],
  );
}

/** Card refunds the provider has not confirmed yet (of one order, or all), with the payment they go back to. */
export async function pendingCardRefunds(db: Queryable, orderId: string | null): Promise<(RefundRow & { payment_ref: string })[]> {
  return db.query(
    `select r.*, p.provider_ref as payment_ref from refunds r join payments p on p.id = r.payment_id
     where r.status = 'pending' and p.provider = 'stripe' and ($1::text is null or r.order_id = $1) order by r.created_at limit 500`,
    [orderId],
  );
}

/** Takes the right to ask the provider for this refund now; false when another sender holds it (since after `staleBefore`). */
export async function leaseCardRefund(db: Queryable, id: string, at: Date, staleBefore: Date): Promise<boolean> {
  const rows = await db.query(
    `update refunds set attempted_at = $2 where id = $1 and status = 'pending' and (attempted_at is null or attempted_at <= $3) returning id`,
    [id, at, staleBefore],
  );
  return rows.length > 0;
}

/** The ask failed: the next run may ask again at once. */
export async function releaseCardRefund(db: Queryable, id: string) {
  await db.query('update refunds set attempted_at = null where id = $1', [id]);
}

/**
 * The provider confirmed our refund. If its webhook came first without naming our refund, it was
 * recorded as one made at the provider: that row is the same money, so it goes.
 */
export async function cardRefundSucceeded(db: Queryable, id: string, providerRef: string) {
  await db.query(`delete from refunds where provider_ref = $2 and id <> $1 and request like 'provider:%'`, [id, providerRef]);
  await db.query(`update refunds set status = 'succeeded', provider_ref = $2 where id = $1 and status = 'pending'`, [id, providerRef]);
}

export interface QueuedRefundRow extends RefundRow {
  order_number: string;
  account_id: string;
  subdomain: string;
  paid_from: string;
}

/** Bank refunds for the operator: those still to send (oldest first), or every bank refund. */
export async function bankRefunds(db: Queryable, which: 'to_send' | 'all'): Promise<QueuedRefundRow[]> {
  return db.query(
    `select r.*, o.number as order_number, o.account_id, a.subdomain, p.provider_ref as paid_from from refunds r
     join orders o on o.id = r.order_id join accounts a on a.id = o.account_id join payments p on p.id = r.payment_id
     where p.provider = 'bank' and ($1::text = 'all' or r.status = 'to_send')
     order by r.created_at, r.id limit 500`,
    [which],
  );
}

export async function markRefundSent(db: Queryable, id: string, reference: string, at: Date): Promise<boolean> {
  const rows = await db.query(`update refunds set status = 'sent', reference = $2, sent_at = $3 where id = $1 and status = 'to_send' returning id`, [
    id,
    reference,
    at,
  ]);
  return rows.length > 0;
}

/** A claim is overdue once its answer date has passed without an answer (SPEC §4.4). */
const overdue = (now: string) => `c.status = 'open' and c.answer_due_by < ${now}`;

/** Claims for the operator: overdue ones first, then by answer date. */
export async function operatorClaims(db: Queryable, which: 'open' | 'all', now: Date) {
  return db.query<{ id: string; order_number: string; subdomain: string; status: string; overdue: boolean; text: string; filed_at: Date; answer_due_by: Date }>(
    `select c.id, o.number as order_number, a.subdomain, c.status, (${overdue('$2')}) as overdue, c.text, c.filed_at, c.answer_due_by from claims c
     join orders o on o.id = c.order_id join accounts a on a.id = c.account_id
     where ($1::text = 'all' or c.status = 'open') order by (${overdue('$2')}) desc, c.answer_due_by`,
    [which, now],
  );
}

export async function overdueClaimCount(db: Queryable, now: Date): Promise<number> {
  const [row] = await db.query<{ n: string }>(`select count(*) as n from claims c where ${overdue('$1')}`, [now]);
  return Number(row?.n ?? 0);
}

export async function nextOrderNumber(db: Queryable, at: Date): Promise<string> {
  const [row] = await db.query<{ n: string }>(`select nextval('order_numbers') as n`);
  return `WB-${at.getUTCFullYear()}-${String(row!.n).padStart(6, '0')}`;
}

export async function creditBalance(db: Queryable, accountId: string, currency: string): Promise<number> {
  const [row] = await db.query<{ total: string | null }>('select sum(amount) as total from credit_entries where account_id = $1 and currency = $2', [
    accountId,
    currency,
  ]);
  return Number(row?.total ?? 0);
}

export async function setOrderStatus(
  db: Queryable,
  id: string,
  status: OrderRow['status'],
  at: Date,
  extra: Partial<Pick<OrderRow, 'paid_at' | 'activated_at' | 'period_id' | 'terminated_at' | 'activation_error' | 'closed_at' | 'close_reason'>> = {},
) {
  const sets = ['status = $2', 'updated_at = $3'];
  const params: unknown[] = [id, status, at];
  for (const [key, value] of Object.entries(extra)) {
    params.push(value);
    sets.push(`${key} = $${params.length}`);
  }
  await db.query(`update orders set ${sets.join(', ')} where id = $1`, params);
}

export interface ClaimRow {
  id: string;
  status: 'open' | 'upheld' | 'rejected';
  text: string;
  attachments: { name: string; size: number }[];
  filed_at: Date;
  answer_due_by: Date;
  answer: string | null;
  resolution: string | null;
  refund_amount: number | null;
  extension_days: number | null;
  answered_at: Date | null;
}

export async function claimsOf(db: Queryable, orderId: string): Promise<ClaimRow[]> {
  return db.query<ClaimRow>(
    `select id, status, text, attachments, filed_at, answer_due_by, answer, resolution, refund_amount, extension_days, answered_at from claims where order_id = $1 order by filed_at`,
    [orderId],
  );
}

/** The credit an order gave the account (a refund kept as credit, an upgrade's remainder). */
export async function creditsOf(db: Queryable, orderId: string): Promise<{ amount: number; reason: string; created_at: Date }[]> {
  return db.query<{ amount: number; reason: string; created_at: Date }>(
    'select amount, reason, created_at from credit_entries where order_id = $1 and amount > 0 order by created_at',
    [orderId],
  );
}

/**
 * Makes a new card page the order's, unless another took over since `replaced` was read or the order
 * can no longer be paid: false then, and the caller closes its page.
 */
export async function takeCheckoutPage(db: Queryable, orderId: string, page: { sessionId: string; url: string }, replaced: string | null): Promise<boolean> {
  const taken = await db.query(
    `update orders set checkout_session_id = $2, checkout_url = $3 where id = $1 and checkout_session_id is not distinct from $4 and status in ('awaiting_payment', 'partially_paid') returning id`,
    [orderId, page.sessionId, page.url, replaced],
  );
  return taken.length > 0;
}

/** The operator's list of orders, newest first, for all accounts or one (by subdomain or id). */
export async function operatorOrders(db: Queryable, account: string | null) {
  return db.query<{
    id: string;
    number: string;
    subdomain: string;
    status: string;
    plan: string;
    amount_due: number;
    currency: string;
    method: string;
    activation_error: string | null;
  }>(
    `select o.id, o.number, a.subdomain, o.status, o.plan, o.amount_due, o.currency, o.method, o.activation_error from orders o join accounts a on a.id = o.account_id
     where ($1::text is null or a.subdomain = $1 or a.id = $1) order by o.created_at desc limit 200`,
    [account],
  );
}

/** Who an invoice is made out to: the registration when there still is one, and the Kommo account. */
export async function invoiceBuyer(db: Queryable, accountId: string) {
  const [[registration], [account]] = await Promise.all([
    db.query<{ last_name: string; first_name: string; patronymic: string | null; email: string; phone: string; city: string }>(
      'select * from registrations where account_id = $1',
      [accountId],
    ),
    db.query<{ name: string | null; subdomain: string; kommo_account_id: string }>('select name, subdomain, kommo_account_id from accounts where id = $1', [
      accountId,
    ]),
  ]);
  return { registration, account };
}

export async function accountTimezone(db: Queryable, accountId: string): Promise<string | null> {
  const [account] = await db.query<{ timezone: string | null }>('select timezone from accounts where id = $1', [accountId]);
  return account?.timezone ?? null;
}

export async function markTerminated(db: Queryable, orderId: string, at: Date): Promise<void> {
  await db.query('update orders set terminated_at = $2 where id = $1', [orderId, at]);
}

export async function insertClaim(
  db: Queryable,
  c: { id: string; accountId: string; orderId: string; text: string; attachments: unknown[]; filedBy: number; at: Date; answerDueBy: Date },
): Promise<void> {
  await db.query(
    `insert into claims (id, account_id, order_id, text, attachments, status, filed_by, filed_at, answer_due_by) values ($1, $2, $3, $4, $5, 'open', $6, $7, $8)`,
    [c.id, c.accountId, c.orderId, c.text, JSON.stringify(c.attachments), c.filedBy, c.at, c.answerDueBy],
  );
}

/** The order a claim is about, if the claim exists. */
export async function claimOrder(db: Queryable, claimId: string): Promise<{ order_id: string } | undefined> {
  const [found] = await db.query<{ order_id: string }>('select order_id from claims where id = $1', [claimId]);
  return found;
}

/** The claim, locked for the rest of the transaction. */
export async function lockClaim(tx: Queryable, claimId: string): Promise<{ account_id: string; status: string } | undefined> {
  const [claim] = await tx.query<{ account_id: string; status: string }>('select account_id, status from claims where id = $1 for update', [claimId]);
  return claim;
}

export async function recordClaimAnswer(
  tx: Queryable,
  claimId: string,
  a: { decision: string; answer: string; resolution: string; refundAmount: number | null; extensionDays: number | null; at: Date },
): Promise<void> {
  await tx.query(`update claims set status = $2, answer = $3, resolution = $4, refund_amount = $5, extension_days = $6, answered_at = $7 where id = $1`, [
    claimId,
    a.decision,
    a.answer,
    a.resolution,
    a.refundAmount,
    a.extensionDays,
    a.at,
  ]);
}

/** Records a payment once per provider payment; false if it was already recorded. */
export async function insertPayment(
  tx: Queryable,
  p: { id: string; orderId: string; provider: string; providerRef: string; amount: number; currency: string; receivedAt: Date; at: Date; afterClose: boolean },
): Promise<boolean> {
  const inserted = await tx.query<{ id: string }>(
    `insert into payments (id, order_id, provider, provider_ref, amount, currency, received_at, recorded_at, after_close) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (provider, provider_ref) do nothing returning id`,
    [p.id, p.orderId, p.provider, p.providerRef, p.amount, p.currency, p.receivedAt, p.at, p.afterClose],
  );
  return inserted.length > 0;
}

/** A credit movement: positive adds credit, negative uses it. */
export async function insertCreditEntry(
  db: Queryable,
  c: { id: string; accountId: string; currency: string; amount: number; orderId: string; reason: string; at: Date },
): Promise<void> {
  await db.query('insert into credit_entries (id, account_id, currency, amount, order_id, reason, created_at) values ($1, $2, $3, $4, $5, $6, $7)', [
    c.id,
    c.accountId,
    c.currency,
    c.amount,
    c.orderId,
    c.reason,
    c.at,
  ]);
}

export async function noteActivationError(db: Queryable, orderId: string, reason: string, at: Date): Promise<void> {
  await db.query('update orders set activation_error = $2, updated_at = $3 where id = $1', [orderId, reason, at]);
}

export async function insertOrder(
  tx: Queryable,
  o: {
    id: string;
    number: string;
    accountId: string;
    kind: string;
    plan: string;
    currency: string;
    method: string;
    price: number;
    creditApplied: number;
    amountDue: number;
    createdBy: number;
    at: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await tx.query(
    `insert into orders (id, number, account_id, kind, plan, currency, method, price, credit_applied, amount_due, status, created_by, created_at, expires_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'awaiting_payment', $11, $12, $13, $12)`,
    [o.id, o.number, o.accountId, o.kind, o.plan, o.currency, o.method, o.price, o.creditApplied, o.amountDue, o.createdBy, o.at, o.expiresAt],
  );
}

/** Unpaid orders (awaiting or partly paid) whose time ran out by `at`, locked. */
export function lockUnpaidOrdersDue(tx: Queryable, at: Date): Promise<OrderRow[]> {
  return tx.query<OrderRow>(`select * from orders where status in ('awaiting_payment', 'partially_paid') and expires_at <= $1 for update`, [at]);
}

/** The refund, locked, with its order's account. */
export async function lockRefundWithAccount(tx: Queryable, refundId: string) {
  const [row] = await tx.query<{ status: string; reference: string | null; order_id: string; account_id: string; amount: number; currency: string }>(
    'select r.status, r.reference, r.order_id, o.account_id, r.amount, r.currency from refunds r join orders o on o.id = r.order_id where r.id = $1 for update of r',
    [refundId],
  );
  return row;
}

/** Locks the refund; false if there is none. */
export async function lockRefund(tx: Queryable, refundId: string): Promise<boolean> {
  const [ours] = await tx.query('select id from refunds where id = $1 for update', [refundId]);
  return ours !== undefined;
}

/** The card payment the provider knows by `paymentRef`. */
export async function findCardPayment(db: Queryable, paymentRef: string): Promise<{ id: string; order_id: string; currency: string } | undefined> {
  const [payment] = await db.query<{ id: string; order_id: string; currency: string }>(
    `select id, order_id, currency from payments where provider = 'stripe' and provider_ref = $1`,
    [paymentRef],
  );
  return payment;
}

/** A refund made at the provider (not asked by us), recorded once. */
export async function recordProviderRefund(
  tx: Queryable,
  r: { id: string; orderId: string; paymentId: string; amount: number; currency: string; providerRefundId: string; at: Date },
): Promise<void> {
  await tx.query(
    `insert into refunds (id, order_id, payment_id, amount, currency, reason, request, provider_ref, status, created_at) values ($1, $2, $3, $4, $5, 'operator', $6, $7, 'succeeded', $8)
     on conflict do nothing`,
    [r.id, r.orderId, r.paymentId, r.amount, r.currency, `provider:${r.providerRefundId}`, r.providerRefundId, r.at],
  );
}

/** Stores a provider's event once (by its id); false if it was already stored. */
export async function storePaymentEvent(db: Queryable, event: { id: string; type: string; payload: unknown }, at: Date): Promise<boolean> {
  const stored = await db.query(
    'insert into payment_events (id, type, payload, received_at) values ($1, $2, $3, $4) on conflict (id) do nothing returning id',
    [event.id, event.type, JSON.stringify(event.payload), at],
  );
  return stored.length > 0;
}
