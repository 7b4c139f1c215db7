import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`Kommo install hook (${kind})`, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp(kind);
    });
    afterEach(async () => {
      await t.close();
    });

    it('when Kommo calls the hook with a valid code, then the account is created with its Kommo details and encrypted tokens', async () => {
      const result = await t.install(DEMO_ACCOUNT_ID);
      expect(result.status).toBe(200);

      const accounts = await t.db.query<Record<string, unknown>>('select * from accounts');
      expect(accounts).toHaveLength(1);
      expect(accounts[0]).toMatchObject({
        kommo_account_id: expect.anything(),
        subdomain: 'wabridge-demo',
        host: 'wabridge-demo.kommo.com',
        name: 'Wabridge Demo Company',
        country: 'BR',
        currency: 'USD',
        language: 'en',
        timezone: 'America/Sao_Paulo',
        status: 'active',
      });
      expect(Number(accounts[0]!.kommo_account_id)).toBe(DEMO_ACCOUNT_ID);

      const issued = t.fake.issued.at(-1)!;
      const [tokens] = await t.db.query<{ access_token_enc: string; refresh_token_enc: string }>('select * from kommo_tokens');
      expect(t.box.decrypt(tokens!.access_token_enc)).toBe(issued.accessToken);
      expect(t.box.decrypt(tokens!.refresh_token_enc)).toBe(issued.refreshToken);

      // Neither token, nor the code, is anywhere in the database in clear.
      const everything = JSON.stringify([
        ...(await t.db.query('select * from accounts')),
        ...(await t.db.query('select * from kommo_tokens')),
        ...(await t.db.query('select * from kommo_install_requests')),
        ...(await t.db.query('select * from audit_log')),
      ]);
      expect(everything).not.toContain(issued.accessToken);
      expect(everything).not.toContain(issued.refreshToken);
      const audit = await t.db.query<{ action: string }>('select action from audit_log');
      expect(audit.map((a) => a.action)).toEqual(['account.installed']);
    });

    it('when the code is not one Kommo issued, then nothing is half-made and the failure is logged', async () => {
      const response = await t.http.get('/kommo/install', { params: { code: 'def-not-a-real-code', referer: 'wabridge-demo.kommo.com', from_widget: '1' } });
      expect(response.status).toBe(200);
      await t.tasks.idle();

      expect(await t.db.query('select * from accounts')).toHaveLength(0);
      expect(await t.db.query('select * from kommo_tokens')).toHaveLength(0);
      const [request] = await t.db.query<{ status: string; error: string }>('select status, error from kommo_install_requests');
      expect(request).toMatchObject({ status: 'failed' });
      expect(request!.error).toContain('400');
      expect(t.logs.some((l) => l.msg === 'Kommo install failed' && l.level === 40)).toBe(true);
    });

    it('when a code is sent twice, then it is stored and exchanged once and the account is untouched', async () => {
      const code = t.fake.mintCode(DEMO_ACCOUNT_ID);
      t.fake.accounts.get(DEMO_ACCOUNT_ID)!.installed = true;
      expect((await t.http.get('/kommo/install', { params: { code, referer: 'wabridge-demo.kommo.com' } })).status).toBe(200);
      await t.tasks.idle();
      expect((await t.http.get('/kommo/install', { params: { code, referer: 'wabridge-demo.kommo.com' } })).status).toBe(200);
      await t.tasks.idle();
      const requests = await t.db.query<{ status: string }>('select status from kommo_install_requests');
      expect(requests.map((r) => r.status)).toEqual(['done']);
      expect(await t.db.query('select * from accounts')).toHaveLength(1);
      expect(await t.db.query('select * from kommo_tokens')).toHaveLength(1);
    });

    it('when one address calls the install hook over and over, then it is refused with 429 after a burst and nothing more is stored; finished calls are forgotten after 30 days', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 14; i++)
        statuses.push((await t.http.get('/kommo/install', { params: { code: `forged-${i}`, referer: 'wabridge-demo.kommo.com' } })).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
      await t.tasks.idle();
      expect(await t.db.query('select * from kommo_install_requests')).toHaveLength(10);
      // The bucket refills with time.
      t.clock.advance(4000);
      expect((await t.http.get('/kommo/install', { params: { code: 'forged-later', referer: 'wabridge-demo.kommo.com' } })).status).toBe(200);
      await t.tasks.idle();
      t.clock.advance(31 * 86_400_000);
      expect(await t.installs.purgeOldRequests()).toBe(11);
      expect(await t.db.query('select * from kommo_install_requests')).toHaveLength(0);
    });

    it('when the token exchange is slow, then the hook answers at once and the account appears once Kommo answers', async () => {
      const release = t.fake.holdTokenExchange();
      const result = await t.fake.install(DEMO_ACCOUNT_ID);
      // The hook answered although Kommo has not answered the exchange yet.
      expect(result.status).toBe(200);
      expect(await t.db.query('select * from accounts')).toHaveLength(0);
      const [pending] = await t.db.query<{ status: string }>('select status from kommo_install_requests');
      expect(pending!.status).toBe('pending');

      release();
      await t.tasks.idle();
      expect(await t.db.query('select * from accounts')).toHaveLength(1);
    });

    it('when the process stopped before exchanging a stored code, then resuming exchanges it', async () => {
      const release = t.fake.holdTokenExchange();
      await t.fake.install(DEMO_ACCOUNT_ID);
      // A second process finds the request leased by the first and leaves it alone...
      await t.installs.resumePending();
      release();
      await t.tasks.idle();
      expect(await t.db.query('select * from accounts')).toHaveLength(1);
      // ...and once done there is nothing left to resume.
      await t.installs.resumePending();
      await t.tasks.idle();
      expect(t.fake.issued).toHaveLength(1);
    });

    it('when the referer is not a Kommo account host, then the call is refused and nothing is stored', async () => {
      const response = await t.http.get('/kommo/install', { params: { code: 'abc', referer: 'attacker.example.com' } });
      expect(response.status).toBe(400);
      expect(response.data.error.code).toBe('invalid_request');
      expect(response.data.error.issues[0].path).toBe('query.referer');
      expect(await t.db.query('select * from kommo_install_requests')).toHaveLength(0);
    });

    it('when an admin installs, then their Kommo id, name and login are recorded and the account view shows them', async () => {
      await t.install(DEMO_ACCOUNT_ID);
      const [row] = await t.db.query<{ installed_by_user_id: string; installed_by_name: string; installed_by_login: string }>(
        'select installed_by_user_id, installed_by_name, installed_by_login from accounts',
      );
      expect({ ...row, installed_by_user_id: Number(row!.installed_by_user_id) }).toEqual({
        installed_by_user_id: DEMO_ADMIN_ID,
        installed_by_name: 'Dana Admin',
        installed_by_login: 'dana.admin@wabridge-demo.example',
      });
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const me = await t.http.get('/api/v1/me', { headers: auth });
      expect(me.data.account.installedBy).toEqual({ id: DEMO_ADMIN_ID, name: 'Dana Admin', login: 'dana.admin@wabridge-demo.example' });
    });

    it('when another admin reinstalls after an uninstall, then the installing admin recorded is the one who installed last', async () => {
      await t.close();
      const second = { id: 8_100_009, name: 'Rui Second Admin', isAdmin: true, login: 'rui@wabridge-demo.example' };
      const account = demoKommoAccount();
      account.users.push(second);
      t = await startTestApp(kind, { accounts: [account] });
      await t.install(DEMO_ACCOUNT_ID);
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      await t.install(DEMO_ACCOUNT_ID, {}, second.id);
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      expect((await t.http.get('/api/v1/me', { headers: auth })).data.account.installedBy).toEqual({ id: second.id, name: second.name, login: second.login });
    });

    it('when the account reinstalls after an uninstall, then the same account is reactivated with new tokens', async () => {
      await t.install(DEMO_ACCOUNT_ID);
      const [before] = await t.db.query<{ id: string }>('select id from accounts');
      expect((await t.fake.uninstall(DEMO_ACCOUNT_ID)).status).toBe(204);
      expect(await t.db.query('select * from kommo_tokens')).toHaveLength(0);

      t.clock.advance(86_400_000);
      await t.install(DEMO_ACCOUNT_ID);
      const accounts = await t.db.query<{ id: string; status: string; uninstalled_at: unknown; installed_at: Date }>('select * from accounts');
      expect(accounts).toHaveLength(1);
      expect(accounts[0]).toMatchObject({ id: before!.id, status: 'active', uninstalled_at: null });
      expect(new Date(accounts[0]!.installed_at).toISOString()).toBe('2026-11-22T10:00:00.000Z');
      const [tokens] = await t.db.query<{ access_token_enc: string }>('select * from kommo_tokens');
      expect(t.box.decrypt(tokens!.access_token_enc)).toBe(t.fake.issued.at(-1)!.accessToken);
    });
  });
}
