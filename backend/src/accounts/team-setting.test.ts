import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

for (const kind of storeKinds()) {
  describe(`Kommo's team setting mirrored (${kind})`, () => {
    let t: TestApp;
    const put = async (team: Record<string, string>, userId = DEMO_ADMIN_ID) =>
      t.http.put('/api/v1/team/kommo-setting', { team }, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, userId) } });

    beforeEach(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
    });
    afterEach(async () => {
      await t.close();
    });

    it('when the admin saves “no” for a user who never opened the widget, then that user is blocked before their first session', async () => {
      const response = await put({ [DEMO_ADMIN_ID]: '', [DEMO_AGENT_ID]: 'no' });
      expect(response.status).toBe(200);
      expect(response.data.users).toEqual(expect.arrayContaining([expect.objectContaining({ id: DEMO_AGENT_ID, enabled: false })]));
      const session = await t.http.post(
        '/api/v1/session',
        {},
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_AGENT_ID) } },
      );
      expect(session.status).toBe(403);
      expect(session.data.error.code).toBe('user_disabled');

      expect((await put({ [DEMO_AGENT_ID]: ' ' })).status).toBe(200);
      const again = await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_AGENT_ID) } });
      expect(again.status).toBe(201);
    });

    it('when the admin types “no” for themself, then they stay allowed', async () => {
      const response = await put({ [DEMO_ADMIN_ID]: 'NO' });
      expect(response.data.users).toEqual([expect.objectContaining({ id: DEMO_ADMIN_ID, enabled: true })]);
    });

    it('when an agent sends the setting, then 403 and nothing changes', async () => {
      const users = () => t.db.query('select * from account_users');
      const before = await users();
      const response = await put({ [DEMO_ADMIN_ID]: 'no' }, DEMO_AGENT_ID);
      expect(response.status).toBe(403);
      expect(await users()).toEqual(before);
    });

    it('when the setting is malformed, then 400 and the Kommo token is not used up', async () => {
      const token = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const response = await t.http.put('/api/v1/team/kommo-setting', { team: { alice: 'no' } }, { headers: { 'X-Auth-Token': token } });
      expect(response.status).toBe(400);
      expect(response.data.error.issues[0].path).toMatch(/^body\.team/);
      expect((await t.http.post('/api/v1/session', {}, { headers: { 'X-Auth-Token': token } })).status).toBe(201);
    });
  });
}
