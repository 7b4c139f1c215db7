import { afterEach, describe, expect, it } from 'vitest';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

/** Opens the event stream as the widget does (fetch with the session header) and collects what arrives. */
async function stream(url: string, auth: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/events`, { headers: auth, signal: controller.signal });
  const events: { event: string; data: { conversationId: string; messageId?: string } }[] = [];
  let buffer = '';
  const reading = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    events,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

for (const kind of storeKinds()) {
  describe(`live updates (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when a customer writes and an agent sends, then the account’s stream hears of each, and another account’s stream hears nothing', async () => {
      const B = demoKommoAccount({ id: 42_000_002, subdomain: 'bolt', users: [{ id: 601, name: 'Bea Admin', isAdmin: true }] });
      t = await startTestApp(kind, { accounts: [demoKommoAccount(), B] });
      const a = await chatReady(t);
      await t.install(B.id);
      const b = (await t.session(B.id, 601)).auth;
      const streamA = await stream(t.url, a.auth);
      const streamB = await stream(t.url, b);
      expect(streamA.status).toBe(200);

      await t.fakeWhatsApp.customerWrites(a.fakeNumber.phoneNumberId, CUSTOMER, 'Are you open on Sunday?');
      await t.http.post(`/api/v1/conversations/${a.conversation.id}/messages`, { type: 'text', text: 'Yes, 10 to 16.' }, { headers: a.auth });
      await t.settle();
      await expect.poll(() => streamA.events.map((e) => e.event)).toEqual(expect.arrayContaining(['message.created', 'message.status']));
      expect(streamA.events.every((e) => e.data.conversationId === a.conversation.id)).toBe(true);
      expect(streamA.events.filter((e) => e.event === 'message.created')).toHaveLength(2);
      expect(streamB.events).toEqual([]);
      await streamA.close();
      await streamB.close();
    });

    it('when the stream is opened without a session, then 401', async () => {
      t = await startTestApp(kind);
      const response = await fetch(`${t.url}/api/v1/events`);
      expect(response.status).toBe(401);
      await response.body?.cancel();
    });
  });
}
