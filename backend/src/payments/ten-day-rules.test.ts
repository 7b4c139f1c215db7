import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { createOrder, operator, orderOf, paidButNotActivated as paidUpgradeNeverActivated, payByCard, registeredAdmin } from '../../test/payments-helpers';
import { storeKinds } from '../../test/stores';

const DAY = 86_400_000;
const claim = { text: 'The licence does not include the broadcasts we paid for.' };

for (const kind of storeKinds()) {
  describe(`the 10-day rules (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function paidOrder(timezone: string, paidAt: string) {
      t = await startTestApp(kind, { now: paidAt, accounts: [demoKommoAccount({ timezone })] });
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth);
      await payByCard(t, order.id);
      return order;
    }
    const admin = async () => (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;

    for (const [zone, paidAt, lastSecond] of [
      // Paid 1 Nov 14:00 in Tashkent (UTC+5): claims until 11 Nov 23:59:59 local = 18:59:59Z.
      ['Asia/Tashkent', '2026-11-01T09:00:00Z', '2026-11-11T18:59:59Z'],
      // Paid 1 Nov 12:00 in Los Angeles (UTC−8, the day DST ended): until 11 Nov 23:59:59 PST = 12 Nov 07:59:59Z.
      ['America/Los_Angeles', '2026-11-01T20:00:00Z', '2026-11-12T07:59:59Z'],
    ] as const) {
      it(`when the account is in ${zone}, then a claim at day 10 23:59:59 local is accepted and at day 11 00:00:00 refused naming the date`, async () => {
        const order = await paidOrder(zone, paidAt);
        t.clock.set(lastSecond);
        const accepted = await t.http.post(`/api/v1/orders/${order.id}/claims`, claim, { headers: await admin() });
        expect(accepted.status).toBe(201);
        expect(accepted.data.claims).toEqual([
          expect.objectContaining({ status: 'open', answerDueBy: new Date(Date.parse(lastSecond) + 30 * DAY).toISOString() }),
        ]);
        expect(accepted.data.claimWindow).toMatchObject({ lastDay: '2026-11-11', open: true });

        t.clock.set(new Date(Date.parse(lastSecond) + 1000));
        const auth = await admin();
        const refused = await t.http.post(`/api/v1/orders/${order.id}/claims`, claim, { headers: auth });
        expect(refused.status).toBe(409);
        expect(refused.data.error.code).toBe('claim_window_closed');
        expect(refused.data.error.message).toContain('closed at the end of 2026-11-11');
        expect((await orderOf(t, auth, order.id)).claimWindow.open).toBe(false);
        expect(await t.db.query('select * from claims')).toHaveLength(1);
      });
    }

    /** An upgrade paid after the period it upgrades has ended cannot be applied: paid, not activated. */
    async function paidButNotActivated() {
      t = await startTestApp(kind, { now: '2026-11-01T12:00:00Z', accounts: [demoKommoAccount({ timezone: 'UTC' })] });
      const { order, intent } = await paidUpgradeNeverActivated(t, 'card');
      expect(order).toMatchObject({ status: 'paid', activatedAt: null, paidAt: '2026-12-01T13:00:00.000Z' });
      return { order, intent: intent! };
    }

    it('when a paid licence is still not activated on day 10, then the delay refund is refused; on day 11 it refunds the whole amount to the paying card', async () => {
      const { order, intent } = await paidButNotActivated();
      t.clock.set('2026-12-11T23:59:59Z');
      let auth = await admin();
      expect((await orderOf(t, auth, order.id)).delayRefundAvailable).toBe(false);
      const early = await t.http.post(`/api/v1/orders/${order.id}/delay-refund`, {}, { headers: auth });
      expect(early.status).toBe(409);
      expect(early.data.error.code).toBe('delay_refund_unavailable');
      expect(t.fakeStripe.refunds).toHaveLength(0);

      t.clock.set('2026-12-12T00:00:00Z');
      auth = await admin();
      const view = await orderOf(t, auth, order.id);
      expect(view.delayRefundAvailable).toBe(true);
      expect(view.activationPending).toBe(true);
      const refunded = await t.http.post(`/api/v1/orders/${order.id}/delay-refund`, {}, { headers: auth });
      expect(refunded.status).toBe(200);
      expect(refunded.data).toMatchObject({ status: 'refunded', amountRefunded: order.amountReceived });
      expect(t.fakeStripe.refunds).toEqual([expect.objectContaining({ payment_intent: intent.id, amount: order.amountReceived })]);
      await t.tasks.idle();
      expect(await t.db.query('select * from refunds')).toHaveLength(1);
    });

    it('when an active licence is terminated early, then nothing is refunded and the licence runs to its end', async () => {
      const order = await paidOrder('UTC', '2026-11-21T10:00:00Z');
      const auth = await admin();
      const noConfirm = await t.http.post(`/api/v1/orders/${order.id}/terminate`, {}, { headers: auth });
      expect(noConfirm.status).toBe(400);
      const response = await t.http.post(`/api/v1/orders/${order.id}/terminate`, { confirm: true }, { headers: auth });
      expect(response.status).toBe(200);
      expect(response.data).toMatchObject({ status: 'active', amountRefunded: 0, terminatedAt: '2026-11-21T10:00:00.000Z', canTerminate: false });
      expect(t.fakeStripe.refunds).toHaveLength(0);
      expect(await t.db.query('select * from refunds')).toHaveLength(0);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data).toMatchObject({ state: 'active', plan: 'user' });
    });

    it('when the operator upholds a claim with a full refund, then the card is refunded, the licence ends, and the admin sees the answer', async () => {
      const order = await paidOrder('UTC', '2026-11-21T10:00:00Z');
      const auth = await admin();
      const filed = await t.http.post(
        `/api/v1/orders/${order.id}/claims`,
        { ...claim, attachments: [{ name: 'screenshot.png', contentType: 'image/png', data: Buffer.from('png-bytes').toString('base64') }] },
        { headers: auth },
      );
      const claimId = filed.data.claims[0].id;
      expect(filed.data.claims[0].attachments).toEqual([{ name: 'screenshot.png', size: 9 }]);
      const open = (await t.http.get('/operator/claims', { headers: operator })).data.claims;
      expect(open).toEqual([expect.objectContaining({ id: claimId, order: order.number, answerDueBy: '2026-12-21T10:00:00.000Z' })]);

      const answer = await t.http.post(
        `/operator/claims/${claimId}/answer`,
        { decision: 'upheld', resolution: 'full_refund', answer: 'You are right; we refund the order.' },
        { headers: operator },
      );
      expect(answer.status).toBe(200);
      const view = await orderOf(t, auth, order.id);
      expect(view.status).toBe('refunded');
      expect(view.claims[0]).toMatchObject({ status: 'upheld', resolution: 'full_refund', refundAmount: 900, answer: 'You are right; we refund the order.' });
      expect(t.fakeStripe.refunds).toEqual([expect.objectContaining({ amount: 900 })]);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.state).toBe('expired');
      const audit = await t.db.query<{ action: string; actor: string }>(`select action, actor from audit_log where action = 'claim.answered'`);
      expect(audit).toEqual([{ action: 'claim.answered', actor: 'operator' }]);
    });

    it('when a claim passes its 30-day answer date without an answer, then the operator sees it overdue, first in the list, and /metrics counts it', async () => {
      const order = await paidOrder('UTC', '2026-11-21T10:00:00Z');
      const file = async (text: string) =>
        (await t.http.post(`/api/v1/orders/${order.id}/claims`, { text }, { headers: await admin() })).data.claims.at(-1).id as string;
      const answered = await file('The first claim, answered at once.');
      await t.http.post(`/operator/claims/${answered}/answer`, { decision: 'rejected', answer: 'Not covered.' }, { headers: operator });
      t.clock.set('2026-11-21T11:00:00Z');
      const late = await file('The claim nobody answers in time.');
      t.clock.set('2026-11-23T10:00:00Z');
      const recent = await file('A later claim, still within its 30 days.');
      const claims = async (all = false) =>
        (await t.http.get('/operator/claims', { headers: operator, params: all ? { status: 'all' } : {} })).data.claims.map(
          (c: { id: string; overdue: boolean }) => [c.id, c.overdue],
        );
      const overdueGauge = async () => Number(/^claims_overdue (\d+)$/m.exec((await t.http.get('/metrics')).data)?.[1]);

      t.clock.set('2026-12-21T11:00:00Z');
      expect(await claims()).toEqual([
        [late, false],
        [recent, false],
      ]);
      expect(await overdueGauge()).toBe(0);

      t.clock.set('2026-12-21T11:00:01Z');
      expect(await claims()).toEqual([
        [late, true],
        [recent, false],
      ]);
      expect(await claims(true)).toEqual([
        [late, true],
        [answered, false],
        [recent, false],
      ]);
      expect(await overdueGauge()).toBe(1);

      await t.http.post(`/operator/claims/${late}/answer`, { decision: 'upheld', resolution: 'fix', answer: 'Fixed, late; sorry.' }, { headers: operator });
      expect(await claims()).toEqual([[recent, false]]);
      expect(await overdueGauge()).toBe(0);
    });

    it('when the operator rejects a claim, or upholds it with an extension, then the admin sees it and the licence follows', async () => {
      const order = await paidOrder('UTC', '2026-11-21T10:00:00Z');
      const auth = await admin();
      const first = (await t.http.post(`/api/v1/orders/${order.id}/claims`, claim, { headers: auth })).data.claims[0].id;
      const second = (await t.http.post(`/api/v1/orders/${order.id}/claims`, { text: 'Broadcasts were down for two days.' }, { headers: auth })).data.claims[1]
        .id;
      const before = (await t.http.get('/api/v1/licence', { headers: auth })).data.period.endsAt;
      await t.http.post(
        `/operator/claims/${first}/answer`,
        { decision: 'rejected', answer: 'Broadcasts need Kommo Advanced; your account is on Base.' },
        { headers: operator },
      );
      await t.http.post(
        `/operator/claims/${second}/answer`,
        { decision: 'upheld', resolution: 'extension', extensionDays: 2, answer: 'We extend your licence by 2 days.' },
        { headers: operator },
      );
      const view = await orderOf(t, auth, order.id);
      expect(view.claims.map((c: { status: string }) => c.status)).toEqual(['rejected', 'upheld']);
      const after = (await t.http.get('/api/v1/licence', { headers: auth })).data.period.endsAt;
      expect(Date.parse(after) - Date.parse(before)).toBe(2 * DAY);
      const again = await t.http.post(`/operator/claims/${first}/answer`, { decision: 'rejected', answer: 'x' }, { headers: operator });
      expect(again.status).toBe(409);
    });
  });
}
