import { createHash } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, phoneOf, springSale } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { PUBLIC_ROUTES } from './openapi';

const B = demoKommoAccount({
  id: 31_000_002,
  subdomain: 'other',
  name: 'Other Co',
  users: [{ id: 8_200_001, name: 'Bea', isAdmin: true }],
  contacts: [],
  leads: [],
});

for (const kind of storeKinds()) {
  describe(`public API with API keys (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function keyFor(auth: Record<string, string>, name = 'Zapier') {
      const created = await t.http.post('/api/v1/api-keys', { name }, { headers: auth });
      expect(created.status, JSON.stringify(created.data)).toBe(201);
      return { id: created.data.id as string, key: created.data.key as string, auth: { Authorization: `Bearer ${created.data.key}` } };
    }

    /** The customer wrote first, so free-form text may go (the 24-hour window is open). */
    async function customerWrote(numberPnid: string) {
      await t.fakeWhatsApp.customerWrites(numberPnid, phoneOf(1), 'Hi, any news?');
      await t.settle();
    }

    it('when the admin creates a key, then it is shown once, listed by prefix only, and sends a message that the chat shows', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await keyFor(auth);
      expect(key.key).toMatch(/^wbk_[A-Za-z0-9_-]{43}$/);
      const listed = (await t.http.get('/api/v1/api-keys', { headers: auth })).data.keys;
      expect(listed).toEqual([expect.objectContaining({ id: key.id, name: 'Zapier', prefix: key.key.slice(0, 10), revokedAt: null })]);
      expect(JSON.stringify(listed)).not.toContain(key.key);
      const [stored] = await t.db.query<{ hash: string }>('select hash from api_keys');
      expect(stored!.hash).not.toContain(key.key.slice(4));

      await customerWrote(numbers[0]!.phoneNumberId);
      const sent = await t.http.post(
        '/api/v1/messages',
        { type: 'text', numberId: numbers[0]!.id, to: phoneOf(1), text: 'Sent through the API' },
        { headers: key.auth },
      );
      expect(sent.status, JSON.stringify(sent.data)).toBe(201);
      expect(sent.data).toMatchObject({ direction: 'out', type: 'text', content: { body: 'Sent through the API' } });
      expect(t.fakeWhatsApp.sent.filter((s) => (s.body.text as { body?: string } | undefined)?.body === 'Sent through the API')).toHaveLength(1);
      const conversations = (await t.http.get('/api/v1/conversations', { headers: auth })).data.conversations;
      const messages = (await t.http.get(`/api/v1/conversations/${conversations[0].id}/messages`, { headers: auth })).data.messages;
      expect(messages.map((m: { content: { body?: string } }) => m.content.body)).toContain('Sent through the API');
      expect((await t.http.get('/api/v1/api-keys', { headers: auth })).data.keys[0].lastUsedAt).not.toBeNull();
    });

    it('when a key is revoked, then it gets 401; a key never opens the widget’s own routes', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth } = await broadcastReady(t);
      const key = await keyFor(auth);
      expect((await t.http.get('/api/v1/licence', { headers: key.auth })).status).toBe(200);
      for (const path of ['/api/v1/users', '/api/v1/api-keys', '/api/v1/orders', '/api/v1/me']) {
        const refused = await t.http.get(path, { headers: key.auth });
        expect(refused.status, path).toBe(403);
        expect(refused.data.error.code).toBe('not_public');
      }
      await t.http.delete(`/api/v1/api-keys/${key.id}`, { headers: auth });
      const revoked = await t.http.get('/api/v1/licence', { headers: key.auth });
      expect(revoked.status).toBe(401);
      expect(revoked.data.error.code).toBe('api_key_revoked');
      expect((await t.http.get('/api/v1/licence', { headers: { Authorization: 'Bearer wbk_not-a-key' } })).data.error.code).toBe('invalid_api_key');
    });

    it('when account A’s key is used on account B’s chats and broadcasts, then nothing of B is found or changed', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2), B] });
      const a = await broadcastReady(t);
      const aKey = await keyFor(a.auth);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(a.numbers, [10_001]), { headers: a.auth })).data;
      await customerWrote(a.numbers[0]!.phoneNumberId);
      const aConversation = (await t.http.get('/api/v1/conversations', { headers: a.auth })).data.conversations[0];

      await t.install(B.id);
      const bToken = await t.fake.mintDisposableToken(B.id, 8_200_001);
      const bSession = (await t.http.post('/api/v1/session', { kommoPlan: { name: 'Advanced' } }, { headers: { 'X-Auth-Token': bToken } })).data;
      const bKey = await keyFor({ Authorization: `Bearer ${bSession.token}` });
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: bKey.auth })).status).toBe(404);
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: bKey.auth })).status).toBe(404);
      expect((await t.http.get(`/api/v1/conversations/${aConversation.id}/messages`, { headers: bKey.auth })).status).toBe(404);
      expect(
        (await t.http.post('/api/v1/messages', { type: 'text', numberId: a.numbers[0]!.id, to: phoneOf(1), text: 'x' }, { headers: bKey.auth })).status,
      ).toBe(404);
      expect((await t.http.get('/api/v1/conversations', { headers: bKey.auth })).data.conversations).toEqual([]);
      expect((await t.http.get('/api/v1/broadcasts', { headers: bKey.auth })).data.broadcasts).toEqual([]);
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: aKey.auth })).data.status).toBe('draft');
    });

    it('when two identical requests with one Idempotency-Key arrive together, then one message is sent and both get the same answer', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await keyFor(auth);
      await customerWrote(numbers[0]!.phoneNumberId);
      const body = { type: 'text', numberId: numbers[0]!.id, to: phoneOf(1), text: 'Once only' };
      const headers = { ...key.auth, 'Idempotency-Key': 'order-1001-shipped' };
      const [first, second] = await Promise.all([t.http.post('/api/v1/messages', body, { headers }), t.http.post('/api/v1/messages', body, { headers })]);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.data).toEqual(first.data);
      const third = await t.http.post('/api/v1/messages', body, { headers });
      expect(third.data.id).toBe(first.data.id);
      expect(third.headers['idempotent-replayed']).toBe('true');
      expect(t.fakeWhatsApp.sent.filter((s) => (s.body.text as { body?: string } | undefined)?.body === 'Once only')).toHaveLength(1);
      const reused = await t.http.post('/api/v1/messages', { ...body, text: 'Something else' }, { headers });
      expect(reused.status).toBe(422);
      expect(reused.data.error.code).toBe('idempotency_key_reused');
    });

    it('when the request holding an Idempotency-Key never answers (its process crashed), then a repeat waits out the one-minute lease, takes the key over and sends once', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, numbers, accountId } = await broadcastReady(t);
      const key = await keyFor(auth);
      await customerWrote(numbers[0]!.phoneNumberId);
      const body = { type: 'text', numberId: numbers[0]!.id, to: phoneOf(1), text: 'After the crash' };
      const headers = { ...key.auth, 'Idempotency-Key': 'order-1002-shipped' };
      // What a process that claimed the key and then died leaves behind: the row, in progress, forever.
      const fingerprint = createHash('sha256')
        .update(`POST /messages\n${JSON.stringify(body)}`)
        .digest('hex');
      await t.db.query('insert into api_idempotency (account_id, key, request_hash, created_at) values ($1, $2, $3, $4)', [
        accountId,
        'order-1002-shipped',
        fingerprint,
        t.clock.now(),
      ]);
      const sentText = () => t.fakeWhatsApp.sent.filter((s) => (s.body.text as { body?: string } | undefined)?.body === 'After the crash');

      t.clock.advance(30_000);
      const repeat = t.http.post('/api/v1/messages', body, { headers });
      await new Promise((r) => setTimeout(r, 400));
      expect(sentText()).toHaveLength(0);
      t.clock.advance(30_000);
      const answer = await repeat;
      expect(answer.status, JSON.stringify(answer.data)).toBe(201);
      expect(sentText()).toHaveLength(1);

      const again = await t.http.post('/api/v1/messages', body, { headers });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.data.id).toBe(answer.data.id);
      expect(sentText()).toHaveLength(1);
    });

    it('when an Idempotency-Key comes again after 24 hours, then it is a new request, and the schedule deletes keys older than 24 hours', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await keyFor(auth);
      const template = (n: string) => ({
        type: 'template',
        numberId: numbers[0]!.id,
        to: phoneOf(1),
        name: 'order_update',
        language: 'en_US',
        bodyParameters: ['Ana', n],
      });
      const send = (idempotencyKey: string, body: unknown) =>
        t.http.post('/api/v1/messages', body, { headers: { ...key.auth, 'Idempotency-Key': idempotencyKey } });
      const first = await send('daily-1', template('#1'));
      expect(first.status, JSON.stringify(first.data)).toBe(201);
      expect((await send('other-1', template('#2'))).status).toBe(201);

      t.clock.advance(24 * 3600_000 - 60_000);
      const kept = await send('daily-1', template('#1'));
      expect(kept.headers['idempotent-replayed']).toBe('true');
      expect(kept.data.id).toBe(first.data.id);
      expect((await send('other-1', template('#3'))).status).toBe(422);

      t.clock.advance(2 * 60_000);
      const fresh = await send('daily-1', template('#1'));
      expect(fresh.status).toBe(201);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
      expect(fresh.data.id).not.toBe(first.data.id);
      expect(t.fakeWhatsApp.sent.filter((s) => JSON.stringify(s.body).includes('#1'))).toHaveLength(2);

      expect(await t.idempotency.forgetExpired()).toBe(1);
      const rows = await t.db.query<{ key: string }>('select key from api_idempotency');
      expect(rows.map((r) => r.key)).toEqual(['daily-1']);
      const reusedAfterCleanup = await send('other-1', template('#3'));
      expect(reusedAfterCleanup.status).toBe(201);

      // The reference says so.
      const docs = (await t.http.get('/docs')).data as string;
      expect(docs).toContain('Keys are kept for 24 hours; after that the same key is a new request.');
      expect(docs).toContain('A request that has not answered within 60 s (its server stopped) loses the key');
    });

    it('when a broadcast draft is created twice with one Idempotency-Key, then there is one draft and the repeat gets it', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await keyFor(auth);
      const headers = { ...key.auth, 'Idempotency-Key': 'campaign-2026-11' };
      const body = { ...springSale(numbers, []), parameters: [{ value: 'friend' }, { value: '20%' }], audience: { phones: [phoneOf(1), phoneOf(2)] } };
      const first = await t.http.post('/api/v1/broadcasts', body, { headers });
      expect(first.status, JSON.stringify(first.data)).toBe(201);
      const repeat = await t.http.post('/api/v1/broadcasts', body, { headers });
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.data.id).toBe(first.data.id);
      expect((await t.http.get('/api/v1/broadcasts', { headers: key.auth })).data.broadcasts).toHaveLength(1);
    });

    it('when a key goes over its rate, then 429 with Retry-After', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)], apiRate: { perSecond: 1, burst: 2 } });
      const { auth } = await broadcastReady(t);
      const key = await keyFor(auth);
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await t.http.get('/api/v1/licence', { headers: key.auth }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(answers[2]!.data.error.code).toBe('rate_limited');
      expect(Number(answers[2]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('when the account is on Kommo Base, then keys cannot be created and existing keys are refused with the reason', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, signIn } = await broadcastReady(t);
      const key = await keyFor(auth);
      const token = await t.fake.mintDisposableToken(31_000_001, 8_100_001);
      await t.http.post('/api/v1/session', { kommoPlan: { name: 'Base' } }, { headers: { 'X-Auth-Token': token } });
      const refused = await t.http.get('/api/v1/licence', { headers: key.auth });
      expect(refused.status).toBe(403);
      expect(refused.data.error.code).toBe('kommo_plan_required');
      const base = (
        await t.http.post(
          '/api/v1/session',
          { kommoPlan: { name: 'Base' } },
          { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(31_000_001, 8_100_001) } },
        )
      ).data;
      expect((await t.http.post('/api/v1/api-keys', { name: 'x' }, { headers: { Authorization: `Bearer ${base.token}` } })).status).toBe(403);
      void signIn;
    });

    it('when /openapi.json is read, then it is valid OpenAPI 3.1, lists every public route, and each route’s real answers match it', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await keyFor(auth);
      const doc = (await t.http.get('/openapi.json')).data;
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
      for (const r of PUBLIC_ROUTES) expect(doc.paths[r.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[r.method], `${r.method} ${r.path}`).toBeDefined();

      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      const checked = new Set<string>();
      /** Calls a route with the key and validates the answer against the schema documented for its status. */
      async function call(method: 'get' | 'post', path: string, template: string, body?: unknown, headers: Record<string, string> = {}) {
        const response =
          method === 'get'
            ? await t.http.get(path, { headers: { ...key.auth, ...headers } })
            : await t.http.post(path, body ?? {}, { headers: { ...key.auth, ...headers } });
        const documented = doc.paths[template][method].responses[String(response.status)];
        expect(documented, `${method} ${template} answered ${response.status}: ${JSON.stringify(response.data)}`).toBeDefined();
        const valid = ajv.validate(documented.content['application/json'].schema, response.data);
        expect(valid, `${method} ${template} ${response.status}: ${ajv.errorsText()}`).toBe(true);
        checked.add(`${method} ${template}`);
        return response;
      }
      await customerWrote(numbers[0]!.phoneNumberId);
      await call('post', '/api/v1/messages', '/api/v1/messages', { type: 'text', numberId: numbers[0]!.id, to: phoneOf(1), text: 'Checked' });
      await call('post', '/api/v1/messages', '/api/v1/messages', {
        type: 'image',
        numberId: numbers[0]!.id,
        to: phoneOf(1),
        link: 'https://cdn.example.com/a.jpg',
        caption: 'A picture',
      });
      await call('post', '/api/v1/messages', '/api/v1/messages', {
        type: 'template',
        numberId: numbers[0]!.id,
        to: phoneOf(2),
        name: 'order_update',
        language: 'en_US',
        bodyParameters: ['Ana', '#7'],
      });
      await call('post', '/api/v1/messages', '/api/v1/messages', { type: 'text', numberId: numbers[0]!.id, to: 'not a phone', text: 'x' });
      const conversation = (await call('post', '/api/v1/conversations', '/api/v1/conversations', { numberId: numbers[0]!.id, phone: phoneOf(1) })).data;
      await call('get', '/api/v1/conversations', '/api/v1/conversations');
      await call('get', `/api/v1/conversations?phone=${encodeURIComponent(phoneOf(1))}`, '/api/v1/conversations');
      await call('get', `/api/v1/conversations/${conversation.id}`, '/api/v1/conversations/{conversationId}');
      await call('get', `/api/v1/conversations/${conversation.id}/messages?limit=2`, '/api/v1/conversations/{conversationId}/messages');
      await call('get', '/api/v1/conversations/nope/messages', '/api/v1/conversations/{conversationId}/messages');
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
      const uploaded = await t.http.post(`/api/v1/conversations/${conversation.id}/media?kind=image`, png, {
        headers: { ...key.auth, 'Content-Type': 'image/png' },
      });
      expect(uploaded.status).toBe(201);
      expect(
        ajv.validate(doc.paths['/api/v1/conversations/{conversationId}/media'].post.responses['201'].content['application/json'].schema, uploaded.data),
        ajv.errorsText(),
      ).toBe(true);
      checked.add('post /api/v1/conversations/{conversationId}/media');
      await call('get', '/api/v1/numbers', '/api/v1/numbers');
      await call('get', `/api/v1/numbers/${numbers[0]!.id}/templates`, '/api/v1/numbers/{numberId}/templates');
      await call('get', `/api/v1/numbers/${numbers[0]!.id}/broadcast-templates`, '/api/v1/numbers/{numberId}/broadcast-templates');
      await call('get', '/api/v1/licence', '/api/v1/licence');
      const draft = (
        await call('post', '/api/v1/broadcasts', '/api/v1/broadcasts', {
          ...springSale(numbers, []),
          parameters: [{ value: 'friend' }, { value: '20%' }],
          audience: { phones: [phoneOf(1), '+55 11 123', phoneOf(3)] },
        })
      ).data;
      expect(draft.dryRun).toMatchObject({ selected: 3, recipients: 2, exclusions: { invalid_number: 1 } });
      await call('get', '/api/v1/broadcasts', '/api/v1/broadcasts');
      await call('get', `/api/v1/broadcasts/${draft.id}`, '/api/v1/broadcasts/{broadcastId}');
      await call('post', `/api/v1/broadcasts/${draft.id}/launch`, '/api/v1/broadcasts/{broadcastId}/launch', { expectedRecipients: 2 });
      await call('post', `/api/v1/broadcasts/${draft.id}/pause`, '/api/v1/broadcasts/{broadcastId}/pause');
      await call('post', `/api/v1/broadcasts/${draft.id}/resume`, '/api/v1/broadcasts/{broadcastId}/resume');
      await call('post', `/api/v1/broadcasts/${draft.id}/retry-failed`, '/api/v1/broadcasts/{broadcastId}/retry-failed');
      await call('post', `/api/v1/broadcasts/${draft.id}/cancel`, '/api/v1/broadcasts/{broadcastId}/cancel');
      expect([...checked].sort()).toEqual(PUBLIC_ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`).sort());

      const page = await t.http.get('/docs');
      expect(page.headers['content-type']).toContain('text/html');
      for (const r of PUBLIC_ROUTES) expect(page.data).toContain(r.path.replace(/:([A-Za-z]+)/g, '{$1}'));
    });

    it('when input is bad on the new routes, then the SPEC §8 error shape comes back', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth, numbers } = await broadcastReady(t);
      const key = await keyFor(auth);
      const bad = [
        await t.http.post('/api/v1/api-keys', { name: '' }, { headers: auth }),
        await t.http.post('/api/v1/api-keys', { name: 'x', admin: true }, { headers: auth }),
        await t.http.post('/api/v1/messages', { type: 'fax', numberId: numbers[0]!.id, to: phoneOf(1) }, { headers: key.auth }),
        await t.http.post(
          '/api/v1/messages',
          { type: 'image', numberId: numbers[0]!.id, to: phoneOf(1), link: 'http://insecure.example.com/a.jpg' },
          { headers: key.auth },
        ),
        await t.http.post(
          '/api/v1/messages',
          { type: 'text', numberId: numbers[0]!.id, to: phoneOf(1), text: 'x' },
          { headers: { ...key.auth, 'Idempotency-Key': 'ä' } },
        ),
        await t.http.get('/api/v1/conversations/x/messages?limit=1000', { headers: key.auth }),
      ];
      for (const r of bad) {
        expect(r.status).toBe(400);
        expect(r.data.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
      expect((await t.http.delete('/api/v1/api-keys/nope', { headers: auth })).status).toBe(404);
      expect((await t.http.get('/api/v1/api-keys', { headers: auth })).data.keys).toHaveLength(1);
    });
  });
}
