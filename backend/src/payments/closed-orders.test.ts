import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { createOrder, creditOf, freshAdmin, giveCredit, operator, orderOf, payByCard, registeredAdmin } from '../../test/payments-helpers';
import { storeKinds } from '../../test/stores';

const DAY = 86_400_000;

/** Money that meets an order closed unpaid never activates anything (SPEC §4.3). */
for (const kind of storeKinds()) {
  describe(`money for a closed order (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const transfer = (orderId: string, amount: number, reference: string, receivedAt = '2026-11-21T09:00:00Z') =>
      t.http.post(`/operator/orders/${orderId}/transfer`, { amount, currency: 'USD', receivedAt, reference }, { headers: operator });
    const events = (view: { history: { event: string; amount: number | null; why?: string }[] }) =>
      view.history.map((h) => ({ event: h.event, amount: h.amount, why: h.why ?? null }));
    const periodsOf = (orderId: string) => t.db.query('select * from licence_periods where order_id = $1', [orderId]);

    it('when a card payment arrives after its order expired, then it goes back to that card through the provider, nothing activates, and the credit the order used is back once', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      await giveCredit(t, 300);
      const order = await createOrder(t, auth);
      expect(order).toMatchObject({ creditApplied: 300, amountDue: 600 });
      // The buyer pays at the last moment; the provider's events reach us after the order expired.
      t.fakeStripe.knobs.hold = true;
      const intent = await payByCard(t, order.id);
      t.clock.advance(3 * DAY);
      expect(await t.payments.expireOverdue()).toBe(1);
      t.fakeStripe.knobs.hold = false;
      await t.fakeStripe.releaseHeld();
      await t.tasks.idle();
      // Acting on the inbox again refunds nothing more.
      await t.paymentEvents.processPending();
      await t.tasks.idle();

      expect(t.fakeStripe.refunds).toEqual([
        expect.objectContaining({ payment_intent: intent.id, amount: 600, metadata: expect.objectContaining({ reason: 'order_closed' }) }),
      ]);
      const later = await freshAdmin(t);
      const view = await orderOf(t, later, order.id);
      expect(view).toMatchObject({ status: 'expired', amountReceived: 600, amountRefunded: 600, activatedAt: null });
      expect(events(view)).toEqual(
        expect.arrayContaining([
          { event: 'expired', amount: null, why: 'unpaid' },
          { event: 'credit', amount: 300, why: 'order_not_completed' },
          { event: 'payment', amount: 600, why: null },
          { event: 'refund', amount: 600, why: 'order_closed' },
        ]),
      );
      expect(await periodsOf(order.id)).toHaveLength(0);
      expect((await t.http.get('/api/v1/licence', { headers: later })).data.state).toBe('demo');
      // The 300 of credit is back once and not spent by the late payment.
      expect(await creditOf(t, later)).toEqual({ USD: 300, EUR: 0 });
      const [payment] = await t.db.query<{ id: string }>('select id from payments where order_id = $1', [order.id]);
      expect(await t.db.query(`select request, status from refunds where reason = 'order_closed'`)).toEqual([
        { request: `order_closed:${payment!.id}`, status: 'succeeded' },
      ]);
    });

    it('when the provider cannot be reached for the refund of a late card payment, then the refund waits pending, the order reads refund pending, and a later run sends it exactly once', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      t.fakeStripe.knobs.hold = true;
      const intent = await payByCard(t, order.id);
      t.clock.advance(3 * DAY);
      expect(await t.payments.expireOverdue()).toBe(1);
      t.fakeStripe.knobs.hold = false;
      t.fakeStripe.knobs.failApi = true;
      await t.fakeStripe.releaseHeld();
      await t.tasks.idle();
      expect(t.fakeStripe.refunds).toEqual([]);
      expect(await t.db.query(`select amount, status from refunds where reason = 'order_closed'`)).toEqual([{ amount: 900, status: 'pending' }]);
      expect((await orderOf(t, await freshAdmin(t), order.id)).status).toBe('refund_pending');

      t.fakeStripe.knobs.failApi = false;
      await t.payments.sendPendingRefunds();
      await t.payments.sendPendingRefunds();
      await t.paymentEvents.processPending();
      await t.tasks.idle();
      expect(t.fakeStripe.refunds).toEqual([
        expect.objectContaining({ payment_intent: intent.id, amount: 900, metadata: expect.objectContaining({ reason: 'order_closed' }) }),
      ]);
      expect(await t.db.query(`select amount, status from refunds where reason = 'order_closed'`)).toEqual([{ amount: 900, status: 'succeeded' }]);
      expect(await orderOf(t, await freshAdmin(t), order.id)).toMatchObject({ status: 'expired', amountRefunded: 900, activatedAt: null });
    });

    it('when a card payment arrives for an order cancelled by a different order, then it goes back to that card and the licence waits for the new order', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const first = await createOrder(t, auth);
      t.fakeStripe.knobs.hold = true;
      const intent = await payByCard(t, first.id);
      const second = await createOrder(t, auth, { plan: 'pro' });
      t.fakeStripe.knobs.hold = false;
      await t.fakeStripe.releaseHeld();
      await t.tasks.idle();

      expect(t.fakeStripe.refunds).toEqual([expect.objectContaining({ payment_intent: intent.id, amount: 900 })]);
      const view = await orderOf(t, auth, first.id);
      expect(view).toMatchObject({ status: 'cancelled', amountReceived: 900, amountRefunded: 900, activatedAt: null });
      expect(events(view)).toEqual(
        expect.arrayContaining([
          { event: 'cancelled', amount: null, why: 'replaced' },
          { event: 'refund', amount: 900, why: 'order_closed' },
        ]),
      );
      expect(await periodsOf(first.id)).toHaveLength(0);
      expect((await orderOf(t, auth, second.id)).status).toBe('awaiting_payment');
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.state).toBe('demo');
    });

    it('when a bank transfer arrives for an expired invoice that used credit, then it becomes credit, nothing activates, and all of it pays the next order', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      await giveCredit(t, 300);
      const order = await createOrder(t, auth, { method: 'invoice' });
      expect(order).toMatchObject({ creditApplied: 300, amountDue: 600 });
      t.clock.advance(10 * DAY + 3_600_000);
      expect(await t.payments.expireOverdue()).toBe(1);
      expect((await transfer(order.id, 600, 'late-transfer', '2026-12-01T10:30:00Z')).status).toBe(200);

      const later = await freshAdmin(t);
      const view = await orderOf(t, later, order.id);
      expect(view).toMatchObject({ status: 'expired', amountReceived: 600, amountRefunded: 0, activatedAt: null, paidAt: null });
      expect(events(view)).toEqual(
        expect.arrayContaining([
          { event: 'credit', amount: 300, why: 'order_not_completed' },
          { event: 'credit', amount: 600, why: 'paid_after_close' },
        ]),
      );
      expect(await periodsOf(order.id)).toHaveLength(0);
      expect(await creditOf(t, later)).toEqual({ USD: 900, EUR: 0 });
      // Nothing stranded: the next order is paid with it and activates.
      const next = await createOrder(t, later, { method: 'invoice' });
      expect(next).toMatchObject({ creditApplied: 900, amountDue: 0 });
      expect((await orderOf(t, later, next.id)).status).toBe('active');
      expect(await creditOf(t, later)).toEqual({ USD: 0, EUR: 0 });
    });

    it('when a partially paid invoice expires, then what was received becomes credit', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth, { method: 'invoice' });
      await transfer(order.id, 500, 'part-1');
      expect((await orderOf(t, auth, order.id)).status).toBe('partially_paid');
      t.clock.advance(10 * DAY);
      expect(await t.payments.expireOverdue()).toBe(1);

      const later = await freshAdmin(t);
      const view = await orderOf(t, later, order.id);
      expect(view).toMatchObject({ status: 'expired', amountReceived: 500, activatedAt: null });
      expect(events(view)).toEqual(
        expect.arrayContaining([
          { event: 'expired', amount: null, why: 'unpaid' },
          { event: 'credit', amount: 500, why: 'received_before_close' },
        ]),
      );
      expect(await creditOf(t, later)).toEqual({ USD: 500, EUR: 0 });
      // Expiring again changes nothing.
      expect(await t.payments.expireOverdue()).toBe(0);
      expect(await creditOf(t, later)).toEqual({ USD: 500, EUR: 0 });
    });
  });
}
