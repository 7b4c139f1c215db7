import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { createOrder, operator, orderOf, registeredAdmin } from '../../test/payments-helpers';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`bank transfers (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const transfer = (orderId: string, amount: number, reference = `bank-${amount}`) =>
      t.http.post(`/operator/orders/${orderId}/transfer`, { amount, currency: 'USD', receivedAt: '2026-11-21T09:00:00Z', reference }, { headers: operator });

    async function invoiceOrder() {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth, { method: 'invoice' });
      return { auth, order };
    }

    it('when 1% less arrives, then the order is partially paid and nothing activates; the rest completes it', async () => {
      const { auth, order } = await invoiceOrder();
      expect((await transfer(order.id, 891)).status).toBe(200);
      expect(await orderOf(t, auth, order.id)).toMatchObject({ status: 'partially_paid', amountReceived: 891, activatedAt: null });
      expect(await t.db.query('select * from licence_periods where order_id is not null')).toHaveLength(0);
      await transfer(order.id, 9, 'bank-rest');
      expect(await orderOf(t, auth, order.id)).toMatchObject({ status: 'active', amountReceived: 900, paidAt: '2026-11-21T09:00:00.000Z' });
    });

    it('when 5% more arrives, then the licence activates and the excess is credit for the next order', async () => {
      const { auth, order } = await invoiceOrder();
      await transfer(order.id, 945);
      expect(await orderOf(t, auth, order.id)).toMatchObject({ status: 'active', amountReceived: 945 });
      const list = (await t.http.get('/api/v1/orders', { headers: auth })).data;
      expect(list.credit).toEqual({ USD: 45, EUR: 0 });
      const next = await createOrder(t, auth, { action: 'renew', method: 'invoice' });
      expect(next).toMatchObject({ amountDue: 855 });
      expect((await t.http.get('/api/v1/orders', { headers: auth })).data.credit.USD).toBe(0);
    });

    it('when 15% more arrives, then the order is cancelled, all of it waits in the operator queue as a refund to send, and nothing activates', async () => {
      const { auth, order } = await invoiceOrder();
      await transfer(order.id, 1035);
      const view = await orderOf(t, auth, order.id);
      expect(view).toMatchObject({ status: 'refund_pending', amountReceived: 1035, amountRefunded: 1035, activatedAt: null });
      const queue = (await t.http.get('/operator/refunds', { headers: operator })).data.refunds;
      expect(queue).toEqual([expect.objectContaining({ orderId: order.id, amount: 1035, reason: 'overpaid_over_10_percent', paidFrom: 'bank-1035' })]);
      expect(view.history.at(-1)).toMatchObject({ event: 'refund', amount: 1035, detail: 'overpaid_over_10_percent (to be sent by bank transfer)' });
      expect(await t.db.query('select * from licence_periods where order_id is not null')).toHaveLength(0);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.state).toBe('demo');
      await t.http.post(`/operator/refunds/${queue[0].id}/sent`, { reference: 'OUT-1' }, { headers: operator });
      expect((await orderOf(t, auth, order.id)).status).toBe('cancelled');
    });

    it('when the operator records the same transfer twice, then it counts once', async () => {
      const { auth, order } = await invoiceOrder();
      await transfer(order.id, 900, 'ref-1');
      await transfer(order.id, 900, 'ref-1');
      expect(await orderOf(t, auth, order.id)).toMatchObject({ status: 'active', amountReceived: 900 });
      expect(await t.db.query('select * from payments')).toHaveLength(1);
    });

    it('when the invoice link is opened, then the printable invoice shows seller, buyer, number, amount and due date; a forged link is 404', async () => {
      const { order } = await invoiceOrder();
      const page = await t.http.get(order.invoiceUrl!.replace(t.url, ''));
      expect(page.status).toBe(200);
      expect(page.data).toContain(`Invoice <span data-testid="invoice-number">${order.number}</span>`);
      expect(page.data).toContain('Souza Dana');
      expect(page.data).toContain('dana@example.com');
      expect(page.data).toContain('$9.00');
      expect(page.data).toContain('Due by <span data-testid="invoice-due">2026-12-01</span>');
      const forged = await t.http.get(`/invoices/${order.id}/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
      expect(forged.status).toBe(404);
    });

    it('when a transfer is recorded for a card order or in the wrong currency, then it is refused and nothing is recorded', async () => {
      const { auth } = await invoiceOrder();
      const card = await createOrder(t, auth);
      expect((await transfer(card.id, 900)).data.error.code).toBe('not_an_invoice');
      const invoice = await createOrder(t, auth, { method: 'invoice', currency: 'EUR' });
      const wrong = await transfer(invoice.id, 900);
      expect(wrong.status).toBe(400);
      expect(wrong.data.error.code).toBe('currency_mismatch');
      expect(await t.db.query('select * from payments')).toHaveLength(0);
    });
  });

  describe(`orders are the account's own (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when account B asks for account A’s order, claims or refunds, then 404 and A is unchanged', async () => {
      const A = demoKommoAccount();
      const B = demoKommoAccount({ id: 42_000_002, subdomain: 'bolt', users: [{ id: 601, name: 'Bea Admin', isAdmin: true }] });
      t = await startTestApp(kind, { accounts: [A, B] });
      const authA = await registeredAdmin(t);
      const authB = await registeredAdmin(t, B.id, 601);
      const order = await createOrder(t, authA);
      const before = JSON.stringify(await t.db.query('select * from orders'));
      for (const call of [
        () => t.http.get(`/api/v1/orders/${order.id}`, { headers: authB }),
        () => t.http.post(`/api/v1/orders/${order.id}/claims`, { text: 'This is not my order at all.' }, { headers: authB }),
        () => t.http.post(`/api/v1/orders/${order.id}/delay-refund`, {}, { headers: authB }),
        () => t.http.post(`/api/v1/orders/${order.id}/terminate`, { confirm: true }, { headers: authB }),
      ]) {
        expect((await call()).status).toBe(404);
      }
      expect((await t.http.get('/api/v1/orders', { headers: authB })).data.orders).toEqual([]);
      expect(JSON.stringify(await t.db.query('select * from orders'))).toBe(before);
    });
  });
}
