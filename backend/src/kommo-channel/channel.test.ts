import { createHmac } from 'node:crypto';
import axios from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { amojoIdOf } from '../../../fakes/kommo/fake-kommo';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, TEST_CHANNEL, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER, messagesOf } from '../../test/whatsapp-helpers';
import { REPLY_ATTEMPTS, REPLY_RENEW_MS } from './channel-service';

const AGENT = { amojoId: amojoIdOf('user', DEMO_AGENT_ID), name: 'Alex Agent' };

for (const kind of storeKinds()) {
  describe(`Kommo's native chat channel (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    /** Everything queued for Kommo's chat is written (the drains run until nothing is due). */
    async function flush() {
      for (let i = 0; i < 4; i++) {
        await t.settle();
        await t.channel.drain();
      }
      await t.settle();
    }

    /** A connected channel, a number, and the customer (Maria Silva, contact 2001) writing first. */
    async function channelOn() {
      t = await startTestApp(kind, { channel: true });
      const ready = await chatReady(t, { customerWrites: false });
      expect((await t.http.put('/api/v1/kommo-channel', { enabled: true }, { headers: ready.auth })).status).toBe(200);
      await flush();
      await t.fakeWhatsApp.customerWrites(ready.fakeNumber.phoneNumberId, CUSTOMER, 'Hello, is the order ready?', { name: 'Maria Silva' });
      await flush();
      const conversation = (await t.http.post('/api/v1/conversations', { numberId: ready.number.id, phone: CUSTOMER }, { headers: ready.auth })).data as {
        id: string;
      };
      return { ...ready, conversation };
    }

    it('when the channel variables are unset, then the switch cannot be turned on, and chat and notes work as before', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      expect((await t.http.get('/api/v1/kommo-channel', { headers: auth })).data).toEqual({ available: false, enabled: false, state: 'off', lastError: null });
      const on = await t.http.put('/api/v1/kommo-channel', { enabled: true }, { headers: auth });
      expect(on.status).toBe(409);
      expect(on.data.error.code).toBe('channel_not_configured');
      expect((await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Still works' }, { headers: auth })).status).toBe(
        201,
      );
      await t.settle();
      await t.timeline.drain();
      expect(t.fake.notes.map((n) => n.noteType)).toEqual(['sms_in', 'sms_out']);
      expect(t.fake.amojo.requests).toEqual([]);
    });

    it('when an admin switches the channel on, then it connects; a reinstall connects it again; an uninstall disconnects it', async () => {
      t = await startTestApp(kind, { channel: true });
      const { auth } = await chatReady(t, { customerWrites: false });
      const agent = await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
      expect((await t.http.put('/api/v1/kommo-channel', { enabled: true }, { headers: agent.auth })).status).toBe(403);
      await t.http.put('/api/v1/kommo-channel', { enabled: true }, { headers: auth });
      await flush();
      const amojoAccount = amojoIdOf('account', DEMO_ACCOUNT_ID);
      expect(t.fake.amojo.connections.get(amojoAccount)).toMatchObject({ scopeId: `${TEST_CHANNEL.channelId}_${amojoAccount}`, connected: true });
      expect((await t.http.get('/api/v1/kommo-channel', { headers: auth })).data).toMatchObject({ available: true, enabled: true, state: 'connected' });

      await t.fake.uninstall(DEMO_ACCOUNT_ID);
      await flush();
      expect(t.fake.amojo.connections.get(amojoAccount)!.connected).toBe(false);
      await t.install(DEMO_ACCOUNT_ID);
      await flush();
      expect(t.fake.amojo.connections.get(amojoAccount)!.connected).toBe(true);
      const connects = t.fake.amojo.requests.filter((r) => r.path.endsWith('/connect'));
      expect(connects).toHaveLength(2);
    });

    it('when a customer writes, then the message is imported once into a chat created first and linked to the Kommo contact, with no incoming lead', async () => {
      const { conversation } = await channelOn();
      const chat = t.fake.amojo.chatOf(conversation.id);
      expect(chat).toMatchObject({ contactId: 2001, user: { phone: CUSTOMER, name: 'Maria Silva' } });
      expect(t.fake.amojo.messages).toEqual([
        expect.objectContaining({ direction: 'in', text: 'Hello, is the order ready?', conversationId: conversation.id }),
      ]);
      expect(t.fake.incomingLeads).toEqual([]);
      const created = t.fake.amojo.requests.findIndex((r) => r.path.endsWith('/chats'));
      const imported = t.fake.amojo.requests.findIndex((r) => /\/v2\/origin\/custom\/[^/]+$/.test(r.path) && !r.path.endsWith('/connect'));
      expect(created).toBeGreaterThan(-1);
      expect(created).toBeLessThan(imported);
    });

    it('when an agent sends from the card, then it is imported as sent by that Kommo user, and delivered and read reach Kommo’s chat', async () => {
      const { auth, conversation } = await channelOn();
      const sent = await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Yes, it ships today' }, { headers: auth });
      expect(sent.status).toBe(201);
      await flush();
      const out = t.fake.amojo.messages.find((m) => m.direction === 'out')!;
      expect(out).toMatchObject({ text: 'Yes, it ships today', refId: amojoIdOf('user', DEMO_ADMIN_ID), deliveryStatus: 2 });
      expect(t.fake.amojo.messages).toHaveLength(2);
    });

    it('when a manager answers in Kommo’s chat, then the hook is stored before the 200, the customer gets it once even if Kommo sends the hook twice, and read reaches Kommo', async () => {
      const { auth, conversation } = await channelOn();
      t.fake.amojo.knobs.hookTwice = true;
      const sentBefore = t.fakeWhatsApp.sent.length;
      const { msgid, statuses } = await t.fake.amojo.managerReplies(conversation.id, 'Hi Maria, it ships today!', AGENT);
      expect(statuses).toEqual([200, 200]);
      const [kept] = await t.db.query<{ kommo_msgid: string }>('select kommo_msgid from kommo_channel_replies');
      expect(kept!.kommo_msgid).toBe(msgid);
      await flush();
      const toCustomer = t.fakeWhatsApp.sent.slice(sentBefore).map((s) => (s.body as { text?: { body: string } }).text?.body);
      expect(toCustomer).toEqual(['Hi Maria, it ships today!']);
      const reply = t.fake.amojo.messages.find((m) => m.msgid === msgid)!;
      expect(reply).toMatchObject({ fromKommo: true, deliveryStatus: 2 });
      // Not imported back into Kommo's chat: it is there already.
      expect(t.fake.amojo.messages.filter((m) => m.text === 'Hi Maria, it ships today!')).toHaveLength(1);
      expect((await messagesOf(t, auth, conversation.id)).find((m) => m.direction === 'out')).toMatchObject({
        status: 'read',
        content: { body: 'Hi Maria, it ships today!' },
      });
    });

    it('when the hook is not signed with the channel secret, then it is refused with 401 and nothing is stored or sent', async () => {
      const { conversation } = await channelOn();
      const sentBefore = t.fakeWhatsApp.sent.length;
      const { statuses } = await t.fake.amojo.managerReplies(conversation.id, 'Forged', AGENT, { badSignature: true });
      expect(statuses).toEqual([401]);
      await flush();
      expect(await t.db.query('select 1 from kommo_channel_replies')).toEqual([]);
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
    });

    it('when a hook signed with the channel secret names another amojo account than the scope it is posted to, then it is refused, logged, and nothing is stored or sent', async () => {
      const { conversation } = await channelOn();
      const chat = t.fake.amojo.chatOf(conversation.id)!;
      const sentBefore = t.fakeWhatsApp.sent.length;
      const post = (accountId: string, msgid: string) => {
        const body = JSON.stringify({
          account_id: accountId,
          message: {
            sender: { id: AGENT.amojoId },
            conversation: { id: chat.id, client_id: conversation.id },
            message: { id: msgid, type: 'text', text: 'Not yours' },
          },
        });
        const signature = createHmac('sha1', TEST_CHANNEL.channelSecret).update(body).digest('hex');
        return axios.post(`${t.url}/kommo/channel/${chat.scopeId}`, body, {
          headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
          validateStatus: () => true,
        });
      };
      const other = amojoIdOf('account', 999_999);
      const refused = await post(other, 'kommo-msg-other-account');
      expect(refused.status).toBe(404);
      expect(t.logs.some((l) => l.msg.includes('Kommo channel hook refused') && l.hookAccount === other)).toBe(true);
      await flush();
      expect(await t.db.query('select 1 from kommo_channel_replies')).toEqual([]);
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      // The same hook naming the scope's own account is taken.
      expect((await post(amojoIdOf('account', DEMO_ACCOUNT_ID), 'kommo-msg-own-account')).status).toBe(200);
    });

    it('when a manager answers after the 24-hour window closed, then WhatsApp gets nothing and Kommo’s chat shows it failed with the reason', async () => {
      const { conversation } = await channelOn();
      t.clock.advance(25 * 3600_000);
      const sentBefore = t.fakeWhatsApp.sent.length;
      const { msgid } = await t.fake.amojo.managerReplies(conversation.id, 'Late answer', AGENT);
      await flush();
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      expect(t.fake.amojo.messages.find((m) => m.msgid === msgid)).toMatchObject({
        deliveryStatus: -1,
        errorCode: 905,
        error: expect.stringContaining('24-hour'),
      });
    });

    it('when a user the admin disabled answers in Kommo’s chat, then WhatsApp gets nothing and Kommo’s chat shows it failed with the reason', async () => {
      const { conversation } = await channelOn();
      const at = t.clock.now();
      await t.db.query(
        'insert into account_users (account_id, kommo_user_id, name, is_admin, enabled, first_seen_at, last_seen_at) values ($1, $2, $3, false, false, $4, $4) on conflict (account_id, kommo_user_id) do update set enabled = false',
        [(await t.db.query<{ id: string }>('select id from accounts'))[0]!.id, DEMO_AGENT_ID, 'Alex Agent', at],
      );
      await t.db.query(
        'insert into kommo_channel_users (account_id, kommo_user_id, amojo_id) select id, $1, $2 from accounts on conflict (account_id, kommo_user_id) do update set amojo_id = excluded.amojo_id',
        [DEMO_AGENT_ID, AGENT.amojoId],
      );
      const sentBefore = t.fakeWhatsApp.sent.length;
      const { msgid } = await t.fake.amojo.managerReplies(conversation.id, 'From a disabled user', AGENT);
      await flush();
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      expect(t.fake.amojo.messages.find((m) => m.msgid === msgid)).toMatchObject({
        deliveryStatus: -1,
        error: expect.stringContaining('not enabled Wabridge'),
      });
    });

    it('when a Kommo user we never saw answers, then Kommo says who they are and the message is theirs; a sender who is no user of the account sends nothing and Kommo’s chat shows why', async () => {
      const { auth, conversation } = await channelOn();
      expect(await t.db.query('select 1 from kommo_channel_users where amojo_id = $1', [AGENT.amojoId])).toEqual([]);
      await t.fake.amojo.managerReplies(conversation.id, 'From Alex', AGENT);
      await flush();
      expect((await messagesOf(t, auth, conversation.id)).filter((m) => m.direction === 'out').map((m) => m.content.body)).toEqual(['From Alex']);
      const [sender] = await t.db.query<{ sent_by: string }>(`select sent_by from messages where direction = 'out'`);
      expect(Number(sender!.sent_by)).toBe(DEMO_AGENT_ID);

      const sentBefore = t.fakeWhatsApp.sent.length;
      const { msgid } = await t.fake.amojo.managerReplies(conversation.id, 'From nobody we know', { amojoId: amojoIdOf('user', 9_999_999), name: 'Stranger' });
      await flush();
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      expect(t.fake.amojo.messages.find((m) => m.msgid === msgid)).toMatchObject({
        deliveryStatus: -1,
        error: expect.stringContaining('could not find your user'),
      });
    });

    it('when amojo fails, then the import is retried later and the conversation’s messages still arrive in order, once each', async () => {
      const { auth, conversation } = await channelOn();
      t.fake.amojo.knobs.failNext.push(500, 502);
      for (const text of ['One', 'Two', 'Three'])
        expect((await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text }, { headers: auth })).status).toBe(201);
      await flush();
      for (let i = 0; i < 6; i++) {
        t.clock.advance(70_000);
        await flush();
      }
      expect(t.fake.amojo.messages.filter((m) => m.direction === 'out').map((m) => m.text)).toEqual(['One', 'Two', 'Three']);
    });

    it('when an answer’s send outlasts its lease and another instance drains meanwhile, then it is not marked interrupted: the customer gets it once and Kommo’s chat shows it read', async () => {
      const { auth, conversation } = await channelOn();
      const sentBefore = t.fakeWhatsApp.sent.length;
      // The answer is stored as queued and its send is slow: 61 s pass before WhatsApp is called, and another instance drains then.
      const query = t.db.query;
      let armed = true;
      t.db.query = (async (sql: string, params?: unknown[]) => {
        const rows = await query(sql, params);
        if (armed && sql.includes('notified as (')) {
          armed = false;
          t.clock.advance(61_000);
          await new Promise((r) => setTimeout(r, REPLY_RENEW_MS + 1000));
          await t.channel.drain();
        }
        return rows;
      }) as typeof t.db.query;
      const { msgid } = await t.fake.amojo.managerReplies(conversation.id, 'Slow but sure', AGENT);
      await flush();
      t.db.query = query;
      expect(armed).toBe(false);
      const toCustomer = t.fakeWhatsApp.sent.slice(sentBefore).map((s) => (s.body as { text?: { body: string } }).text?.body);
      expect(toCustomer).toEqual(['Slow but sure']);
      expect(t.fake.amojo.messages.find((m) => m.msgid === msgid)).toMatchObject({ deliveryStatus: 2 });
      expect((await messagesOf(t, auth, conversation.id)).find((m) => m.direction === 'out')).toMatchObject({
        status: 'read',
        content: { body: 'Slow but sure' },
      });
    });

    it('when a manager answers twice and another instance drains while the first answer is being sent, then the customer gets them in the order they were written', async () => {
      const { conversation } = await channelOn();
      const sentBefore = t.fakeWhatsApp.sent.length;
      // The first answer's send is held after it is stored as queued; meanwhile the second answer
      // arrives and another instance drains (here: a second drain in this process).
      const query = t.db.query;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let holding = false;
      t.db.query = (async (sql: string, params?: unknown[]) => {
        const rows = await query(sql, params);
        if (!holding && sql.includes('notified as (')) {
          holding = true;
          await held;
        }
        return rows;
      }) as typeof t.db.query;
      await t.fake.amojo.managerReplies(conversation.id, 'First: your order is packed.', AGENT);
      await vi.waitFor(() => expect(holding).toBe(true));
      await t.fake.amojo.managerReplies(conversation.id, 'Second: it ships today.', AGENT);
      await t.channel.drain();
      const toCustomer = () => t.fakeWhatsApp.sent.slice(sentBefore).map((s) => (s.body as { text?: { body: string } }).text?.body);
      const whileFirstOnItsWay = toCustomer();
      release();
      await flush();
      t.db.query = query;
      // The second waited while the first was on its way.
      expect(whileFirstOnItsWay).toEqual([]);
      expect(toCustomer()).toEqual(['First: your order is packed.', 'Second: it ships today.']);
    });

    it('when an answer keeps failing, then it is given up after its last attempt, Kommo’s chat shows it failed, and the chat’s next answer goes on', async () => {
      const { conversation } = await channelOn();
      const sentBefore = t.fakeWhatsApp.sent.length;
      // Reading who sent an answer fails (the store is unavailable for that statement) when armed.
      const query = t.db.query;
      let failNext = true;
      t.db.query = (async (sql: string, params?: unknown[]) => {
        if (failNext && sql.includes('from kommo_channel_users c')) {
          failNext = false;
          throw new Error('connection lost');
        }
        return query(sql, params);
      }) as typeof t.db.query;
      const first = await t.fake.amojo.managerReplies(conversation.id, 'First, failing', AGENT);
      await flush();
      // Retried since: this is its last attempt, and the chat's next answer waits behind it.
      await t.db.query('update kommo_channel_replies set attempts = $2, next_attempt_at = $3 where kommo_msgid = $1', [
        first.msgid,
        REPLY_ATTEMPTS - 1,
        t.clock.now(),
      ]);
      failNext = true;
      await t.fake.amojo.managerReplies(conversation.id, 'Second, fine', AGENT);
      await flush();
      t.db.query = query;
      const toCustomer = t.fakeWhatsApp.sent.slice(sentBefore).map((s) => (s.body as { text?: { body: string } }).text?.body);
      expect(toCustomer).toEqual(['Second, fine']);
      expect(t.fake.amojo.messages.find((m) => m.msgid === first.msgid)).toMatchObject({
        deliveryStatus: -1,
        error: expect.stringContaining('failed 10 times'),
      });
    });

    it('when an answer’s last attempt fails after its send began, then it is not given up as unsent: Kommo’s chat shows it was interrupted', async () => {
      const { conversation } = await channelOn();
      const sentBefore = t.fakeWhatsApp.sent.length;
      // The answer is on its last attempt; this one fails right after its message is stored as queued.
      const query = t.db.query;
      let armed = true;
      t.db.query = (async (sql: string, params?: unknown[]) => {
        const rows = await query(sql, params);
        if (armed && sql.includes('insert into kommo_channel_replies')) await query('update kommo_channel_replies set attempts = $1', [REPLY_ATTEMPTS - 1]);
        if (armed && sql.includes('notified as (')) {
          armed = false;
          throw new Error('connection lost');
        }
        return rows;
      }) as typeof t.db.query;
      const { msgid } = await t.fake.amojo.managerReplies(conversation.id, 'Maybe sent', AGENT);
      await flush();
      t.clock.advance(3600_000);
      await flush();
      t.db.query = query;
      expect(armed).toBe(false);
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      expect(t.fake.amojo.messages.find((m) => m.msgid === msgid)).toMatchObject({ deliveryStatus: -1, error: expect.stringContaining('Interrupted') });
    });

    it('when a send of an answer was cut off before WhatsApp answered, then it is not sent again and Kommo’s chat shows it failed', async () => {
      const { conversation } = await channelOn();
      // What a crash leaves: Kommo's hook stored, our message stored as queued with no wamid, the hook not done.
      const chat = t.fake.amojo.chatOf(conversation.id)!;
      const msgid = 'kommo-msg-cut-off';
      t.fake.amojo.messages.push({
        msgid,
        scopeId: chat.scopeId,
        conversationId: conversation.id,
        direction: 'out',
        type: 'text',
        text: 'Cut off',
        refId: AGENT.amojoId,
        silent: false,
        fromKommo: true,
      });
      const body = {
        account_id: amojoIdOf('account', DEMO_ACCOUNT_ID),
        message: {
          sender: { id: AGENT.amojoId },
          conversation: { id: chat.id, client_id: conversation.id },
          message: { id: msgid, type: 'text', text: 'Cut off' },
        },
      };
      await t.db.transaction(async (tx) => {
        const [c] = await tx.query<{ account_id: string }>('select account_id from conversations where id = $1', [conversation.id]);
        await tx.query(
          `insert into messages (id, account_id, conversation_id, direction, type, content, status, created_at, status_at) values ('msg-cut-off', $1, $2, 'out', 'text', '{"body":"Cut off"}', 'queued', $3, $3)`,
          [c!.account_id, conversation.id, t.clock.now()],
        );
        await tx.query(
          `insert into kommo_channel_replies (kommo_msgid, account_id, message_id, body, received_at, next_attempt_at) values ($1, $2, 'msg-cut-off', $3, $4, $4)`,
          [msgid, c!.account_id, JSON.stringify(body), t.clock.now()],
        );
      });
      const sentBefore = t.fakeWhatsApp.sent.length;
      await flush();
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      expect(t.fake.amojo.messages.find((m) => m.msgid === msgid)).toMatchObject({ deliveryStatus: -1, error: expect.stringContaining('Interrupted') });
    });
  });
}
