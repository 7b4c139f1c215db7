import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { createOrder, operator, registeredAdmin } from '../../test/payments-helpers';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

const DAY = 86_400_000;

for (const kind of storeKinds()) {
  // Each test starts an app and moves the clock through months; a loaded machine needs more than the default.
  describe(`inactivity: warning, suspension, purge (${kind})`, { timeout: 180_000 }, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    /**
     * An account with no licence at all: its demo went to an earlier install whose data was purged
     * (uninstalled, 90 days), so only the inactivity rule can end it.
     */
    async function accountWithoutLicence() {
      await t.install(DEMO_ACCOUNT_ID);
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      t.clock.advance(90 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(1);
      await t.install(DEMO_ACCOUNT_ID);
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      expect((await t.licences.status(id)).state).toBe('none');
      return id;
    }

    it('when an account has been unused for 75 days, then the widget shows nothing; from day 76 it shows the days left before suspension', async () => {
      t = await startTestApp(kind);
      const id = await accountWithoutLicence();
      t.clock.advance(75 * DAY);
      expect((await t.licences.status(id)).inactivity).toBeNull();
      t.clock.advance(DAY);
      expect((await t.licences.status(id)).inactivity).toEqual({ daysUnused: 76, daysLeft: 14 });
      t.clock.advance(13 * DAY);
      expect((await t.licences.status(id)).inactivity).toEqual({ daysUnused: 89, daysLeft: 1 });
      // Signing in is use: the count starts again, and the licence status the widget reads has no warning.
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.inactivity).toBeNull();
    });

    it('when an account has been unused for 89 days, then its numbers stay; on day 90 they are disconnected and their tokens deleted', async () => {
      t = await startTestApp(kind);
      await chatReady(t, { customerWrites: false });
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      t.clock.advance(89 * DAY);
      expect((await t.privacy.purge()).accountsSuspended).toBe(0);
      expect(await t.db.query('select 1 from whatsapp_numbers')).toHaveLength(1);
      t.clock.advance(DAY);
      expect((await t.privacy.purge()).accountsSuspended).toBe(1);
      expect(await t.db.query('select 1 from whatsapp_numbers')).toHaveLength(0);
      expect(await t.db.query('select 1 from accounts where id = $1', [id])).toHaveLength(1);
      const audit = await t.db.query<{ action: string }>('select action from audit_log where account_id = $1', [id]);
      expect(audit.map((a) => a.action)).toContain('account.suspended');
      // Once is enough: the next run has nothing to suspend.
      expect((await t.privacy.purge()).accountsSuspended).toBe(0);
    });

    it('when a customer writes on day 80, then the count starts again: no warning, and nothing is suspended on day 90', async () => {
      t = await startTestApp(kind);
      const { fakeNumber } = await chatReady(t, { customerWrites: false });
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      t.clock.advance(80 * DAY);
      expect((await t.licences.status(id)).inactivity).toEqual({ daysUnused: 80, daysLeft: 10 });
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'Are you open on Sunday?');
      await t.settle();
      expect((await t.licences.status(id)).inactivity).toBeNull();
      t.clock.advance(10 * DAY);
      expect((await t.privacy.purge()).accountsSuspended).toBe(0);
      expect(await t.db.query('select 1 from whatsapp_numbers')).toHaveLength(1);
    });

    it('when a bank transfer is recorded on day 9, then the count starts from the payment', async () => {
      t = await startTestApp(kind);
      const auth = await registeredAdmin(t);
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      const order = await createOrder(t, auth, { method: 'invoice' });
      t.clock.advance(9 * DAY);
      const paid = await t.http.post(
        `/operator/orders/${order.id}/transfer`,
        { amount: order.amountDue, currency: 'USD', receivedAt: t.clock.now().toISOString(), reference: 'BANK-1' },
        { headers: operator },
      );
      expect(paid.status, JSON.stringify(paid.data)).toBe(200);
      // The 30 days paid for end on day 39; 76 days after the payment the warning starts.
      t.clock.advance(75 * DAY);
      expect((await t.licences.status(id)).inactivity).toBeNull();
      t.clock.advance(DAY);
      expect((await t.licences.status(id)).inactivity).toEqual({ daysUnused: 76, daysLeft: 14 });
    });

    it('when an account has been unused for 179 days, then it is kept; on day 180 it is purged as after uninstall', async () => {
      t = await startTestApp(kind);
      const id = await accountWithoutLicence();
      t.clock.advance(179 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(0);
      expect(await t.db.query('select 1 from accounts where id = $1', [id])).toHaveLength(1);
      t.clock.advance(DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(1);
      expect(await t.db.query('select 1 from accounts where id = $1', [id])).toHaveLength(0);
    });

    it('when the admin signed in on day 100, then the account is not purged on day 180 but 180 days after that sign-in', async () => {
      t = await startTestApp(kind);
      const id = await accountWithoutLicence();
      t.clock.advance(100 * DAY);
      await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      t.clock.advance(80 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(0);
      t.clock.advance(99 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(0);
      t.clock.advance(DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(1);
      expect(await t.db.query('select 1 from accounts where id = $1', [id])).toHaveLength(0);
    });

    it('when a paid licence is in force, then an unused account is neither warned nor suspended', async () => {
      t = await startTestApp(kind);
      await chatReady(t, { customerWrites: false });
      const id = await t.accountId(DEMO_ACCOUNT_ID);
      await t.licences.grantPeriod(id, 'vip');
      await t.licences.extend(id, 90);
      t.clock.advance(95 * DAY);
      expect((await t.licences.status(id)).state).toBe('active');
      expect((await t.licences.status(id)).inactivity).toBeNull();
      expect((await t.privacy.purge()).accountsSuspended).toBe(0);
      expect(await t.db.query('select 1 from whatsapp_numbers')).toHaveLength(1);
    });
  });
}
