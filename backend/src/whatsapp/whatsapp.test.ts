import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, WHATSAPP_APP_SECRET, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER, messagesOf } from '../../test/whatsapp-helpers';

for (const kind of storeKinds()) {
  describe(`WhatsApp numbers and webhook intake (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when the admin connects a number, then Meta is asked first, the token is sealed, and the plan limit holds', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber } = await chatReady(t, { customerWrites: false });
      const [row] = await t.db.query<{ token_enc: string; display_phone_number: string }>('select * from whatsapp_numbers');
      expect(row!.display_phone_number).toBe(fakeNumber.displayPhoneNumber);
      expect(JSON.stringify(await t.db.query('select * from whatsapp_numbers'))).not.toContain(fakeNumber.token);
      const listed = (await t.http.get('/api/v1/numbers', { headers: auth })).data;
      expect(listed.limit).toBe(1);
      expect(JSON.stringify(listed)).not.toContain(fakeNumber.token);
      const second = t.fakeWhatsApp.addNumber();
      const refused = await t.http.post(
        '/api/v1/numbers',
        { phoneNumberId: second.phoneNumberId, wabaId: second.wabaId, accessToken: second.token },
        { headers: auth },
      );
      expect(refused.status).toBe(409);
      expect(refused.data.error.code).toBe('number_limit_reached');
    });

    it('when the token does not open the number at Meta, then 400 and nothing is saved', async () => {
      t = await startTestApp(kind);
      await t.install(demoKommoAccount().id);
      const { auth } = await t.session(demoKommoAccount().id, 8_100_001);
      const n = t.fakeWhatsApp.addNumber();
      const response = await t.http.post(
        '/api/v1/numbers',
        { phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, accessToken: 'EAAGwrong-token-wrong-token' },
        { headers: auth },
      );
      expect(response.status).toBe(400);
      expect(response.data.error.code).toBe('number_not_verified');
      expect(await t.db.query('select * from whatsapp_numbers')).toHaveLength(0);
    });

    it('when Meta verifies the webhook, then the challenge comes back; a wrong token is refused', async () => {
      t = await startTestApp(kind);
      const ok = await t.http.get('/whatsapp/webhook', {
        params: { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me-please', 'hub.challenge': '1158201444' },
      });
      expect(ok.status).toBe(200);
      expect(ok.data).toBe(1158201444);
      const bad = await t.http.get('/whatsapp/webhook', { params: { 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': 'x' } });
      expect(bad.status).toBe(401);
    });

    it('when a webhook has a bad signature, then 401 and nothing is stored', async () => {
      t = await startTestApp(kind);
      await chatReady(t, { customerWrites: false });
      expect(await t.fakeWhatsApp.postForged({ object: 'whatsapp_business_account', entry: [] })).toBe(401);
      const unsigned = await t.http.post('/whatsapp/webhook', { entry: [] });
      expect(unsigned.status).toBe(401);
      expect(await t.db.query('select * from whatsapp_inbox')).toHaveLength(0);
    });

    it('when the same inbound message comes twice, in a batch, or without wa_id, then each message is stored once', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      t.clock.advance(60_000);
      const id = await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'Second message', { withoutWaId: true, name: 'Maria Silva' });
      // Meta repeats a delivery it thinks failed: the same body again.
      const last = t.fakeWhatsApp.deliveries.at(-1)!.body;
      const raw = JSON.stringify(last);
      await t.http.post('/whatsapp/webhook', raw, {
        headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=' + createHmac('sha256', WHATSAPP_APP_SECRET).update(raw).digest('hex') },
      });
      await t.tasks.idle();
      const messages = await messagesOf(t, auth, conversation.id);
      expect(messages.map((m) => m.content.body)).toEqual(['Second message', 'Hello, is the order ready?']);
      expect(id).toMatch(/^wamid\./);
      const [c] = (await t.http.get('/api/v1/conversations', { headers: auth })).data.conversations;
      expect(c).toMatchObject({ customerName: 'Maria Silva', windowClosesAt: '2026-11-22T10:01:00.000Z', optedOut: false });
    });

    it('when the customer sends several messages in the same second, then the history keeps their order, page after page', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      // The clock stands still: every webhook carries the same whole-second timestamp.
      for (let i = 1; i <= 60; i++) await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, `Line ${i}`);
      await t.tasks.idle();
      const first = (await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth })).data;
      const older = (await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth, params: { before: first.nextBefore } })).data;
      const bodies = [...first.messages, ...older.messages].map((m: { content: { body: string } }) => m.content.body);
      expect(bodies).toEqual([...Array.from({ length: 60 }, (_, i) => `Line ${60 - i}`), 'Hello, is the order ready?']);
      expect(older.nextBefore).toBeNull();
    });

    it('when the process died after acknowledging a webhook, then the stored body is processed after restart', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      // What a crash leaves: the body stored and acknowledged, not yet processed.
      const body = {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: fakeNumber.wabaId,
            changes: [
              {
                field: 'messages',
                value: {
                  metadata: { phone_number_id: fakeNumber.phoneNumberId },
                  contacts: [{ wa_id: '5511912345678' }],
                  messages: [{ from: '5511912345678', id: 'wamid.after-crash', timestamp: '1795300000', type: 'text', text: { body: 'Are you there?' } }],
                },
              },
            ],
          },
        ],
      };
      await t.db.query('insert into whatsapp_inbox (body, received_at) values ($1, now())', [JSON.stringify(body)]);
      expect(await t.inbox.processPending()).toBe(1);
      expect((await messagesOf(t, auth, conversation.id)).map((m) => m.content.body)).toContain('Are you there?');
      expect(await t.inbox.processPending()).toBe(0);
    });

    it("when a signed body does not fit Meta's webhook schema, then it is kept marked with what is wrong, never retried, and the bodies after it are processed", async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      const sign = (raw: string) => ({
        'Content-Type': 'application/json',
        'X-Hub-Signature-256': 'sha256=' + createHmac('sha256', WHATSAPP_APP_SECRET).update(raw).digest('hex'),
      });
      const bad = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: fakeNumber.wabaId,
            changes: [{ field: 'messages', value: { metadata: { phone_number_id: fakeNumber.phoneNumberId }, messages: 'Are you there?' } }],
          },
        ],
      });
      expect((await t.http.post('/whatsapp/webhook', bad, { headers: sign(bad) })).status).toBe(200);
      const good = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: fakeNumber.wabaId,
            changes: [
              {
                field: 'messages',
                value: {
                  metadata: { phone_number_id: fakeNumber.phoneNumberId },
                  contacts: [{ wa_id: CUSTOMER.replace(/\D/g, '') }],
                  messages: [
                    { from: CUSTOMER.replace(/\D/g, ''), id: 'wamid.after-bad', timestamp: '1795300000', type: 'text', text: { body: 'Hello again' } },
                  ],
                },
              },
            ],
          },
        ],
      });
      expect((await t.http.post('/whatsapp/webhook', good, { headers: sign(good) })).status).toBe(200);
      await t.tasks.idle();
      await t.inbox.processPending();
      const rows = await t.db.query<{ body: unknown; processed_at: Date | null; error: string | null }>(
        'select body, processed_at, error from whatsapp_inbox order by id',
      );
      const kept = rows.find((r) => JSON.stringify(r.body).includes('"messages":"Are you there?"'))!;
      expect(kept.processed_at).not.toBeNull();
      expect(kept.error).toMatch(/^not a Meta webhook body: entry\.0\.changes\.0\.value\.messages /);
      expect(await t.inbox.processPending()).toBe(0);
      expect((await messagesOf(t, auth, conversation.id)).map((m) => m.content.body)).toContain('Hello again');
    });

    it('when the customer writes STOP or Meta sends a user_preferences stop, then the conversation is opted out', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber } = await chatReady(t);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, '+5511900000001', 'Stop!');
      await t.fakeWhatsApp.userPreference(fakeNumber.phoneNumberId, '+5511900000002', 'stop');
      await t.tasks.idle();
      const all = (await t.http.get('/api/v1/conversations', { headers: auth })).data.conversations as { waId: string; optedOut: boolean }[];
      expect(Object.fromEntries(all.map((c) => [c.waId, c.optedOut]))).toEqual({ '5511912345678': false, '5511900000001': true, '5511900000002': true });
    });
  });
}
