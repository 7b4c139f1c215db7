import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { OPERATOR_TOKEN, startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const DAY = 86_400_000;

for (const kind of storeKinds()) {
  describe(`licence rules (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function installed(options: { timezone?: string; now?: string } = {}) {
      t = await startTestApp(kind, { now: options.now, accounts: [demoKommoAccount({ timezone: options.timezone ?? 'UTC' })] });
      await t.install(DEMO_ACCOUNT_ID);
      return t.accountId(DEMO_ACCOUNT_ID);
    }

    it('when an account installs, then the demo runs exactly 7 days', async () => {
      const id = await installed();
      expect((await t.licences.status(id)).state).toBe('demo');
      t.clock.advance(7 * DAY - 1);
      expect((await t.licences.status(id)).state).toBe('demo');
      await t.licences.takeOutbound(id);
      t.clock.advance(1);
      expect((await t.licences.status(id)).state).toBe('expired');
      await expect(t.licences.takeOutbound(id)).rejects.toMatchObject({ code: 'licence_expired', status: 402 });
    });

    it('when the demo sends its 100th message it is accepted; the 101st is refused naming the limit', async () => {
      const id = await installed();
      await t.licences.takeOutbound(id, 99);
      expect(await t.licences.takeOutbound(id)).toEqual({ used: 100, limit: 100 });
      const refused = t.licences.takeOutbound(id);
      await expect(refused).rejects.toMatchObject({ code: 'allowance_exhausted', status: 402 });
      await expect(refused).rejects.toThrow(/all 100 outbound messages of its Demo period/);
      expect((await t.licences.status(id)).allowance).toEqual({ used: 100, limit: 100, resetsAt: null });
    });

    it('when an account reinstalls, then it gets no new demo', async () => {
      const id = await installed();
      t.clock.advance(8 * DAY);
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      await t.install(DEMO_ACCOUNT_ID);
      expect(await t.accountId(DEMO_ACCOUNT_ID)).toBe(id);
      expect((await t.licences.status(id)).state).toBe('expired');
      expect(await t.db.query('select * from licence_periods')).toHaveLength(1);
    });

    it('when the demo account is purged and installs again, then it still gets no new demo', async () => {
      await installed();
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      t.clock.advance(91 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(1);
      expect(await t.db.query('select * from accounts')).toHaveLength(0);
      await t.install(DEMO_ACCOUNT_ID);
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      expect((await t.licences.status(id)).state).toBe('none');
    });

    it('when a period is paid during a running paid period, then the renewal starts when the running one ends', async () => {
      const id = await installed();
      const first = await t.licences.grantPeriod(id, 'user');
      // A paid period replaces the demo at once.
      expect(first.starts_at.toISOString()).toBe('2026-11-21T10:00:00.000Z');
      expect((await t.licences.status(id)).plan).toBe('user');
      t.clock.advance(10 * DAY);
      const renewal = await t.licences.grantPeriod(id, 'user');
      expect(renewal.starts_at.toISOString()).toBe(first.ends_at.toISOString());
      expect(renewal.ends_at.getTime() - renewal.starts_at.getTime()).toBe(30 * DAY);
      const status = await t.licences.status(id);
      expect(status.period?.endsAt).toBe(renewal.ends_at.toISOString());
      expect(status.upcoming).toEqual([{ plan: 'user', startsAt: renewal.starts_at.toISOString(), endsAt: renewal.ends_at.toISOString() }]);
    });

    it('when a cheaper plan is bought during a dearer one, then the downgrade waits for the next period', async () => {
      const id = await installed();
      await t.licences.grantPeriod(id, 'pro');
      t.clock.advance(5 * DAY);
      await t.licences.grantPeriod(id, 'user');
      expect((await t.licences.status(id)).plan).toBe('pro');
      t.clock.advance(25 * DAY);
      expect((await t.licences.status(id)).plan).toBe('user');
    });

    for (const [remaining, amount, credit] of [
      [0, 1900, 0],
      [1, 1870, 30],
      [15, 1450, 450],
      [29, 1030, 870],
    ] as const) {
      it(`when ${remaining} whole days remain on User, then an upgrade to Pro costs ${amount} cents`, async () => {
        const id = await installed();
        const period = await t.licences.grantPeriod(id, 'user');
        // Half a day more than the whole days: part days do not count.
        t.clock.set(new Date(period.ends_at.getTime() - remaining * DAY - DAY / 2));
        const quote = await t.licences.upgradeQuote(id, 'pro', 'USD');
        expect(quote).toMatchObject({ fromPlan: 'user', remainingDays: remaining, price: 1900, credit, amount });
      });
    }

    it('when an upgrade is applied, then the new plan takes effect at once for a full period and later renewals move back', async () => {
      const id = await installed();
      await t.licences.grantPeriod(id, 'user');
      await t.licences.grantPeriod(id, 'user');
      await t.licences.takeOutbound(id, 40);
      t.clock.advance(10 * DAY);
      await t.licences.applyUpgrade(id, 'pro', 'EUR');
      const status = await t.licences.status(id);
      expect(status.plan).toBe('pro');
      expect(status.allowance).toMatchObject({ used: 0, limit: 100_000 });
      const now = t.clock.now().getTime();
      expect(status.upcoming).toEqual([{ plan: 'user', startsAt: new Date(now + 30 * DAY).toISOString(), endsAt: new Date(now + 60 * DAY).toISOString() }]);
      await expect(t.licences.upgradeQuote(id, 'user', 'USD')).rejects.toMatchObject({ code: 'not_an_upgrade' });
    });

    it('when an outage of 30 hours is recorded, then every licence in force during it is extended by 2 days', async () => {
      const id = await installed();
      const period = await t.licences.grantPeriod(id, 'user');
      const response = await t.http.post(
        '/operator/outages',
        { startsAt: '2026-11-22T00:00:00Z', endsAt: '2026-11-23T06:00:00Z', note: 'WhatsApp relay down' },
        { headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } },
      );
      expect(response.status).toBe(201);
      expect(response.data).toMatchObject({ creditDays: 2, accounts: 1 });
      const status = await t.licences.status(id);
      expect(status.period?.endsAt).toBe(new Date(period.ends_at.getTime() + 2 * DAY).toISOString());
    });

    it('when the operator token is missing or wrong, then the outage is refused and nothing changes', async () => {
      await installed();
      for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token-wrong' }]) {
        const response = await t.http.post('/operator/outages', { startsAt: '2026-11-22T00:00:00Z', endsAt: '2026-11-23T06:00:00Z' }, { headers });
        expect(response.status).toBe(401);
      }
      expect(await t.db.query('select * from outages')).toHaveLength(0);
    });

    it('when the licence has expired, then chat history and inbound stay allowed and outbound is refused with the reason', async () => {
      const id = await installed();
      t.clock.advance(8 * DAY);
      const status = await t.licences.status(id);
      expect(status.state).toBe('expired');
      expect(status.capabilities.chat).toEqual({ allowed: true });
      expect(status.capabilities.outbound).toMatchObject({ allowed: false, code: 'licence_expired', action: 'renew' });
      expect(status.capabilities.broadcasts).toMatchObject({ allowed: false, code: 'licence_expired' });
      await expect(t.licences.require(id, 'chat')).resolves.toBeUndefined();
      await expect(t.licences.takeOutbound(id)).rejects.toThrow(/Messages still arrive and history stays readable/);
    });

    it('when 3 days or fewer remain, then the status carries a reminder; with a renewal bought, none', async () => {
      const id = await installed();
      const period = await t.licences.grantPeriod(id, 'user');
      t.clock.set(new Date(period.ends_at.getTime() - 4 * DAY));
      expect((await t.licences.status(id)).reminderDaysLeft).toBeNull();
      t.clock.set(new Date(period.ends_at.getTime() - 3 * DAY));
      expect((await t.licences.status(id)).reminderDaysLeft).toBe(3);
      t.clock.set(new Date(period.ends_at.getTime() - DAY));
      expect((await t.licences.status(id)).reminderDaysLeft).toBe(1);
      await t.licences.grantPeriod(id, 'user');
      expect((await t.licences.status(id)).reminderDaysLeft).toBeNull();
    });

    it('when 50 sends race for the last 10 messages, then exactly 10 succeed', async () => {
      const id = await installed();
      await t.licences.takeOutbound(id, 90);
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => t.licences.takeOutbound(id)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'allowance_exhausted')).toBe(true);
      expect((await t.licences.status(id)).allowance?.used).toBe(100);
    });

    it('when the plan in force allows 3 numbers, then the number limit is 3; the demo allows 1', async () => {
      const id = await installed();
      expect(await t.licences.numberLimit(id)).toBe(1);
      await t.licences.grantPeriod(id, 'user');
      expect(await t.licences.numberLimit(id)).toBe(3);
    });

    it('when the licence status is read over HTTP, then it matches the contract', async () => {
      await installed();
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const response = await t.http.get('/api/v1/licence', { headers: auth });
      expect(response.status).toBe(200);
      expect(response.data).toMatchObject({ state: 'demo', plan: 'demo', allowance: { used: 0, limit: 100 }, period: { daysLeft: 7 } });
      const plans = await t.http.get('/api/v1/plans', { headers: auth });
      expect(plans.data.plans).toEqual([
        { id: 'user', messages: 10_000, numbers: 3, prices: { USD: 900, EUR: 900 } },
        { id: 'pro', messages: 100_000, numbers: 10, prices: { USD: 1900, EUR: 1900 } },
        { id: 'vip', messages: 1_000_000, numbers: 30, prices: { USD: 4900, EUR: 4900 } },
      ]);
    });
  });

  describe(`allowance resets at local midnight (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function renewalAllowanceStart(timezone: string, now: string) {
      t = await startTestApp(kind, { now, accounts: [demoKommoAccount({ timezone })] });
      await t.install(DEMO_ACCOUNT_ID);
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      const first = await t.licences.grantPeriod(id, 'user');
      const renewal = await t.licences.grantPeriod(id, 'user');
      return { id, first, renewal };
    }

    it('when the account is in UTC+5, then the renewal’s allowance starts at 00:00 local on its first day', async () => {
      // Paid 2026-11-21 10:00Z = 15:00 in Tashkent; the renewal begins 2026-12-21 15:00 local.
      const { id, renewal } = await renewalAllowanceStart('Asia/Tashkent', '2026-11-21T10:00:00Z');
      expect(renewal.allowance_starts_at.toISOString()).toBe('2026-12-20T19:00:00.000Z');
      await t.licences.takeOutbound(id, 10_000);
      t.clock.set('2026-12-20T18:59:59Z');
      await expect(t.licences.takeOutbound(id)).rejects.toMatchObject({ code: 'allowance_exhausted' });
      await expect(t.licences.takeOutbound(id)).rejects.toThrow(/resets at 21 Dec 2026, 00:00 \(Asia\/Tashkent\)/);
      t.clock.set('2026-12-20T19:00:00Z');
      expect(await t.licences.takeOutbound(id)).toEqual({ used: 1, limit: 10_000 });
    });

    it('when the account is in UTC−8 and daylight saving ends during the period, then the reset is at midnight PST', async () => {
      // Paid 2026-10-20 22:00Z = 15:00 PDT (UTC−7); DST ends 2026-11-01; the renewal begins 2026-11-19 14:00 PST.
      const { id, renewal } = await renewalAllowanceStart('America/Los_Angeles', '2026-10-20T22:00:00Z');
      expect(renewal.starts_at.toISOString()).toBe('2026-11-19T22:00:00.000Z');
      expect(renewal.allowance_starts_at.toISOString()).toBe('2026-11-19T08:00:00.000Z');
      await t.licences.takeOutbound(id, 10_000);
      t.clock.set('2026-11-19T07:59:59Z');
      await expect(t.licences.takeOutbound(id)).rejects.toMatchObject({ code: 'allowance_exhausted' });
      t.clock.set('2026-11-19T08:00:00Z');
      // The new allowance counts from local midnight, while the old period still runs until 14:00.
      expect(await t.licences.takeOutbound(id)).toEqual({ used: 1, limit: 10_000 });
      expect((await t.licences.status(id)).plan).toBe('user');
    });
  });
}
