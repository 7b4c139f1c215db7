import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../fakes/kommo/fake-kommo-data';
import { OPERATOR_TOKEN, type TestApp } from './harness';

export const operator = { Authorization: `Bearer ${OPERATOR_TOKEN}` };

/** An installed, registered demo account and its admin's session, as the payments tests start from. */
export async function registeredAdmin(t: TestApp, kommoAccountId = DEMO_ACCOUNT_ID, adminId = DEMO_ADMIN_ID) {
  await t.install(kommoAccountId);
  const { auth } = await t.session(kommoAccountId, adminId);
  const response = await t.http.put(
    '/api/v1/registration',
    { lastName: 'Souza', firstName: 'Dana', email: 'dana@example.com', phone: '+5511912345678', city: 'Recife', termsVersion: '2026-11-01', acceptTerms: true },
    { headers: auth },
  );
  if (response.status !== 200) throw new Error(`registration failed: ${JSON.stringify(response.data)}`);
  return auth;
}

export async function createOrder(t: TestApp, auth: Record<string, string>, body: { action?: string; plan?: string; currency?: string; method?: string } = {}) {
  const response = await t.http.post('/api/v1/orders', { action: 'buy', plan: 'user', currency: 'USD', method: 'card', ...body }, { headers: auth });
  if (response.status !== 201) throw new Error(`order failed: ${response.status} ${JSON.stringify(response.data)}`);
  return response.data as {
    id: string;
    number: string;
    creditApplied: number;
    amountDue: number;
    status: string;
    checkoutUrl: string | null;
    invoiceUrl: string | null;
  };
}

/** Credit on the demo account, as an earlier overpayment would have left it. */
export async function giveCredit(t: TestApp, amount: number, currency = 'USD', kommoAccountId = DEMO_ACCOUNT_ID) {
  const accountId = await t.accountId(kommoAccountId);
  await t.db.query(`insert into credit_entries (id, account_id, currency, amount, reason, created_at) values ($1, $2, $3, $4, 'overpayment', $5)`, [
    `credit-${amount}-${currency}`,
    accountId,
    currency,
    amount,
    t.clock.now(),
  ]);
}

/** The account's credit as the admin's order list shows it. */
export async function creditOf(t: TestApp, auth: Record<string, string>) {
  return (await t.http.get('/api/v1/orders', { headers: auth })).data.credit as { USD: number; EUR: number };
}

/** The admin's session again after the clock moved past the first one's life. */
export async function freshAdmin(t: TestApp) {
  return (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
}

/** The buyer pays on the fake Stripe's page; its signed webhooks reach us and are processed. */
export async function payByCard(t: TestApp, orderId: string) {
  const session = [...t.fakeStripe.sessions.values()].findLast((s) => s.client_reference_id === orderId);
  if (!session) throw new Error(`no checkout session for ${orderId}`);
  const intent = await t.fakeStripe.pay(session.id);
  await t.tasks.idle();
  return intent;
}

export async function orderOf(t: TestApp, auth: Record<string, string>, orderId: string) {
  const response = await t.http.get(`/api/v1/orders/${orderId}`, { headers: auth });
  return response.data;
}

/** The operator records a bank transfer against an invoice. */
export async function payByTransfer(t: TestApp, orderId: string, amount: number, receivedAt: string, reference = `bank-${amount}`) {
  const response = await t.http.post(`/operator/orders/${orderId}/transfer`, { amount, currency: 'USD', receivedAt, reference }, { headers: operator });
  if (response.status !== 200) throw new Error(`transfer failed: ${response.status} ${JSON.stringify(response.data)}`);
}

/**
 * An upgrade paid after the period it upgrades has ended cannot be applied: the order is paid,
 * never activated, and from 2026-12-12 00:00 (UTC account) the delay refund applies.
 */
export async function paidButNotActivated(t: TestApp, method: 'card' | 'invoice') {
  t.clock.set('2026-11-01T12:00:00Z');
  let auth = await registeredAdmin(t);
  await payByCard(t, (await createOrder(t, auth)).id);
  t.clock.set('2026-11-30T00:00:00Z');
  auth = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
  const upgrade = await createOrder(t, auth, { action: 'upgrade', plan: 'pro', method });
  t.clock.set('2026-12-01T13:00:00Z');
  if (method === 'card') {
    // The first payment page has expired (they live 24 hours): Pay now opens a fresh one.
    const payNow = await t.http.post(`/api/v1/orders/${upgrade.id}/checkout`, {}, { headers: (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth });
    if (payNow.status !== 200) throw new Error(`pay now failed: ${payNow.status} ${JSON.stringify(payNow.data)}`);
  }
  const intent =
    method === 'card' ? await payByCard(t, upgrade.id) : (await payByTransfer(t, upgrade.id, upgrade.amountDue, '2026-12-01T13:00:00Z', 'BANK-IN-1'), null);
  return { order: await orderOf(t, (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth, upgrade.id), intent };
}
