import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { listen } from '../../../fakes/http-server';
import { deriveKey } from '../../src/crypto/secret-box';
import { accountWithAudience, broadcastReady, phoneOf, springSale, waIdOf } from '../broadcast-helpers';
import { startTestApp, type TestApp } from '../harness';
import { storeKinds } from '../stores';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

/** Leads 10_001–10_006, one customer each; Kommo makes the admin responsible for 1–3 and the agent for 4–6. */
function audience() {
  const account = accountWithAudience(6);
  for (const lead of account.leads.slice(0, 3)) lead.responsibleUserId = DEMO_ADMIN_ID;
  return account;
}

/** Streams `chunk` again and again with no Content-Length (chunked) until the server answers or `upTo` bytes are sent. */
function streamUpload(url: URL, headers: Record<string, string>, chunk: Buffer, upTo: number) {
  return new Promise<{ status: number; body: string; written: number }>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, written }));
    });
    // Once the server answered, it closes the connection on the rest of the body: that is the point.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const pump = () => {
      while (!answered && written < upTo) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/**
 * Issue #15's hardening items as an attacker tries them (SPEC §7, §9): metrics read from outside, an
 * invoice link forged with another purpose's key, a number saved under someone else's WABA, an upload
 * with no Content-Length that never ends, and an agent reading customers beyond the cards Kommo shows
 * them. Each was seen to fail on the code before its defence (commit cfbd1e6).
 */
for (const kind of storeKinds()) {
  describe(`hardening attacks (${kind})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    let numbers: { id: string; phoneNumberId: string; wabaId: string }[];
    beforeAll(async () => {
      t = await startTestApp(kind, { accounts: [audience()], metrics: { token: METRICS_TOKEN, publicListener: true } });
      ({ auth: admin, numbers } = await broadcastReady(t));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('when METRICS_TOKEN is set, then /metrics without it or with a wrong one is 401 and shows no numbers; the token reads them', async () => {
      for (const headers of [
        {},
        { Authorization: 'Bearer wrong-token-wrong-token-wrong' },
        { Authorization: `Bearer ${METRICS_TOKEN}x` },
        { Authorization: METRICS_TOKEN },
      ]) {
        const refused = await t.http.get('/metrics', { headers });
        expect(refused.status).toBe(401);
        expect(refused.data.error.code).toBe('metrics_token');
        expect(JSON.stringify(refused.data)).not.toContain('http_requests_total');
      }
      const read = await t.http.get('/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(read.status).toBe(200);
      expect(read.data).toContain('claims_overdue');
    });

    it('when metrics have a listener of their own (METRICS_PORT; production with neither setting is the same), then the public port does not serve them; their listener does, with the token', async () => {
      const other = await startTestApp(kind, { metrics: { token: METRICS_TOKEN, publicListener: false } });
      const own = await listen(other.metricsApp);
      try {
        for (const headers of [{}, { Authorization: `Bearer ${METRICS_TOKEN}` }]) {
          const publicAnswer = await other.http.get('/metrics', { headers });
          expect(publicAnswer.status).toBe(404);
          expect(JSON.stringify(publicAnswer.data)).not.toContain('claims_overdue');
        }
        expect((await other.http.get(`${own.url}/metrics`)).status).toBe(401);
        const read = await other.http.get(`${own.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
        expect(read.status).toBe(200);
        expect(read.data).toContain('claims_overdue');
        // Nothing else of the app is reachable there.
        expect((await other.http.get(`${own.url}/health`)).status).toBe(404);
      } finally {
        await own.close();
        await other.close();
      }
    });

    it('when an invoice link is signed with the session key (or any key but the invoice key), then it is refused; the link we issue opens', async () => {
      const registered = await t.http.put(
        '/api/v1/registration',
        {
          lastName: 'Souza',
          firstName: 'Dana',
          email: 'dana@example.com',
          phone: '+5511912345678',
          city: 'Recife',
          termsVersion: '2026-11-01',
          acceptTerms: true,
        },
        { headers: admin },
      );
      expect(registered.status).toBe(200);
      const order = (await t.http.post('/api/v1/orders', { action: 'buy', plan: 'user', currency: 'USD', method: 'invoice' }, { headers: admin })).data as {
        id: string;
        invoiceUrl: string;
      };
      expect((await t.http.get(order.invoiceUrl.replace(t.url, ''))).status).toBe(200);

      const signWith = (key: Uint8Array) => createHmac('sha256', key).update(`invoice:${order.id}`).digest('base64url').slice(0, 32);
      for (const purpose of ['session', 'secrets']) {
        const forged = await t.http.get(`/invoices/${order.id}/${signWith(deriveKey(t.masterKey, purpose))}`);
        expect(forged.status).toBe(404);
        expect(JSON.stringify(forged.data)).not.toContain('Souza');
      }
    });

    it('when an admin connects a real number under a WABA id it does not belong to, then it is refused and nothing is saved; under its own WABA it connects', async () => {
      const ours = t.fakeWhatsApp.addNumber({ phoneNumberId: '101000000000001', wabaId: '201000000000001', token: 'EAAGours-token-ours-token-ours' });
      // Another business's WABA, whose numbers this token cannot read, and a WABA id that does not exist.
      t.fakeWhatsApp.addNumber({ phoneNumberId: '102000000000002', wabaId: '202000000000002', token: 'EAAGtheirs-token-theirs-token' });
      for (const wabaId of ['202000000000002', '299999999999999']) {
        const refused = await t.http.post('/api/v1/numbers', { phoneNumberId: ours.phoneNumberId, wabaId, accessToken: ours.token }, { headers: admin });
        expect(refused.status).toBe(400);
        expect(refused.data.error.code).toBe('number_not_in_waba');
        expect(refused.data.error.issues).toEqual([expect.objectContaining({ path: 'body.wabaId' })]);
        expect(await t.db.query('select 1 from whatsapp_numbers where phone_number_id = $1', [ours.phoneNumberId])).toHaveLength(0);
      }
      const connected = await t.http.post(
        '/api/v1/numbers',
        { phoneNumberId: ours.phoneNumberId, wabaId: ours.wabaId, accessToken: ours.token },
        { headers: admin },
      );
      expect(connected.status).toBe(201);
      expect(connected.data.wabaId).toBe(ours.wabaId);
    });

    it('when an agent lists the account’s conversations or previews a broadcast, then they see only customers they wrote to or whose lead Kommo gives them; the card’s phone shows its conversation; an admin sees all', async () => {
      const number = numbers[0]!;
      for (const i of [1, 2]) await t.fakeWhatsApp.customerWrites(number.phoneNumberId, phoneOf(i), `Hello from ${i}`, { name: `Customer ${i}` });
      await t.settle();
      const { auth: agent } = await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
      const listed = async (auth: Record<string, string>, query = '') =>
        ((await t.http.get(`/api/v1/conversations${query}`, { headers: auth })).data.conversations as { waId: string }[]).map((c) => c.waId).sort();

      expect(await listed(admin)).toEqual([waIdOf(1), waIdOf(2)]);
      expect(await listed(agent)).toEqual([]);
      // The card of customer 1, opened in Kommo, shows its conversation to the agent.
      const card = await t.http.post('/api/v1/conversations', { numberId: number.id, phone: phoneOf(1) }, { headers: agent });
      expect(card.status).toBe(201);
      expect(await listed(agent, `?phone=${encodeURIComponent(phoneOf(1))}`)).toEqual([waIdOf(1)]);
      // Once the agent wrote to customer 1, customer 1 is in their list; customer 2 is not.
      expect((await t.http.post(`/api/v1/conversations/${card.data.id}/messages`, { type: 'text', text: 'Hi, Alex here' }, { headers: agent })).status).toBe(
        201,
      );
      expect(await listed(agent)).toEqual([waIdOf(1)]);

      // Leads 1–6 as ids (anyone can type ids): the agent’s preview shows customer 1 (wrote to) and 4, 5 (their leads).
      const created = await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001, 10_002, 10_003, 10_004, 10_005, 10_006]), { headers: agent });
      expect(created.status).toBe(201);
      const names = (view: { dryRun: { preview: { name: string }[] } }) => view.dryRun.preview.map((p) => p.name);
      expect(names(created.data)).toEqual(['Customer 1', 'Customer 4', 'Customer 5']);
      expect(created.data.dryRun.recipients).toBe(6);
      expect(names((await t.http.get(`/api/v1/broadcasts/${created.data.id}`, { headers: agent })).data)).toEqual(['Customer 1', 'Customer 4', 'Customer 5']);
      expect(names((await t.http.get(`/api/v1/broadcasts/${created.data.id}`, { headers: admin })).data)).toEqual(['Customer 1', 'Customer 2', 'Customer 3']);
    });

    it('when an upload has no Content-Length and does not end, then it is cut at its kind’s limit (413) and nothing reaches Meta; a chunked file within the limit is sent whole', async () => {
      const number = numbers[0]!;
      await t.fakeWhatsApp.customerWrites(number.phoneNumberId, phoneOf(3), 'Send me the photo', { name: 'Customer 3' });
      await t.settle();
      const conversation = (await t.http.post('/api/v1/conversations', { numberId: number.id, phone: phoneOf(3) }, { headers: admin })).data as { id: string };
      const url = (kind: string) => new URL(`/api/v1/conversations/${conversation.id}/media?kind=${kind}`, t.url);
      const uploadedBefore = t.fakeWhatsApp.media.size;

      // An image (WhatsApp takes 5 MB) that would go on to 64 MB: the answer comes long before the end.
      const cut = await streamUpload(url('image'), { ...admin, 'Content-Type': 'image/png' }, Buffer.alloc(64 * 1024, 7), 64 * 1024 * 1024);
      expect(cut.status).toBe(413);
      expect(JSON.parse(cut.body).error.code).toBe('media_too_large');
      expect(cut.written).toBeLessThan(64 * 1024 * 1024);
      expect(t.fakeWhatsApp.media.size).toBe(uploadedBefore);

      // 1.5 MB sent in chunks, no Content-Length: accepted, and Meta gets every byte.
      const whole = await streamUpload(url('image'), { ...admin, 'Content-Type': 'image/png' }, Buffer.alloc(96 * 1024, 9), 1536 * 1024);
      expect(whole.status).toBe(201);
      const sent = JSON.parse(whole.body) as { content: { mediaId: string; size: number } };
      expect(sent.content.size).toBe(1536 * 1024);
      expect(t.fakeWhatsApp.media.get(sent.content.mediaId)?.size).toBe(1536 * 1024);
    });
  });
}
