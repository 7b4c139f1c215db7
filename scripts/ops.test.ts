import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, OPERATOR_TOKEN } from '../backend/test/harness';
import { createOrder, payByCard, registeredAdmin } from '../backend/test/payments-helpers';
import { runOps } from './ops';

describe('npm run ops', () => {
  let t: TestApp;
  let orderId: string;
  let invoiceId: string;
  const run = async (args: string[], token = OPERATOR_TOKEN) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runOps(args, { url: t.url, token }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const auth = await registeredAdmin(t);
    orderId = (await createOrder(t, auth)).id;
    await payByCard(t, orderId);
    invoiceId = (await createOrder(t, auth, { method: 'invoice', action: 'renew' })).id;
    await t.http.post(`/api/v1/orders/${orderId}/claims`, { text: 'The numbers limit is lower than promised.' }, { headers: auth });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when the token is wrong, then every command is refused with exit code 1', async () => {
    const result = await run(['accounts'], 'wrong-token-wrong-token-wrong-token');
    expect(result.code).toBe(1);
    expect(result.err).toContain('401 operator_only');
  });

  it('when listing accounts and open claims, then they come with licences and due dates', async () => {
    const accounts = await run(['accounts']);
    expect(accounts.code).toBe(0);
    expect(JSON.parse(accounts.out).accounts[0]).toMatchObject({ subdomain: 'wabridge-demo', licence: 'active', plan: 'user' });
    const claims = JSON.parse((await run(['claims'])).out).claims;
    expect(claims).toEqual([expect.objectContaining({ status: 'open', answerDueBy: '2026-12-21T10:00:00.000Z' })]);
  });

  it('when the operator answers a claim, confirms a transfer and refunds, then each takes effect and is audited', async () => {
    const claimId = JSON.parse((await run(['claims'])).out).claims[0].id;
    expect(
      (await run(['answer', claimId, '--decision', 'upheld', '--resolution', 'partial_refund', '--amount', '300', '--answer', 'Partly right.'])).code,
    ).toBe(0);
    expect(t.fakeStripe.refunds.map((r) => r.amount)).toEqual([300]);
    expect(
      (await run(['transfer', invoiceId, '--amount', '900', '--currency', 'USD', '--received', '2026-11-21T08:00:00Z', '--reference', 'BANK-77'])).code,
    ).toBe(0);
    expect((await run(['refund', orderId, '--amount', '100'])).code).toBe(0);
    expect(t.fakeStripe.refunds.map((r) => r.amount)).toEqual([300, 100]);
    const orders = JSON.parse((await run(['orders', '--account', 'wabridge-demo'])).out).orders;
    expect(orders.map((o: { status: string }) => o.status).sort()).toEqual(['active', 'partially_refunded']);
    const outage = await run(['outage', '--from', '2026-11-21T00:00:00Z', '--to', '2026-11-21T05:00:00Z']);
    expect(JSON.parse(outage.out)).toMatchObject({ creditDays: 1 });
    const audit = await t.db.query<{ action: string }>(`select action from audit_log where actor = 'operator' order by id`);
    expect(audit.map((a) => a.action)).toEqual([
      'claim.answered',
      'payment.recorded',
      'transfer.confirmed',
      'order.refunded',
      'refund.issued',
      'outage.recorded',
    ]);
  });

  it('when a bank-transfer refund is due, then it is listed as a refund to send until the operator marks it sent with a reference, audited', async () => {
    expect((await run(['refund', invoiceId, '--amount', '200'])).code).toBe(0);
    const queue = JSON.parse((await run(['refunds'])).out).refunds;
    expect(queue).toEqual([expect.objectContaining({ orderId: invoiceId, amount: 200, status: 'to_send', paidFrom: 'BANK-77' })]);
    expect((await run(['refund-sent', queue[0].id])).code).toBe(1);
    const sent = await run(['refund-sent', queue[0].id, '--reference', 'OUT-9']);
    expect(sent.code).toBe(0);
    expect(JSON.parse((await run(['refunds'])).out).refunds).toEqual([]);
    expect(JSON.parse((await run(['refunds', '--all'])).out).refunds).toEqual([
      expect.objectContaining({ id: queue[0].id, status: 'sent', reference: 'OUT-9' }),
    ]);
    const again = await run(['refund-sent', queue[0].id, '--reference', 'OUT-10']);
    expect(again.err).toContain('409 refund_already_sent');
    const audit = await t.db.query<{ action: string; details: { reference?: string } }>(
      `select action, details from audit_log where actor = 'operator' and action like 'refund.%' order by id`,
    );
    expect(audit.map((a) => [a.action, a.details.reference ?? null])).toEqual([
      ['refund.issued', null],
      ['refund.issued', null],
      ['refund.sent', 'OUT-9'],
    ]);
  });

  it('when the command is unknown or input is bad, then it says so', async () => {
    expect((await run(['dance'])).code).toBe(2);
    const bad = await run(['transfer', invoiceId, '--amount', 'ten']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('400 invalid_request');
  });
});
