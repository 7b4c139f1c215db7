import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`POST /api/v1/session (${kind})`, () => {
    let t: TestApp;
    const open = (token: string, body: unknown = {}) => t.http.post('/api/v1/session', body, { headers: { 'X-Auth-Token': token } });

    beforeEach(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
    });
    afterEach(async () => {
      await t.close();
    });

    it('when Kommo’s one-time token is valid, then a session scoped to the account, user and role is returned', async () => {
      const response = await open(await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID), {
        user: { name: 'Dana Admin' },
        kommoPlan: { name: 'Advanced', paidTill: '2027-05-01T00:00:00Z' },
      });
      expect(response.status).toBe(201);
      const [account] = await t.db.query<{ id: string; kommo_plan_name: string; kommo_plan_seen_at: Date }>('select * from accounts');
      expect(response.data).toMatchObject({ accountId: account!.id, userId: DEMO_ADMIN_ID, role: 'admin', expiresAt: '2026-11-21T10:15:00.000Z' });
      expect(account!.kommo_plan_name).toBe('Advanced');
      expect(new Date(account!.kommo_plan_seen_at).toISOString()).toBe('2026-11-21T10:00:00.000Z');

      const me = await t.http.get('/api/v1/me', { headers: { Authorization: `Bearer ${response.data.token}` } });
      expect(me.status).toBe(200);
      expect(me.data.user).toMatchObject({ id: DEMO_ADMIN_ID, name: 'Dana Admin', role: 'admin', enabled: true });
      expect(me.data.account).toMatchObject({ subdomain: 'wabridge-demo', kommoPlan: { name: 'Advanced' } });
    });

    it('when the user is not an admin in Kommo, then the session has the agent role', async () => {
      const response = await open(await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_AGENT_ID));
      expect(response.status).toBe(201);
      expect(response.data.role).toBe('agent');
    });

    const refusals: [string, (t: TestApp) => Promise<string>, string][] = [
      [
        'forged with another secret',
        (t) => t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { secret: 'not-the-client-secret-at-all' }),
        'invalid_token',
      ],
      ['expired', (t) => t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { iatOffset: -3600 }), 'token_expired'],
      ['for another audience', (t) => t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { aud: 'https://elsewhere.example' }), 'wrong_audience'],
      [
        'for another integration',
        (t) => t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { clientUuid: '99999999-0000-4000-8000-000000000000' }),
        'wrong_client',
      ],
      ['not a JWT', async () => 'not-a-jwt', 'invalid_token'],
    ];
    for (const [what, mint, code] of refusals) {
      it(`when the token is ${what}, then 401 ${code} and no session`, async () => {
        // Only the installing admin, as install read them from Kommo; no sign-in is recorded.
        const users = () => t.db.query('select * from account_users');
        const before = await users();
        const response = await open(await mint(t));
        expect(response.status).toBe(401);
        expect(response.data).toEqual({ error: { code, message: expect.any(String) } });
        expect(await users()).toEqual(before);
      });
    }

    it('when a token is replayed, then the second use gets 401 token_replayed', async () => {
      const token = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      expect((await open(token)).status).toBe(201);
      const again = await open(token);
      expect(again.status).toBe(401);
      expect(again.data.error.code).toBe('token_replayed');
    });

    it('when the X-Auth-Token header is missing, then 401 missing_token', async () => {
      const response = await t.http.post('/api/v1/session', {});
      expect(response.status).toBe(401);
      expect(response.data.error.code).toBe('missing_token');
    });

    it('when the account has not installed the widget, then 403 account_not_installed', async () => {
      const other = await startTestApp(kind);
      try {
        const response = await other.http.post(
          '/api/v1/session',
          {},
          { headers: { 'X-Auth-Token': await other.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID) } },
        );
        expect(response.status).toBe(403);
        expect(response.data.error.code).toBe('account_not_installed');
      } finally {
        await other.close();
      }
    });

    it('when our session token expires, then API calls get 401 invalid_session', async () => {
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      expect((await t.http.get('/api/v1/me', { headers: auth })).status).toBe(200); // verified once, and remembered
      t.clock.advance(15 * 60_000 + 1000);
      const response = await t.http.get('/api/v1/me', { headers: auth });
      expect(response.status).toBe(401);
      expect(response.data.error.code).toBe('invalid_session');
    });

    it('when an API call has no session, then 401 missing_session', async () => {
      const response = await t.http.get('/api/v1/me');
      expect(response.status).toBe(401);
      expect(response.data.error.code).toBe('missing_session');
    });

    it('when the body reports a malformed plan, then 400 naming the field and nothing is stored', async () => {
      const response = await open(await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID), { kommoPlan: { name: 42 } });
      expect(response.status).toBe(400);
      expect(response.data.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.kommoPlan.name']);
      const [account] = await t.db.query<{ kommo_plan_name: string | null }>('select kommo_plan_name from accounts');
      expect(account!.kommo_plan_name).toBeNull();
    });
  });
}
