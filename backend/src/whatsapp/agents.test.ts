import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER, messagesOf } from '../../test/whatsapp-helpers';

for (const kind of storeKinds()) {
  describe(`two agents in one chat (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when another agent replied since one started typing, then sending asks for confirmation; confirmed, it goes', async () => {
      t = await startTestApp(kind);
      const { conversation } = await chatReady(t);
      const { auth: admin } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      const { auth: agent } = await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
      const [seen] = await messagesOf(t, admin, conversation.id);
      t.clock.advance(1000);
      expect(
        (await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Alex here: it ships today.' }, { headers: agent }))
          .status,
      ).toBe(201);
      const send = (extra: object) =>
        t.http.post(
          `/api/v1/conversations/${conversation.id}/messages`,
          { type: 'text', text: 'Dana: it ships today!', seenUpTo: seen!.id, ...extra },
          { headers: admin },
        );
      const asked = await send({});
      expect(asked.status).toBe(409);
      expect(asked.data.error).toMatchObject({ code: 'someone_replied', message: 'Alex Agent replied since you started typing. Send anyway?' });
      t.clock.advance(1000);
      const confirmed = await send({ confirmed: true });
      expect(confirmed.status).toBe(201);
      const out = (await messagesOf(t, admin, conversation.id)).filter((m) => m.direction === 'out');
      expect(out.map((m) => [m.content.body, m.sentByName])).toEqual([
        ['Dana: it ships today!', 'Dana Admin'],
        ['Alex here: it ships today.', 'Alex Agent'],
      ]);
    });

    it('when the customer opted out and agrees again, then the agent records the opt-in and it is audited', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'STOP');
      await t.settle();
      expect((await t.http.get(`/api/v1/conversations/${conversation.id}`, { headers: auth })).data.optedOut).toBe(true);
      const back = await t.http.post(`/api/v1/conversations/${conversation.id}/opt-in`, {}, { headers: auth });
      expect(back.data.optedOut).toBe(false);
      expect(await t.db.query(`select 1 from audit_log where action = 'customer.opted_in'`)).toHaveLength(1);
    });

    it('when the licence has expired, then customer messages still arrive and the history reads, and sending is refused with the reason', async () => {
      t = await startTestApp(kind);
      const { conversation, fakeNumber } = await chatReady(t);
      t.clock.advance(8 * 86_400_000);
      const { auth } = await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'Hello after the demo');
      await t.settle();
      const history = (await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: auth })).data.messages;
      expect(history.map((m: { content: { body: string } }) => m.content.body)).toContain('Hello after the demo');
      const before = t.fakeWhatsApp.sent.length;
      const refused = await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Hi!' }, { headers: auth });
      expect(refused.status).toBe(402);
      expect(refused.data.error.code).toBe('licence_expired');
      expect(t.fakeWhatsApp.sent.length).toBe(before);
    });

    it('when an agent opens a conversation with unread messages, then the customer gets read receipts and it is no longer unread', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      t.clock.advance(1000);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'Hello?', { name: 'Maria Silva' });
      await t.settle();
      expect((await t.http.get('/api/v1/conversations', { headers: auth })).data.conversations[0].unread).toBe(2);
      expect((await t.http.get('/api/v1/unread', { headers: auth })).data).toEqual({
        total: 2,
        latest: { conversationId: conversation.id, customerName: 'Maria Silva', waId: '5511912345678' },
      });
      const read = await t.http.post(`/api/v1/conversations/${conversation.id}/read`, {}, { headers: auth });
      expect(read.data.unread).toBe(0);
      expect((await t.http.get('/api/v1/unread', { headers: auth })).data).toEqual({ total: 0, latest: null });
      const [newest] = await t.db.query<{ wamid: string }>(`select wamid from messages where direction = 'in' order by created_at desc limit 1`);
      expect(t.fakeWhatsApp.readReceipts).toEqual([{ phoneNumberId: fakeNumber.phoneNumberId, messageId: newest!.wamid }]);
      // Nothing new: no second receipt.
      await t.http.post(`/api/v1/conversations/${conversation.id}/read`, {}, { headers: auth });
      expect(t.fakeWhatsApp.readReceipts).toHaveLength(1);
    });
  });
}
