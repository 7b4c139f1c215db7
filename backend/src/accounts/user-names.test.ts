import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

const DAY = 86_400_000;

for (const kind of storeKinds()) {
  describe(`user names come from Kommo's users API (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const signIn = async (userId: number, body: unknown = {}) => {
      const response = await t.http.post('/api/v1/session', body, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, userId) } });
      expect(response.status).toBe(201);
      return { Authorization: `Bearer ${response.data.token}` };
    };
    const nameOf = async (userId: number) =>
      (await t.db.query<{ name: string | null }>('select name from account_users where kommo_user_id = $1', [userId]))[0]?.name;
    const kommoUser = (id: number) => t.fake.accounts.get(DEMO_ACCOUNT_ID)!.users.find((u) => u.id === id)!;

    it('when Kommo installs the widget, then the installing admin’s name is the one Kommo gives, before they first sign in', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      expect(await nameOf(DEMO_ADMIN_ID)).toBe('Dana Admin');
    });

    it('when a browser reports a name at sign-in, then it is ignored and the user has Kommo’s name from their first sign-in', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      const auth = await signIn(DEMO_AGENT_ID, { user: { name: 'Dana Admin (CEO)' } });
      expect((await t.http.get('/api/v1/me', { headers: auth })).data.user.name).toBe('Alex Agent');
    });

    it('when a user is renamed in Kommo, then a sign-in within the day keeps the name read, and one after a day shows the new name', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      await signIn(DEMO_AGENT_ID);
      kommoUser(DEMO_AGENT_ID).name = 'Alexandra Agent';

      t.clock.advance(DAY - 60_000);
      await signIn(DEMO_AGENT_ID);
      await t.tasks.idle();
      expect(await nameOf(DEMO_AGENT_ID)).toBe('Alex Agent');

      t.clock.advance(60_000);
      await signIn(DEMO_AGENT_ID);
      await t.tasks.idle();
      expect(await nameOf(DEMO_AGENT_ID)).toBe('Alexandra Agent');
    });

    it('when Kommo cannot give the user’s name, then the sign-in still works and the name stays unknown (not the browser’s)', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      // A user Kommo's token vouches for, but its users API does not know: it answers 404.
      const stranger = 8_100_099;
      const auth = await signIn(stranger, { user: { name: 'Dana Admin' } });
      await t.tasks.idle();
      expect((await t.http.get('/api/v1/me', { headers: auth })).data.user).toMatchObject({ id: stranger, name: null });
    });
  });
}
