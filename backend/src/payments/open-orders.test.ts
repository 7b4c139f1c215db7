import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { createOrder, creditOf, freshAdmin, giveCredit, operator, orderOf, payByCard, registeredAdmin } from '../../test/payments-helpers';
import { storeKinds, type StoreKind } from '../../test/stores';
import { openPostgresDb } from '../store/postgres-db';

const HOUR = 3_600_000;
const order = { action: 'buy', plan: 'user', currency: 'USD', method: 'card' };

/**
 * Fires requests so that their transactions really overlap. On PostgreSQL a connection of the test's
 * own holds the account row until every connection of the app's pool (4) waits on it, then lets go:
 * the transactions have all started, and whatever they read before touching that row they read
 * together. PGlite runs one transaction at a time, so there the requests are simply sent at once.
 */
async function allAtOnce<T>(kind: StoreKind, t: TestApp, fire: () => Promise<T>[]): Promise<T[]> {
  if (kind !== 'postgres') return Promise.all(fire());
  const [{ schema }] = (await t.db.query<{ schema: string }>('select current_schema() as schema')) as [{ schema: string }];
  const gate = await openPostgresDb({ connectionString: process.env.DATABASE_URL!, schema, max: 1 });
  try {
    let pending: Promise<T[]> | undefined;
    await gate.transaction(async (tx) => {
      await tx.query('select id from accounts for update');
      pending = Promise.all(fire());
      for (let round = 0; ; round++) {
        const [{ waiting }] = (await tx.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_locks where not granted and (relation = 'accounts'::regclass or transactionid = txid_current()::text::xid)`,
        )) as [{ waiting: number }];
        if (waiting >= 4) break;
        if (round === 600) throw new Error(`only ${waiting} transactions ever waited on the account row`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    return await pending!;
  } finally {
    await gate.close();
  }
}

/** At most one unpaid order at a time, and credit spent once (SPEC §4.3). */
for (const kind of storeKinds()) {
  describe(`one open order, credit spent once (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const sessionsOf = (orderId: string) => [...t.fakeStripe.sessions.values()].filter((s) => s.client_reference_id === orderId);

    it('when ten orders are placed at the same moment with credit enough for one, then one order uses it and the balance never goes below zero', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      await giveCredit(t, 900);
      const responses = await allAtOnce(kind, t, () => Array.from({ length: 10 }, () => t.http.post('/api/v1/orders', order, { headers: auth })));
      expect(responses.filter((r) => r.status !== 200 && r.status !== 201).map((r) => [r.status, r.data])).toEqual([]);
      await t.tasks.idle();
      const orders = await t.db.query<{ credit_applied: number; status: string }>('select credit_applied, status from orders');
      expect(orders.filter((o) => o.credit_applied > 0)).toEqual([expect.objectContaining({ credit_applied: 900 })]);
      expect(orders.filter((o) => o.status === 'awaiting_payment' || o.status === 'partially_paid').length).toBeLessThanOrEqual(1);
      expect(await creditOf(t, auth)).toEqual({ USD: 0, EUR: 0 });
    });

    it('when the admin asks for the same order again, even ten times at once, then the open order and its one payment page come back, not a second order', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const first = await t.http.post('/api/v1/orders', order, { headers: auth });
      expect(first.status).toBe(201);
      const again = await allAtOnce(kind, t, () => Array.from({ length: 10 }, () => t.http.post('/api/v1/orders', order, { headers: auth })));
      expect(again.map((r) => [r.status, r.data.id, r.data.checkoutUrl])).toEqual(
        Array.from({ length: 10 }, () => [200, first.data.id, first.data.checkoutUrl]),
      );
      expect(await t.db.query('select * from orders')).toHaveLength(1);
      expect(sessionsOf(first.data.id)).toHaveLength(1);
      // The same plan in the other currency is a different order.
      const euro = await t.http.post('/api/v1/orders', { ...order, currency: 'EUR' }, { headers: auth });
      expect(euro.status).toBe(201);
      expect(euro.data.id).not.toBe(first.data.id);
    });

    it('when the admin asks for a different order, then the open one is cancelled first and its payment page can no longer be paid', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const first = await createOrder(t, auth);
      const second = await createOrder(t, auth, { plan: 'pro' });
      expect(second.id).not.toBe(first.id);
      const cancelled = await orderOf(t, auth, first.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', checkoutUrl: null });
      expect(cancelled.history).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'cancelled', why: 'replaced' })]));
      // Closed at the provider through its API, so the buyer's open tab cannot take the money.
      expect(sessionsOf(first.id).map((s) => s.status)).toEqual(['expired']);
      await expect(payByCard(t, first.id)).rejects.toThrow(/no open session/);
      await payByCard(t, second.id);
      expect((await orderOf(t, auth, second.id)).status).toBe('active');
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.plan).toBe('pro');
    });

    it('when a partially paid invoice is replaced by another order, then what was received is credit applied to the new order', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const invoice = await createOrder(t, auth, { method: 'invoice' });
      await t.http.post(
        `/operator/orders/${invoice.id}/transfer`,
        { amount: 500, currency: 'USD', receivedAt: '2026-11-21T09:00:00Z', reference: 'part-1' },
        { headers: operator },
      );
      const card = await createOrder(t, auth);
      expect(card).toMatchObject({ creditApplied: 500, amountDue: 400 });
      expect((await orderOf(t, auth, invoice.id)).status).toBe('cancelled');
      expect(sessionsOf(card.id).map((s) => s.amount_total)).toEqual([400]);
      expect(await creditOf(t, auth)).toEqual({ USD: 0, EUR: 0 });
    });

    it('when Pay now is used after the payment page expired, then a fresh page opens and paying it activates the order', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const placed = await createOrder(t, auth);
      // While the page is open, Pay now gives the same page.
      const same = await t.http.post(`/api/v1/orders/${placed.id}/checkout`, {}, { headers: auth });
      expect(same.status).toBe(200);
      expect(same.data.checkoutUrl).toBe(placed.checkoutUrl);
      // Stripe's pages live 24 hours; the order lives 3 days.
      t.clock.advance(25 * HOUR);
      const later = await freshAdmin(t);
      const fresh = await t.http.post(`/api/v1/orders/${placed.id}/checkout`, {}, { headers: later });
      expect(fresh.status).toBe(200);
      expect(fresh.data).toMatchObject({ id: placed.id, status: 'awaiting_payment' });
      expect(fresh.data.checkoutUrl).not.toBe(placed.checkoutUrl);
      expect(sessionsOf(placed.id).map((s) => [s.status, s.amount_total])).toEqual([
        ['expired', 900],
        ['open', 900],
      ]);
      // Asking for the same order again gives that order with its fresh page.
      const again = await t.http.post('/api/v1/orders', order, { headers: later });
      expect([again.status, again.data.id, again.data.checkoutUrl]).toEqual([200, placed.id, fresh.data.checkoutUrl]);
      await payByCard(t, placed.id);
      expect((await orderOf(t, later, placed.id)).status).toBe('active');
      // A paid order has nothing to pay now.
      const paid = await t.http.post(`/api/v1/orders/${placed.id}/checkout`, {}, { headers: later });
      expect([paid.status, paid.data.error?.code]).toEqual([409, 'order_not_payable']);
    });
  });
}
