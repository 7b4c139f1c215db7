import axios from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { STRIPE_KEY, startTestApp, type TestApp } from '../../test/harness';
import { createOrder, operator, orderOf, paidButNotActivated, payByCard, payByTransfer, registeredAdmin } from '../../test/payments-helpers';
import { storeKinds } from '../../test/stores';

const claim = { text: 'The licence does not include the broadcasts we paid for.' };

for (const kind of storeKinds()) {
  describe(`refunds (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const start = async () => {
      t = await startTestApp(kind, { now: '2026-11-01T12:00:00Z', accounts: [demoKommoAccount({ timezone: 'UTC' })] });
    };
    const admin = async () => (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
    const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort();
    const refundRows = () => t.db.query<{ amount: number; status: string; reason: string }>('select amount, status, reason from refunds order by created_at');

    /** An active licence paid by bank transfer, with an open claim about it. */
    async function claimOnPaidOrder(method: 'card' | 'invoice') {
      await start();
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth, { method });
      if (method === 'card') await payByCard(t, order.id);
      else await payByTransfer(t, order.id, 900, '2026-11-01T12:00:00Z', 'BANK-IN-1');
      const filed = await t.http.post(`/api/v1/orders/${order.id}/claims`, claim, { headers: auth });
      expect(filed.status).toBe(201);
      return { auth, order, claimId: filed.data.claims[0].id as string };
    }

    it('when two delay-refund requests on a bank-paid order come at the same moment, then one refund is queued and the other request is refused', async () => {
      await start();
      const { order } = await paidButNotActivated(t, 'invoice');
      t.clock.set('2026-12-12T00:00:00Z');
      const auth = await admin();
      const responses = await Promise.all([1, 2].map(() => t.http.post(`/api/v1/orders/${order.id}/delay-refund`, {}, { headers: auth })));
      expect(statuses(responses)).toEqual([200, 409]);
      expect(responses.find((r) => r.status === 409)!.data.error.code).toBe('delay_refund_unavailable');
      expect(await refundRows()).toEqual([{ amount: order.amountReceived, status: 'to_send', reason: 'delay_refund' }]);
      expect(await t.db.query(`select * from audit_log where action = 'order.delay_refund'`)).toHaveLength(1);
    });

    it('when the operator answers one claim with a full refund twice at the same moment, then one bank refund is queued', async () => {
      const { claimId } = await claimOnPaidOrder('invoice');
      const answer = { decision: 'upheld', resolution: 'full_refund', answer: 'You are right; we refund the order.' };
      const responses = await Promise.all([1, 2].map(() => t.http.post(`/operator/claims/${claimId}/answer`, answer, { headers: operator })));
      expect(statuses(responses)).toEqual([200, 409]);
      expect(await refundRows()).toEqual([{ amount: 900, status: 'to_send', reason: 'claim_upheld' }]);
      expect(await t.db.query(`select * from audit_log where action = 'claim.answered'`)).toHaveLength(1);
    });

    it('when the operator answers one claim with a partial card refund twice at the same moment, then the provider refunds the card once', async () => {
      const { claimId } = await claimOnPaidOrder('card');
      const answer = { decision: 'upheld', resolution: 'partial_refund', refundAmount: 300, answer: 'Partly right.' };
      const responses = await Promise.all([1, 2].map(() => t.http.post(`/operator/claims/${claimId}/answer`, answer, { headers: operator })));
      expect(statuses(responses)).toEqual([200, 409]);
      await t.tasks.idle();
      expect(t.fakeStripe.refunds.map((r) => r.amount)).toEqual([300]);
      expect(await refundRows()).toEqual([{ amount: 300, status: 'succeeded', reason: 'claim_upheld' }]);
    });

    it('when four terminate requests come at the same moment, then the licence is terminated once', async () => {
      await start();
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      await payByCard(t, order.id);
      const responses = await Promise.all([1, 2, 3, 4].map(() => t.http.post(`/api/v1/orders/${order.id}/terminate`, { confirm: true }, { headers: auth })));
      expect(statuses(responses)).toEqual([200, 409, 409, 409]);
      expect(await t.db.query(`select * from audit_log where action = 'order.terminated'`)).toHaveLength(1);
      expect(await refundRows()).toEqual([]);
    });

    it('when one payment is refunded twice for the same request, then the schema refuses the second row', async () => {
      const { order } = await claimOnPaidOrder('invoice');
      const [payment] = await t.db.query<{ id: string }>('select id from payments where order_id = $1', [order.id]);
      const insert = (id: string) =>
        t.db.query(
          `insert into refunds (id, order_id, payment_id, amount, currency, reason, request, status, created_at) values ($1, $2, $3, 100, 'USD', 'delay_refund', 'delay_refund', 'to_send', now())`,
          [id, order.id, payment!.id],
        );
      await insert('r1');
      await expect(insert('r2')).rejects.toThrow(/unique|duplicate/i);
    });

    it('when a bank-transfer refund is due, then it waits in the operator queue and the order reads refund pending until the operator marks it sent with a reference', async () => {
      await start();
      const { order } = await paidButNotActivated(t, 'invoice');
      t.clock.set('2026-12-12T00:00:00Z');
      const auth = await admin();
      expect((await t.http.post(`/api/v1/orders/${order.id}/delay-refund`, {}, { headers: auth })).status).toBe(200);
      expect((await orderOf(t, auth, order.id)).status).toBe('refund_pending');

      const queue = (await t.http.get('/operator/refunds', { headers: operator })).data.refunds;
      expect(queue).toEqual([
        expect.objectContaining({
          order: order.number,
          orderId: order.id,
          account: 'wabridge-demo',
          amount: order.amountReceived,
          currency: 'USD',
          reason: 'delay_refund',
          status: 'to_send',
          paidFrom: 'BANK-IN-1',
          sentAt: null,
          reference: null,
        }),
      ]);

      t.clock.set('2026-12-13T09:00:00Z');
      const sent = await t.http.post(`/operator/refunds/${queue[0].id}/sent`, { reference: 'OUT-2026-0042' }, { headers: operator });
      expect(sent.status).toBe(200);
      expect((await t.http.get('/operator/refunds', { headers: operator })).data.refunds).toEqual([]);
      expect((await t.http.get('/operator/refunds', { params: { status: 'all' }, headers: operator })).data.refunds).toEqual([
        expect.objectContaining({ id: queue[0].id, status: 'sent', sentAt: '2026-12-13T09:00:00.000Z', reference: 'OUT-2026-0042' }),
      ]);
      const view = await orderOf(t, await admin(), order.id);
      expect(view.status).toBe('refunded');
      expect(view.history.at(-1)).toEqual({ at: '2026-12-13T09:00:00.000Z', event: 'refund_sent', amount: order.amountReceived, detail: 'OUT-2026-0042' });
      const audit = await t.db.query<{ action: string; actor: string; details: { reference: string } }>(
        `select action, actor, details from audit_log where action = 'refund.sent'`,
      );
      expect(audit).toEqual([
        { action: 'refund.sent', actor: 'operator', details: expect.objectContaining({ refundId: queue[0].id, reference: 'OUT-2026-0042' }) },
      ]);

      const again = await t.http.post(`/operator/refunds/${queue[0].id}/sent`, { reference: 'OUT-2026-0043' }, { headers: operator });
      expect(again.status).toBe(409);
      expect(again.data.error.code).toBe('refund_already_sent');
      const unknown = await t.http.post('/operator/refunds/nope/sent', { reference: 'OUT-1' }, { headers: operator });
      expect(unknown.status).toBe(404);
    });

    it('when a card refund is recorded, then it is not in the operator queue and cannot be marked sent by hand', async () => {
      const { claimId } = await claimOnPaidOrder('card');
      await t.http.post(
        `/operator/claims/${claimId}/answer`,
        { decision: 'upheld', resolution: 'partial_refund', refundAmount: 300, answer: 'Partly right.' },
        { headers: operator },
      );
      expect((await t.http.get('/operator/refunds', { headers: operator })).data.refunds).toEqual([]);
      const [row] = await t.db.query<{ id: string }>('select id from refunds');
      const response = await t.http.post(`/operator/refunds/${row!.id}/sent`, { reference: 'OUT-1' }, { headers: operator });
      expect(response.status).toBe(409);
      expect(response.data.error.code).toBe('not_a_bank_refund');
    });

    it('when a card payment is over 10% more than due, then the order is cancelled and the whole charge goes back through the provider, not to the operator queue', async () => {
      await start();
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      // The provider charged 1,035 for a 900 order.
      const session = [...t.fakeStripe.sessions.values()].find((s) => s.client_reference_id === order.id)!;
      session.amount_total = 1035;
      const intent = await payByCard(t, order.id);
      await t.tasks.idle();
      expect(t.fakeStripe.refunds).toEqual([expect.objectContaining({ payment_intent: intent.id, amount: 1035 })]);
      expect(await refundRows()).toEqual([{ amount: 1035, status: 'succeeded', reason: 'overpaid_over_10_percent' }]);
      expect((await t.http.get('/operator/refunds', { headers: operator })).data.refunds).toEqual([]);
      expect(await orderOf(t, auth, order.id)).toMatchObject({ status: 'cancelled', amountReceived: 1035, amountRefunded: 1035, activatedAt: null });
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.state).toBe('demo');
    });

    it('when the provider cannot be reached for a card refund, then the refund stays pending and a later run sends it exactly once', async () => {
      await start();
      const { order, intent } = await paidButNotActivated(t, 'card');
      t.clock.set('2026-12-12T00:00:00Z');
      const auth = await admin();
      t.fakeStripe.knobs.failApi = true;
      const response = await t.http.post(`/api/v1/orders/${order.id}/delay-refund`, {}, { headers: auth });
      expect(response.status).toBe(200);
      expect(response.data.status).toBe('refund_pending');
      expect(t.fakeStripe.refunds).toEqual([]);

      t.fakeStripe.knobs.failApi = false;
      await t.payments.sendPendingRefunds();
      await t.payments.sendPendingRefunds();
      await t.tasks.idle();
      expect(t.fakeStripe.refunds).toEqual([expect.objectContaining({ payment_intent: intent!.id, amount: order.amountReceived })]);
      expect(await refundRows()).toEqual([{ amount: order.amountReceived, status: 'succeeded', reason: 'delay_refund' }]);
      expect((await orderOf(t, auth, order.id)).status).toBe('refunded');
    });

    it('when a refund is made in the provider’s dashboard and its webhook comes twice, then it is recorded once, beside ours', async () => {
      const { order, claimId } = await claimOnPaidOrder('card');
      await t.http.post(
        `/operator/claims/${claimId}/answer`,
        { decision: 'upheld', resolution: 'partial_refund', refundAmount: 300, answer: 'Partly right.' },
        { headers: operator },
      );
      // Our refund's webhook is delivered (once) before the knob asks for repeats: otherwise, on a loaded machine, its delivery is repeated too.
      await vi.waitFor(() => expect(t.fakeStripe.delivered.filter((d) => d.type === 'charge.refunded')).toHaveLength(1), { timeout: 20_000 });
      t.fakeStripe.knobs.repeat = 2;
      const [payment] = await t.db.query<{ provider_ref: string }>('select provider_ref from payments where order_id = $1', [order.id]);
      const dashboard = await axios.post(`${t.fakeStripe.url}/v1/refunds`, new URLSearchParams({ payment_intent: payment!.provider_ref, amount: '200' }), {
        headers: { Authorization: `Bearer ${STRIPE_KEY}` },
      });
      // The fake answers, then delivers the webhook: ours once, the dashboard's twice.
      await vi.waitFor(() => expect(t.fakeStripe.delivered.filter((d) => d.type === 'charge.refunded')).toHaveLength(3), { timeout: 20_000 });
      await t.tasks.idle();
      const rows = await t.db.query<{ amount: number; status: string; reason: string; provider_ref: string }>(
        'select amount, status, reason, provider_ref from refunds order by amount',
      );
      expect(rows).toEqual([
        { amount: 200, status: 'succeeded', reason: 'operator', provider_ref: dashboard.data.id },
        { amount: 300, status: 'succeeded', reason: 'claim_upheld', provider_ref: t.fakeStripe.refunds[0]!.id },
      ]);
    });
  });
}
