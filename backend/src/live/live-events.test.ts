import { afterEach, describe, expect, it } from 'vitest';
import { readEventStream, type LiveEventData } from '../../../contract/event-stream';
import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { accountWithAudience, broadcastReady, runEngine, springSale } from '../../test/broadcast-helpers';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

/** Opens the event stream as the widget does (fetch with the session header) and collects what arrives. */
async function stream(url: string, auth: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/events`, { headers: auth, signal: controller.signal });
  const events: { event: string; data: LiveEventData }[] = [];
  // Aborting at close ends the read.
  const reading = readEventStream(response.body!, (event, data) => events.push({ event, data })).catch(() => undefined);
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

    it('when broadcast messages are delivered and read, then their status events name the broadcast (its counts moved)', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(2)] });
      const { auth, numbers } = await broadcastReady(t);
      const live = await stream(t.url, auth);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001, 10_002]), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, { expectedRecipients: 2 }, { headers: auth });
      await runEngine(t);
      expect((await t.http.get(`/api/v1/broadcasts/${draft.id}`, { headers: auth })).data.counts).toMatchObject({ delivered: 2, read: 2 });
      // Each of the two messages was heard of, naming the broadcast (changes committed together may
      // come as one event: PostgreSQL folds identical notifications of one transaction).
      const heard = () => new Set(live.events.filter((e) => e.event === 'message.status' && e.data.broadcastId === draft.id).map((e) => e.data.messageId));
      await expect.poll(() => heard().size, { timeout: 5000 }).toBe(2);
      await live.close();
    });

    it('when the stream is opened without a session, then 401', async () => {
      t = await startTestApp(kind);
      const response = await fetch(`${t.url}/api/v1/events`);
      expect(response.status).toBe(401);
      await response.body?.cancel();
    });
  });
}
