import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { CLIENT_ID, CLIENT_SECRET, startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`Kommo uninstall hook (${kind})`, () => {
    let t: TestApp;
    const snapshot = async () => JSON.stringify([await t.db.query('select * from accounts'), await t.db.query('select * from kommo_tokens')]);

    beforeEach(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
    });
    afterEach(async () => {
      await t.close();
    });

    it('when the signature is forged, then the call gets 401 and nothing changes', async () => {
      const before = await snapshot();
      const result = await t.fake.uninstall(DEMO_ACCOUNT_ID, { badSignature: true });
      expect(result.status).toBe(401);
      expect(await snapshot()).toBe(before);
    });

    it('when the client uuid is another integration’s, then the call gets 401 and nothing changes', async () => {
      const before = await snapshot();
      const other = '11111111-2222-4333-8444-555555555555';
      const signature = createHmac('sha256', CLIENT_SECRET).update(`${other}|${DEMO_ACCOUNT_ID}`).digest('hex');
      const response = await t.http.get('/kommo/uninstall', { params: { client_uuid: other, account_id: DEMO_ACCOUNT_ID, signature } });
      expect(response.status).toBe(401);
      expect(response.data.error.code).toBe('invalid_signature');
      expect(await snapshot()).toBe(before);
    });

    it('when the call is malformed, then it gets 401 in the error shape and nothing changes', async () => {
      const before = await snapshot();
      const response = await t.http.get('/kommo/uninstall', { params: { account_id: 'x' } });
      expect(response.status).toBe(401);
      expect(response.data).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
      expect(await snapshot()).toBe(before);
    });

    it('when Kommo calls it correctly, then the account is uninstalled, its tokens dropped, its data kept, and sessions stop working', async () => {
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const signature = createHmac('sha256', CLIENT_SECRET).update(`${CLIENT_ID}|${DEMO_ACCOUNT_ID}`).digest('hex');
      const response = await t.http.get('/kommo/uninstall', { params: { client_uuid: CLIENT_ID, account_id: DEMO_ACCOUNT_ID, signature } });
      expect(response.status).toBe(204);

      const [account] = await t.db.query<{ status: string; uninstalled_at: Date }>('select * from accounts');
      expect(account!.status).toBe('uninstalled');
      expect(new Date(account!.uninstalled_at).toISOString()).toBe(t.clock.now().toISOString());
      expect(await t.db.query('select * from kommo_tokens')).toHaveLength(0);
      expect(await t.db.query('select * from account_users')).toHaveLength(1);
      const audit = await t.db.query<{ action: string; actor: string }>('select action, actor from audit_log order by id');
      expect(audit.at(-1)).toEqual({ action: 'account.uninstalled', actor: 'kommo' });

      const me = await t.http.get('/api/v1/me', { headers: auth });
      expect(me.status).toBe(401);
      expect(me.data.error.code).toBe('account_uninstalled');
      const fresh = await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID) } });
      expect(fresh.status).toBe(403);
      expect(fresh.data.error.code).toBe('account_uninstalled');
    });
  });
}
