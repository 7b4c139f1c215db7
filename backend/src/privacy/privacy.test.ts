import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const DAY = 86_400_000;

for (const kind of storeKinds()) {
  describe(`consent withdrawal and retention (${kind})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;

    beforeEach(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      ({ auth: admin } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID));
      await t.http.put(
        '/api/v1/registration',
        {
          lastName: 'Souza',
          firstName: 'Dana',
          email: 'dana@example.com',
          phone: '+5511912345678',
          city: 'Recife',
          termsVersion: '2026-11-01',
          acceptTerms: true,
        },
        { headers: admin },
      );
    });
    afterEach(async () => {
      await t.close();
    });

    it('when the request is not confirmed, then 400 and consent stands', async () => {
      const response = await t.http.post('/api/v1/consent/withdraw', {}, { headers: admin });
      expect(response.status).toBe(400);
      expect(response.data.error.issues[0].path).toBe('body.confirm');
      expect((await t.http.get('/api/v1/consent', { headers: admin })).data).toEqual({ withdrawnAt: null, deletionDueBy: null });
    });

    it('when the admin withdraws consent, then the widget stops at once and the personal data is gone at the next purge, within 30 days', async () => {
      const response = await t.http.post('/api/v1/consent/withdraw', { confirm: true }, { headers: admin });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ withdrawnAt: '2026-11-21T10:00:00.000Z', deletionDueBy: '2026-12-21T10:00:00.000Z' });

      expect((await t.http.get('/api/v1/me', { headers: admin })).data.error.code).toBe('consent_withdrawn');
      const fresh = await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID) } });
      expect(fresh.status).toBe(403);
      expect(fresh.data.error.code).toBe('consent_withdrawn');

      t.clock.advance(DAY);
      expect(await t.privacy.purge()).toEqual({ personalDataDeleted: 1, accountsPurged: 0, accountsSuspended: 0 });
      expect(await t.db.query('select * from registrations')).toHaveLength(0);
      expect(await t.db.query('select * from kommo_tokens')).toHaveLength(0);
      expect(await t.db.query('select name from account_users where name is not null')).toHaveLength(0);
      const [account] = await t.db.query<{ name: string | null; personal_data_deleted_at: Date }>('select name, personal_data_deleted_at from accounts');
      expect(account!.name).toBeNull();
      expect(account!.personal_data_deleted_at).not.toBeNull();
      const audit = await t.db.query<{ action: string }>('select action from audit_log order by id');
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['consent.withdrawn', 'personal_data.deleted']));
      // A second run has nothing more to do.
      expect(await t.privacy.purge()).toEqual({ personalDataDeleted: 0, accountsPurged: 0, accountsSuspended: 0 });
    });

    it('when an account was uninstalled 90 days ago, then its data is purged; at 89 days it is kept', async () => {
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      t.clock.advance(89 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(0);
      t.clock.advance(DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(1);
      expect(await t.db.query('select * from accounts')).toHaveLength(0);
      expect(await t.db.query('select * from registrations')).toHaveLength(0);
    });

    it('when a licence expired 90 days ago, then the account is purged; a running one is kept', async () => {
      t.clock.advance(7 * DAY + 89 * DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(0);
      t.clock.advance(DAY);
      expect((await t.privacy.purge()).accountsPurged).toBe(1);
    });
  });
}
