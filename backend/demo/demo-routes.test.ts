import express from 'express';
import { decodeJwt } from 'jose';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../fakes/kommo/fake-kommo-data';
import { listen } from '../../fakes/http-server';
import { startTestApp, type TestApp } from '../test/harness';
import { storeKinds } from '../test/stores';
import { DEMO_ACCOUNT_COOKIE, demoRoutes } from './demo-routes';

for (const kind of storeKinds()) {
  describe(`the demo's accounts (${kind})`, () => {
    let t: TestApp;
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      await t?.close();
    });

    /** The demo router over HTTP, on the test app's fakes and store. */
    async function demo() {
      t = await startTestApp(kind);
      t.fakeWhatsApp.addNumber({ phoneNumberId: '109000000000001', wabaId: '209000000000001', displayPhoneNumber: '+1 555-010-0001' });
      const app = express();
      app.use(express.json());
      app.use('/demo', demoRoutes({ fake: t.fake, tasks: t.tasks, db: t.db, whatsapp: t.fakeWhatsApp }));
      const server = await listen(app);
      close = server.close;
      return axios.create({ baseURL: `${server.url}/demo`, validateStatus: () => true });
    }

    it('when a fresh demo account is made and installed, then the calls naming it by cookie act on it alone, with a sandbox number of its own, and the demo account stays as it was', async () => {
      const http = await demo();
      const made = await http.post('/accounts');
      expect(made.status).toBe(201);
      const id: number = made.data.id;
      expect(id).not.toBe(DEMO_ACCOUNT_ID);
      const own = { headers: { Cookie: `${DEMO_ACCOUNT_COOKIE}=${id}` } };

      const before = (await http.get('/kommo/state', own)).data;
      expect(before.account.id).toBe(id);
      expect(before.installed).toBe(false);
      const demoState = (await http.get('/kommo/state')).data;
      expect(demoState.account.id).toBe(DEMO_ACCOUNT_ID);
      expect(before.account.subdomain).not.toBe(demoState.account.subdomain);
      expect(before.sandboxNumber.phoneNumberId).not.toBe(demoState.sandboxNumber.phoneNumberId);

      // Kommo's install flow, for that account only.
      expect((await http.post('/kommo/install', {}, own)).data.installed).toBe(true);
      await t.accountId(id);
      expect((await http.get('/kommo/state')).data.installed).toBe(false);

      // The loader's one-time tokens are that account's.
      const { token } = (await http.post('/kommo/token', { userId: DEMO_ADMIN_ID }, own)).data;
      expect(decodeJwt(token).account_id).toBe(id);
    });
  });
}
