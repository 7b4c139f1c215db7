import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { CLIENT_ID, CLIENT_SECRET, startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { createKommoAccess, type KommoAccess } from './kommo-access';
import { createKommoHttpApi } from './kommo-http-api';

for (const kind of storeKinds()) {
  describe(`Kommo access tokens (${kind})`, () => {
    let t: TestApp;
    let access: KommoAccess;
    let accountId: string;

    beforeEach(async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      accountId = (await t.db.query<{ id: string }>('select id from accounts'))[0]!.id;
      const kommo = createKommoHttpApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${t.url}/kommo/install`, apiBase: t.fake.url });
      access = createKommoAccess({ db: t.db, kommo, box: t.box, clock: t.clock, logger: pino({ level: 'silent' }) });
    });
    afterEach(async () => {
      await t.close();
    });

    const storedRefreshToken = async () =>
      t.box.decrypt((await t.db.query<{ refresh_token_enc: string }>('select refresh_token_enc from kommo_tokens'))[0]!.refresh_token_enc);

    it('when the access token is fresh, then it is used as stored and Kommo is not asked', async () => {
      const token = await access.accessToken(accountId);
      expect(token).toEqual({ host: 'wabridge-demo.kommo.com', accessToken: t.fake.issued[0]!.accessToken });
      expect(t.fake.issued).toHaveLength(1);
    });

    it('when the access token is about to expire, then it is refreshed and the rotated pair is stored encrypted', async () => {
      t.clock.advance(24 * 3600_000 - 5 * 60_000);
      const token = await access.accessToken(accountId);
      expect(t.fake.issued).toHaveLength(2);
      expect(token.accessToken).toBe(t.fake.issued[1]!.accessToken);
      expect(await storedRefreshToken()).toBe(t.fake.issued[1]!.refreshToken);
      // The new token works against Kommo.
      const response = await fetch(`${t.fake.url}/api/v4/account`, { headers: { Authorization: `Bearer ${token.accessToken}` } });
      expect(response.status).toBe(200);
      // A second refresh rotates again, from the stored (newest) refresh token.
      t.clock.advance(24 * 3600_000);
      await access.accessToken(accountId);
      expect(t.fake.issued).toHaveLength(3);
      expect(await storedRefreshToken()).toBe(t.fake.issued[2]!.refreshToken);
    });

    it('when two callers refresh at once, then one pair is stored and both get a working token', async () => {
      t.clock.advance(24 * 3600_000);
      const [a, b] = await Promise.all([access.accessToken(accountId), access.accessToken(accountId)]);
      const stored = await storedRefreshToken();
      expect(t.fake.issued.slice(1).some((p) => p.refreshToken === stored)).toBe(true);
      for (const token of [a, b]) {
        const response = await fetch(`${t.fake.url}/api/v4/account`, { headers: { Authorization: `Bearer ${token.accessToken}` } });
        expect(response.status).toBe(200);
      }
    });

    it('when the account was uninstalled, then no token is handed out', async () => {
      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      await expect(access.accessToken(accountId)).rejects.toMatchObject({ code: 'kommo_not_connected' });
    });
  });
}
