import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { createOrder, orderOf, payByCard, registeredAdmin } from '../../test/payments-helpers';
import { storeKinds } from '../../test/stores';

const DAY = 86_400_000;

for (const kind of storeKinds()) {
  describe(`card payments (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when the provider reports the charge succeeded, then the order is paid, the licence active, and the claim window shown', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      expect(order).toMatchObject({ status: 'awaiting_payment', amountDue: 900 });
      expect(order.checkoutUrl).toMatch(new RegExp(`^${t.fakeStripe.url}/checkout/cs_test_`));
      // What the provider was asked to charge is the backend's price.
      const session = [...t.fakeStripe.sessions.values()][0]!;
      expect(session).toMatchObject({ amount_total: 900, currency: 'usd', client_reference_id: order.id });

      await payByCard(t, order.id);
      const paid = await orderOf(t, auth, order.id);
      expect(paid).toMatchObject({ status: 'active', amountReceived: 900, paidAt: '2026-11-21T10:00:00.000Z', activatedAt: '2026-11-21T10:00:00.000Z' });
      // The account is in São Paulo (UTC−3): the window closes at 00:00 local on 2 December.
      expect(paid.claimWindow).toEqual({ lastDay: '2026-12-01', closesAt: '2026-12-02T03:00:00.000Z', open: true });
      const licence = (await t.http.get('/api/v1/licence', { headers: auth })).data;
      expect(licence).toMatchObject({ state: 'active', plan: 'user', allowance: { limit: 10_000 } });
    });

    it('when the same webhooks come three times and in reverse order, then there is one payment and one activation', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      t.fakeStripe.knobs.repeat = 3;
      t.fakeStripe.knobs.reverse = true;
      await payByCard(t, order.id);
      expect(t.fakeStripe.delivered.filter((d) => d.status === 200)).toHaveLength(6);
      expect(t.fakeStripe.delivered[0]!.type).toBe('charge.succeeded');
      expect(await t.db.query('select * from payments')).toHaveLength(1);
      expect(await t.db.query('select * from licence_periods where order_id = $1', [order.id])).toHaveLength(1);
      expect(await t.db.query('select * from payment_events')).toHaveLength(2);
      expect((await orderOf(t, auth, order.id)).status).toBe('active');
    });

    it('when a webhook is signed with another secret, then 400 and nothing is recorded', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      const status = await t.fakeStripe.postForged('checkout.session.completed', {
        id: 'cs_x',
        object: 'checkout.session',
        payment_status: 'paid',
        client_reference_id: order.id,
        amount_total: 900,
        currency: 'usd',
        payment_intent: 'pi_forged',
      });
      expect(status).toBe(400);
      const unsigned = await t.http.post('/payments/webhook', { type: 'checkout.session.completed' });
      expect(unsigned.status).toBe(400);
      expect(unsigned.data.error.code).toBe('invalid_signature');
      expect(await t.db.query('select * from payment_events')).toHaveLength(0);
      expect(await t.db.query('select * from payments')).toHaveLength(0);
      expect((await orderOf(t, auth, order.id)).status).toBe('awaiting_payment');
    });

    it('when the webhook was acknowledged but acting on it failed, then it stays in the inbox and a later run, once its retry time came, acts on it', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      // Only the charge event comes, and the provider cannot be asked which order it belongs to.
      t.fakeStripe.knobs.only = 'charge.succeeded';
      t.fakeStripe.knobs.failApi = true;
      await payByCard(t, order.id).catch(() => undefined);
      expect(t.fakeStripe.delivered.map((d) => d.status)).toEqual([200]);
      const [stored] = await t.db.query<{ processed_at: Date | null; error: string | null }>('select processed_at, error from payment_events');
      expect(stored).toMatchObject({ processed_at: null, error: expect.any(String) });
      expect((await orderOf(t, auth, order.id)).status).toBe('awaiting_payment');

      t.fakeStripe.knobs.failApi = false;
      // Failed events are due again after the stored-event backoff (decision 023), at most 5 minutes.
      t.clock.advance(5 * 60_000);
      await t.paymentEvents.processPending();
      expect((await orderOf(t, auth, order.id)).status).toBe('active');
      expect(await t.db.query('select * from payments')).toHaveLength(1);
    });

    it('when a card order is not paid within 3 days, then it expires; an invoice expires at its due date', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const card = await createOrder(t, auth);
      t.clock.advance(3 * DAY - 1);
      expect(await t.payments.expireOverdue()).toBe(0);
      t.clock.advance(1);
      expect(await t.payments.expireOverdue()).toBe(1);
      const later = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      expect((await orderOf(t, later, card.id)).status).toBe('expired');
      // One open order at a time: the invoice is asked for once the card order has expired.
      const invoice = await createOrder(t, later, { method: 'invoice' });
      t.clock.advance(10 * DAY - 1);
      expect(await t.payments.expireOverdue()).toBe(0);
      t.clock.advance(1);
      expect(await t.payments.expireOverdue()).toBe(1);
      expect((await orderOf(t, (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth, invoice.id)).status).toBe('expired');
    });

    it('when renewing or upgrading, then the backend prices the order: renewal at list price, upgrade less the unused days', async () => {
      t = await startTestApp(kind);
      let auth = await registeredAdmin(t);
      await payByCard(t, (await createOrder(t, auth)).id);
      t.clock.advance(15 * DAY);
      auth = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      const renewal = (await t.http.get('/api/v1/orders/quote', { params: { action: 'renew', plan: 'user', currency: 'EUR' }, headers: auth })).data;
      expect(renewal).toMatchObject({ kind: 'renewal', price: 900, amountDue: 900 });
      const upgrade = (await t.http.get('/api/v1/orders/quote', { params: { action: 'upgrade', plan: 'pro', currency: 'USD' }, headers: auth })).data;
      expect(upgrade).toMatchObject({ kind: 'upgrade', remainingDays: 15, unusedValue: 450, price: 1450, amountDue: 1450 });
      const order = await createOrder(t, auth, { action: 'upgrade', plan: 'pro' });
      expect(order.amountDue).toBe(1450);
      expect([...t.fakeStripe.sessions.values()].at(-1)!.amount_total).toBe(1450);
      await payByCard(t, order.id);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.plan).toBe('pro');
    });

    it('when there is nothing to renew, then a renewal order is refused; without registration, any order is', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const renew = await t.http.post('/api/v1/orders', { action: 'renew', plan: 'user', currency: 'USD', method: 'card' }, { headers: auth });
      expect(renew.status).toBe(409);
      expect(renew.data.error.code).toBe('nothing_to_renew');
      await t.db.query('delete from registrations');
      const order = await t.http.post('/api/v1/orders', { action: 'buy', plan: 'user', currency: 'USD', method: 'card' }, { headers: auth });
      expect(order.status).toBe(409);
      expect(order.data.error.code).toBe('registration_required');
      expect(await t.db.query('select * from orders')).toHaveLength(0);
    });
  });
}
