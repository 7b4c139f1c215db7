import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const A = demoKommoAccount({
  id: 41_000_001,
  subdomain: 'acme',
  name: 'Acme',
  users: [
    { id: 501, name: 'Ann Admin', isAdmin: true },
    { id: 502, name: 'Art Agent', isAdmin: false },
  ],
});
const B = demoKommoAccount({
  id: 42_000_002,
  subdomain: 'bolt',
  name: 'Bolt',
  users: [
    { id: 601, name: 'Bea Admin', isAdmin: true },
    { id: 602, name: 'Ben Agent', isAdmin: false },
  ],
});

for (const kind of storeKinds()) {
  describe(`account isolation (${kind})`, () => {
    let t: TestApp;
    let a: { auth: Record<string, string> };
    let b: { auth: Record<string, string> };
    const snapshotB = async () =>
      JSON.stringify(
        await t.db.query(`select u.* from account_users u join accounts a on a.id = u.account_id where a.subdomain = 'bolt' order by kommo_user_id`),
      );

    beforeEach(async () => {
      t = await startTestApp(kind, { accounts: [A, B] });
      await t.install(A.id);
      await t.install(B.id);
      a = await t.session(A.id, 501);
      b = await t.session(B.id, 601);
      await t.session(B.id, 602);
    });
    afterEach(async () => {
      await t.close();
    });

    // Every account-scoped route, called by A's admin with B's ids.
    const crossAccountCalls: [string, (t: TestApp) => Promise<{ status: number }>][] = [
      ['GET /api/v1/users/:userId', (t) => t.http.get('/api/v1/users/601', { headers: a.auth })],
      ['GET /api/v1/users/:userId (agent)', (t) => t.http.get('/api/v1/users/602', { headers: a.auth })],
      ['PATCH /api/v1/users/:userId', (t) => t.http.patch('/api/v1/users/602', { enabled: false }, { headers: a.auth })],
    ];
    for (const [route, call] of crossAccountCalls) {
      it(`when account A’s session asks for account B’s ${route}, then 404 and B is unchanged`, async () => {
        const before = await snapshotB();
        const response = await call(t);
        expect(response.status).toBe(404);
        expect(await snapshotB()).toBe(before);
      });
    }

    it('when account A lists its users or reads itself, then nothing of account B appears', async () => {
      const users = await t.http.get('/api/v1/users', { headers: a.auth });
      expect(users.status).toBe(200);
      expect(users.data.users.map((u: { id: number }) => u.id)).toEqual([501]);
      const me = await t.http.get('/api/v1/me', { headers: a.auth });
      expect(me.data.account.subdomain).toBe('acme');
      const meB = await t.http.get('/api/v1/me', { headers: b.auth });
      expect(meB.data.account.subdomain).toBe('bolt');
    });

    it('when an agent asks for the user list, then 403 admin_only', async () => {
      const agent = await t.session(A.id, 502);
      const response = await t.http.get('/api/v1/users', { headers: agent.auth });
      expect(response.status).toBe(403);
      expect(response.data.error.code).toBe('admin_only');
    });

    it('when the admin disables a user, then that user’s session and new sessions are refused, and it is audited', async () => {
      const agent = await t.session(A.id, 502);
      const response = await t.http.patch('/api/v1/users/502', { enabled: false }, { headers: a.auth });
      expect(response.status).toBe(200);
      expect(response.data).toMatchObject({ id: 502, enabled: false });
      expect((await t.http.get('/api/v1/me', { headers: agent.auth })).data.error.code).toBe('user_disabled');
      const fresh = await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(A.id, 502) } });
      expect(fresh.status).toBe(403);
      expect(fresh.data.error.code).toBe('user_disabled');
      const audit = await t.db.query<{ action: string; actor: string }>(`select action, actor from audit_log where action like 'user.%'`);
      expect(audit).toEqual([{ action: 'user.disabled', actor: 'user:501' }]);
    });

    it('when the admin tries to disable themself, then 400 and nothing changes', async () => {
      const response = await t.http.patch('/api/v1/users/501', { enabled: false }, { headers: a.auth });
      expect(response.status).toBe(400);
      expect(response.data.error.code).toBe('cannot_disable_self');
      expect((await t.http.get('/api/v1/me', { headers: a.auth })).status).toBe(200);
    });
  });
}
