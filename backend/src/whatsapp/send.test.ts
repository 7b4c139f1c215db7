import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, messagesOf } from '../../test/whatsapp-helpers';

for (const kind of storeKinds()) {
  describe(`sending under the relay rules (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });
    const send = (auth: Record<string, string>, conversationId: string, body: unknown) =>
      t.http.post(`/api/v1/conversations/${conversationId}/messages`, body, { headers: auth });

    it('when an agent sends a text and a reply, then the fake gets Meta’s exact wire body and the statuses go sent → delivered → read', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      const [inbound] = await messagesOf(t, auth, conversation.id);
      const first = await send(auth, conversation.id, { type: 'text', text: 'Yes, it ships today 🚚', replyTo: inbound!.id });
      expect(first.status).toBe(201);
      await t.settle();
      const wire = t.fakeWhatsApp.sent.at(-1)!.body;
      const [quoted] = await t.db.query<{ wamid: string }>('select wamid from messages where id = $1', [inbound!.id]);
      expect(wire).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '+5511912345678',
        type: 'text',
        text: { body: 'Yes, it ships today 🚚' },
        context: { message_id: quoted!.wamid },
      });
      const latest = (await messagesOf(t, auth, conversation.id)).find((m) => m.direction === 'out');
      expect(latest).toMatchObject({ direction: 'out', status: 'read', error: null, content: { body: 'Yes, it ships today 🚚' } });
    });

    it('when statuses come duplicated, reversed, batched, or without delivered, or a late sent after read, then the final status is read', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      Object.assign(t.fakeWhatsApp.knobs, { duplicates: 3, reverse: true, batch: true, dropDelivered: true });
      await send(auth, conversation.id, { type: 'text', text: 'One' });
      await t.settle();
      const outbound = async () => (await messagesOf(t, auth, conversation.id)).find((x) => x.direction === 'out')!;
      expect((await outbound()).status).toBe('read');
      const [row] = await t.db.query<{ wamid: string }>(`select wamid from messages where direction = 'out'`);
      await t.fakeWhatsApp.statuses(fakeNumber.phoneNumberId, row!.wamid, '+5511912345678', ['sent', 'delivered']);
      await t.settle();
      expect((await outbound()).status).toBe('read');
    });

    it('when one webhook carries statuses of several messages, then each moves on its own, a failure is shown with its reason, and an unknown one waits', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      t.fakeWhatsApp.knobs.statuses = 'none';
      for (const text of ['One', 'Two', 'Three']) expect((await send(auth, conversation.id, { type: 'text', text })).status).toBe(201);
      const rows = await t.db.query<{ wamid: string; content: { body: string } }>(
        `select wamid, content from messages where direction = 'out' order by created_at, id`,
      );
      const wamid = (text: string) => rows.find((r) => r.content.body === text)!.wamid;
      await t.fakeWhatsApp.statusBatch(fakeNumber.phoneNumberId, [
        { id: wamid('One'), to: '+5511912345678', status: 'read' },
        { id: wamid('Two'), to: '+5511912345678', status: 'failed', error: { code: 131026, title: 'Message undeliverable' } },
        { id: 'wamid.NOT-YET', to: '+5511912345678', status: 'delivered' },
        { id: wamid('Three'), to: '+5511912345678', status: 'delivered' },
      ]);
      await t.settle();
      const byText = Object.fromEntries((await messagesOf(t, auth, conversation.id)).filter((m) => m.direction === 'out').map((m) => [m.content.body, m]));
      expect(byText.One).toMatchObject({ status: 'read', error: null });
      expect(byText.Two).toMatchObject({ status: 'failed', error: { code: 131026, title: 'Message undeliverable' } });
      expect(byText.Three).toMatchObject({ status: 'delivered' });
      expect(await t.db.query('select status from early_statuses where wamid = $1', ['wamid.NOT-YET'])).toEqual([{ status: 'delivered' }]);
      const [event] = await t.db.query<{ text: string }>(`select text from kommo_event_outbox where text like '%not delivered%'`);
      expect(event?.text).toContain('Message undeliverable (code 131026)');
    });

    it('when a status webhook and its send’s checkpoint commit side by side, each missing the other, then the status is still applied', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      // The webhook came while the send's transaction was still open: no message yet, so it waits as early.
      await t.fakeWhatsApp.statuses(fakeNumber.phoneNumberId, 'wamid.RACED', '+5511912345678', ['sent', 'delivered', 'read']);
      await t.settle();
      expect(await t.db.query('select status from early_statuses where wamid = $1', ['wamid.RACED'])).toHaveLength(3);
      // …and that transaction read no early status before the webhook's committed.
      const [account] = await t.db.query<{ account_id: string }>('select account_id from conversations where id = $1', [conversation.id]);
      await t.db.query(
        `insert into messages (id, account_id, conversation_id, direction, wamid, type, content, status, created_at, status_at) values ('m-raced', $1, $2, 'out', 'wamid.RACED', 'text', '{"body":"Raced"}', 'sent', $3, $3)`,
        [account!.account_id, conversation.id, t.clock.now()],
      );
      expect(await t.inbox.applyStrandedStatuses()).toBe(1);
      expect((await messagesOf(t, auth, conversation.id)).find((m) => m.id === 'm-raced')?.status).toBe('read');
      expect(await t.db.query('select 1 from early_statuses')).toHaveLength(0);
      expect(await t.inbox.applyStrandedStatuses()).toBe(0);
      // A status whose message never came (another app on the number) is forgotten after a week.
      await t.db.query(`insert into early_statuses (wamid, status, at) values ('wamid.OTHER-APP', 'read', $1), ('wamid.RECENT', 'read', $2)`, [
        new Date(t.clock.now().getTime() - 8 * 24 * 3600_000),
        t.clock.now(),
      ]);
      await t.inbox.applyStrandedStatuses();
      expect(await t.db.query<{ wamid: string }>('select wamid from early_statuses')).toEqual([{ wamid: 'wamid.RECENT' }]);
    });

    it('when the window is closed, then free-form is refused before anything is sent, and a template goes', async () => {
      t = await startTestApp(kind);
      const { conversation } = await chatReady(t);
      t.clock.advance(24 * 3600_000 + 1);
      const fresh = (await t.session(demoKommoAccount().id, 8_100_001)).auth;
      const sentBefore = t.fakeWhatsApp.sent.length;
      const refused = await send(fresh, conversation.id, { type: 'text', text: 'Hello again' });
      expect(refused.status).toBe(409);
      expect(refused.data.error.code).toBe('window_closed');
      expect(t.fakeWhatsApp.sent.length).toBe(sentBefore);
      const template = await send(fresh, conversation.id, { type: 'template', name: 'order_update', language: 'en_US', bodyParameters: ['Maria', '#1001'] });
      expect(template.status).toBe(201);
      expect(t.fakeWhatsApp.sent.at(-1)!.body).toMatchObject({
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Maria' },
                { type: 'text', text: '#1001' },
              ],
            },
          ],
        },
      });
    });

    it('when Meta says the window is closed (sync 131047), then the message fails with the reason and is not counted', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t, { customerWrites: false });
      // We believe the window is open; Meta does not.
      await t.db.query('update conversations set last_inbound_at = $2 where id = $1', [conversation.id, t.clock.now()]);
      const response = await send(auth, conversation.id, { type: 'text', text: 'Hi' });
      expect(response.status).toBe(409);
      expect(response.data.error.message).toContain('Use an approved template');
      const [m] = await messagesOf(t, auth, conversation.id);
      expect(m).toMatchObject({ status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used).toBe(0);
    });

    it('when Meta accepts and then fails it by webhook (async 131047), then the message shows failed with the code, never a silent sent', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t, { customerWrites: false });
      await t.db.query('update conversations set last_inbound_at = $2 where id = $1', [conversation.id, t.clock.now()]);
      t.fakeWhatsApp.knobs.windowFailure = 'async';
      expect((await send(auth, conversation.id, { type: 'text', text: 'Hi' })).status).toBe(201);
      await t.settle();
      const [m] = await messagesOf(t, auth, conversation.id);
      expect(m).toMatchObject({ status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
    });

    it('when Meta answers 130429, then the send is retried and succeeds; a final error is not retried', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      t.fakeWhatsApp.knobs.failNext = [130429, 130429];
      expect((await send(auth, conversation.id, { type: 'text', text: 'Retry me' })).status).toBe(201);
      expect(t.fakeWhatsApp.sent.slice(-3).map((s) => s.error)).toEqual([130429, 130429, null]);

      t.fakeWhatsApp.knobs.failNext = [131026];
      const before = t.fakeWhatsApp.sent.length;
      const final = await send(auth, conversation.id, { type: 'text', text: 'Undeliverable' });
      expect(final.status).toBe(502);
      expect(final.data.error.code).toBe('send_failed');
      expect(t.fakeWhatsApp.sent.length - before).toBe(1);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used).toBe(1);
    });

    it('when 200 messages go out from one number at once, then the fake never sees more than the configured rate', async () => {
      t = await startTestApp(kind, { whatsappRate: 90 });
      const { auth, number } = await chatReady(t, { customerWrites: false });
      await t.db.query(`update licence_periods set message_limit = 1000`);
      t.fakeWhatsApp.knobs.throughput = 100;
      t.fakeWhatsApp.knobs.statuses = 'none';
      const conversations = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          t.http.post('/api/v1/conversations', { numberId: number.id, phone: `+55119${String(i).padStart(8, '0')}` }, { headers: auth }),
        ),
      );
      const results = await Promise.all(
        conversations.map((c, i) => send(auth, c.data.id, { type: 'template', name: 'order_update', language: 'en_US', bodyParameters: ['Maria', `#${i}`] })),
      );
      expect(results.every((r) => r.status === 201)).toBe(true);
      expect(t.fakeWhatsApp.sent.filter((s) => s.error === 130429)).toHaveLength(0);
      expect((await t.http.get('/api/v1/licence', { headers: auth })).data.allowance.used).toBe(200);
    });

    it('when account B uses account A’s conversation or number, then 404 and nothing is sent', async () => {
      const B = demoKommoAccount({ id: 42_000_002, subdomain: 'bolt', users: [{ id: 601, name: 'Bea Admin', isAdmin: true }] });
      t = await startTestApp(kind, { accounts: [demoKommoAccount(), B] });
      const a = await chatReady(t);
      await t.install(B.id);
      const b = (await t.session(B.id, 601)).auth;
      const before = t.fakeWhatsApp.sent.length;
      for (const call of [
        () => t.http.get(`/api/v1/conversations/${a.conversation.id}`, { headers: b }),
        () => t.http.get(`/api/v1/conversations/${a.conversation.id}/messages`, { headers: b }),
        () => send(b, a.conversation.id, { type: 'text', text: 'Not mine' }),
        () => t.http.post('/api/v1/conversations', { numberId: a.number.id, phone: '+5511900000009' }, { headers: b }),
        () => t.http.delete(`/api/v1/numbers/${a.number.id}`, { headers: b }),
        () => t.http.get(`/api/v1/numbers/${a.number.id}/templates`, { headers: b }),
        () => t.http.post(`/api/v1/numbers/${a.number.id}/templates/sync`, {}, { headers: b }),
        () => t.http.post(`/api/v1/conversations/${a.conversation.id}/opt-in`, {}, { headers: b }),
        async () => t.http.get(`/api/v1/messages/${(await t.db.query<{ id: string }>('select id from messages limit 1'))[0]!.id}/media`, { headers: b }),
        () =>
          t.http.post(`/api/v1/conversations/${a.conversation.id}/media`, Buffer.from('x'), {
            params: { kind: 'document' },
            headers: { ...b, 'Content-Type': 'text/plain' },
          }),
      ]) {
        expect((await call()).status).toBe(404);
      }
      expect((await t.http.get('/api/v1/conversations', { headers: b })).data.conversations).toEqual([]);
      expect((await t.http.get('/api/v1/numbers', { headers: b })).data.numbers).toEqual([]);
      expect(t.fakeWhatsApp.sent.length).toBe(before);
    });
  });
}
