import { afterEach, describe, expect, it } from 'vitest';
import { SessionAnswer, SessionResponse } from '../../../contract/session';
import { CardChat } from '../../../contract/whatsapp';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

for (const kind of storeKinds()) {
  describe(`the card's chat in one call (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when a card opens, then one answer has the numbers, one conversation per customer in the phones’ order, the phones that are not phones with the reason, and the first conversation’s newest page', async () => {
      t = await startTestApp(kind);
      const { auth, number, conversation } = await chatReady(t);
      // The same customer as a Brazilian writes them, a second customer, and a typo in the CRM.
      const phones = ['(11) 91234-5678', 'ask reception', '+55 21 98765-4321', CUSTOMER];
      const response = await t.http.post('/api/v1/card-chat', { phones }, { headers: auth });
      expect(response.status, JSON.stringify(response.data)).toBe(200);
      const card = CardChat.parse(response.data);
      expect(card.numbers.map((n) => n.id)).toEqual([number.id]);
      expect(card.conversations.map((c) => [c.phone, c.conversation.waId])).toEqual([
        ['(11) 91234-5678', '5511912345678'],
        ['+55 21 98765-4321', '5521987654321'],
      ]);
      expect(card.conversations[0]!.conversation).toMatchObject({ id: conversation.id, unread: 1, windowClosesAt: conversation.windowClosesAt });
      expect(card.refused).toEqual([{ phone: 'ask reception', error: { code: 'invalid_phone', message: expect.stringMatching(/not a valid phone number/) } }]);
      expect(card.page).toEqual((await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth })).data);
      expect(card.page!.messages.map((m) => m.content.body)).toEqual(['Hello, is the order ready?']);
      expect(await t.db.query('select wa_id from conversations order by wa_id')).toEqual([{ wa_id: '5511912345678' }, { wa_id: '5521987654321' }]);
    });

    it('when the first conversation is longer than a page, then the card holds the newest page and the cursor to the older ones, as paging does', async () => {
      t = await startTestApp(kind);
      const { auth, fakeNumber, conversation } = await chatReady(t);
      for (let i = 1; i <= 60; i++) await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, `Line ${i}`);
      await t.tasks.idle();
      const card = CardChat.parse((await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER] }, { headers: auth })).data);
      expect(card.page!.messages).toHaveLength(50);
      expect(card.page!.messages[0]!.content.body).toBe('Line 60');
      const older = (
        await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth, params: { before: card.page!.nextBefore, limit: 100 } })
      ).data;
      expect(older.messages.map((m: { content: { body: string } }) => m.content.body)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => `Line ${10 - i}`),
        'Hello, is the order ready?',
      ]);
      expect(older.nextBefore).toBeNull();
      const larger = CardChat.parse((await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER], limit: 100 }, { headers: auth })).data);
      expect(larger.page!.messages).toHaveLength(61);
      expect(larger.page!.nextBefore).toBeNull();
      // A first page may be 200 (a card opens a long chat in one answer); history pages stay at most 100.
      expect((await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER], limit: 200 }, { headers: auth })).status).toBe(200);
      const tooLarge = await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER], limit: 201 }, { headers: auth });
      expect(tooLarge.status).toBe(400);
      expect((await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth, params: { limit: 101 } })).status).toBe(400);
    });

    it('when no number is connected yet, then the card answer says so and opens nothing', async () => {
      t = await startTestApp(kind);
      await t.install(DEMO_ACCOUNT_ID);
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const response = await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER] }, { headers: auth });
      expect(response.status, JSON.stringify(response.data)).toBe(200);
      expect(response.data).toEqual({ numbers: [], conversations: [], refused: [], page: null });
      expect(await t.db.query('select 1 from conversations')).toEqual([]);
    });

    it('when the request is not a card’s (no session, an API key, too many phones), then it is refused', async () => {
      t = await startTestApp(kind);
      const { auth } = await chatReady(t, { customerWrites: false });
      const key = (await t.http.post('/api/v1/api-keys', { name: 'Shop' }, { headers: auth })).data.key as string;
      expect((await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER] })).status).toBe(401);
      const byKey = await t.http.post('/api/v1/card-chat', { phones: [CUSTOMER] }, { headers: { Authorization: `Bearer ${key}` } });
      // The card's answer is the widget's: an API key is not a session here.
      expect(byKey.status, JSON.stringify(byKey.data)).toBe(401);
      const tooMany = await t.http.post('/api/v1/card-chat', { phones: Array.from({ length: 51 }, () => CUSTOMER) }, { headers: auth });
      expect(tooMany.status).toBe(400);
      expect(tooMany.data.error.code).toBe('invalid_request');
    });

    it('when the loader’s sign-in names the card’s phones, then its answer carries that card’s chat as the card call answers it (the newest 200); a sign-in without a card carries none', async () => {
      t = await startTestApp(kind);
      const { fakeNumber } = await chatReady(t);
      for (let i = 1; i <= 220; i++) await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, `Line ${i}`);
      await t.tasks.idle();
      const signIn = async (body: unknown) =>
        t.http.post('/api/v1/session', body, { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID) } });

      const phones = [CUSTOMER, 'ask reception'];
      const answer = await signIn({ card: { phones } });
      expect(answer.status, JSON.stringify(answer.data)).toBe(201);
      const { cardChat, ...session } = SessionAnswer.parse(answer.data);
      expect(SessionResponse.parse(session)).toEqual(session);
      // The same as the card would have read with the session, the first page of 200 included.
      const asked = CardChat.parse(
        (await t.http.post('/api/v1/card-chat', { phones, limit: 200 }, { headers: { Authorization: `Bearer ${session.token}` } })).data,
      );
      expect(cardChat).toEqual(asked);
      expect(cardChat!.page!.messages).toHaveLength(200);
      expect(cardChat!.page!.messages[0]!.content.body).toBe('Line 220');
      expect(cardChat!.refused.map((r) => r.phone)).toEqual(['ask reception']);

      const plain = await signIn({});
      expect(plain.status).toBe(201);
      expect(plain.data).not.toHaveProperty('cardChat');
      // Phones the card call would refuse bring no chat, and never stop the sign-in (the card asks, and says why).
      for (const refused of [Array.from({ length: 51 }, () => CUSTOMER), ['9'.repeat(41)], ['  ']]) {
        const answer = await signIn({ card: { phones: refused } });
        expect(answer.status).toBe(201);
        expect(answer.data).not.toHaveProperty('cardChat');
      }
      expect((await signIn({ card: { phones: 'not a list' } })).status).toBe(400);
    });

    it('when a disabled user signs in from a card, then 403 and no chat is read for them', async () => {
      t = await startTestApp(kind);
      const { auth } = await chatReady(t);
      await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
      expect((await t.http.patch(`/api/v1/users/${DEMO_AGENT_ID}`, { enabled: false }, { headers: auth })).status).toBe(200);
      const answer = await t.http.post(
        '/api/v1/session',
        { card: { phones: ['+55 21 98765-4321'] } },
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_AGENT_ID) } },
      );
      expect(answer.status).toBe(403);
      expect(answer.data).toEqual({ error: { code: 'user_disabled', message: expect.any(String) } });
      // Nothing of the card was read or opened for them.
      expect(await t.db.query(`select 1 from conversations where wa_id = '5521987654321'`)).toEqual([]);
    });
  });
}
