import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { broadcastReady } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

/** A second admin, who can disable the first. */
const SAM_ADMIN_ID = 8_100_003;

for (const kind of storeKinds()) {
  describe(`access follows Kommo and the admin on the next request (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const kommoUser = (id: number) => t.fake.accounts.get(DEMO_ACCOUNT_ID)!.users.find((u) => u.id === id)!;

    it('when an admin is demoted in Kommo and signs in again, then the session token they held before can no longer do admin things', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      const before = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      expect((await t.http.get('/api/v1/users', { headers: before })).status).toBe(200);

      kommoUser(DEMO_ADMIN_ID).isAdmin = false;
      await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);

      const refused = await t.http.get('/api/v1/users', { headers: before });
      expect(refused.status).toBe(403);
      expect(refused.data.error.code).toBe('admin_only');
      expect((await t.http.get('/api/v1/me', { headers: before })).data.user.role).toBe('agent');
    });

    it('when an agent is promoted in Kommo and signs in again, then the token they held before gets the admin role on its next request', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      const before = (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth;
      expect((await t.http.get('/api/v1/users', { headers: before })).status).toBe(403);

      kommoUser(DEMO_AGENT_ID).isAdmin = true;
      await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);

      expect((await t.http.get('/api/v1/users', { headers: before })).status).toBe(200);
    });

    it('when the admin disables a user, then the user’s session gets 403 user_disabled on its next request, and works again once enabled', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      const admin = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
      const agent = (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth;
      await t.http.patch(`/api/v1/users/${DEMO_AGENT_ID}`, { enabled: false }, { headers: admin });
      const refused = await t.http.get('/api/v1/me', { headers: agent });
      expect(refused.status).toBe(403);
      expect(refused.data.error.code).toBe('user_disabled');
      await t.http.patch(`/api/v1/users/${DEMO_AGENT_ID}`, { enabled: true }, { headers: admin });
      expect((await t.http.get('/api/v1/me', { headers: agent })).status).toBe(200);
    });

    describe('API keys work only while their creator is an enabled admin (checked at each use)', () => {
      async function withKey() {
        t = await startTestApp(kind, {
          accounts: [demoKommoAccount({ users: [...demoKommoAccount().users, { id: SAM_ADMIN_ID, name: 'Sam Admin', isAdmin: true }] })],
        });
        const { auth } = await broadcastReady(t);
        const created = await t.http.post('/api/v1/api-keys', { name: 'Zapier' }, { headers: auth });
        expect(created.status).toBe(201);
        const key = { Authorization: `Bearer ${created.data.key}` };
        expect((await t.http.get('/api/v1/numbers', { headers: key })).status).toBe(200);
        return key;
      }

      it('when the admin who created a key is demoted in Kommo, then the key gets 401 api_key_suspended; promoted again, it works again', async () => {
        const key = await withKey();
        kommoUser(DEMO_ADMIN_ID).isAdmin = false;
        await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
        const refused = await t.http.get('/api/v1/numbers', { headers: key });
        expect(refused.status).toBe(401);
        expect(refused.data.error.code).toBe('api_key_suspended');

        kommoUser(DEMO_ADMIN_ID).isAdmin = true;
        await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
        expect((await t.http.get('/api/v1/numbers', { headers: key })).status).toBe(200);
      });

      it('when another admin disables the key’s creator, then the key gets 401 api_key_suspended', async () => {
        const key = await withKey();
        const sam = (await t.session(DEMO_ACCOUNT_ID, SAM_ADMIN_ID)).auth;
        expect((await t.http.patch(`/api/v1/users/${DEMO_ADMIN_ID}`, { enabled: false }, { headers: sam })).status).toBe(200);
        const refused = await t.http.get('/api/v1/numbers', { headers: key });
        expect(refused.status).toBe(401);
        expect(refused.data.error.code).toBe('api_key_suspended');
      });
    });
  });
}
