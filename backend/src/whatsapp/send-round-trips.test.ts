import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, phoneOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady } from '../../test/whatsapp-helpers';

/** The send path's budget (issue #17, docs/decisions/025): a transaction before Meta's call and one after, reads folded. */
const BUDGET = 6;

for (const kind of storeKinds()) {
  describe(`the send path's store round trips (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    const tripsOf = (method: string, path: string) => t.requestTrips.filter((r) => r.method === method && r.path === path);

    it('when an API send succeeds, then it costs at most 6 store round trips', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)], countRoundTrips: true });
      const { auth, numbers } = await broadcastReady(t);
      const created = await t.http.post('/api/v1/api-keys', { name: 'Zapier' }, { headers: auth });
      const key = { Authorization: `Bearer ${created.data.key}` };
      // A template to a customer never written to, a second one under an Idempotency-Key, and text to a customer who wrote (the window is open).
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(3), 'Hi, any news?');
      await t.settle();
      const bodies = [
        { type: 'template', numberId: numbers[0]!.id, to: phoneOf(1), name: 'come_back', language: 'en_US', bodyParameters: ['friend'] },
        { type: 'template', numberId: numbers[0]!.id, to: phoneOf(2), name: 'come_back', language: 'en_US', bodyParameters: ['friend'] },
        { type: 'text', numberId: numbers[0]!.id, to: phoneOf(3), text: 'Your order has shipped' },
      ];
      for (const [i, body] of bodies.entries()) {
        const sent = await t.http.post('/api/v1/messages', body, { headers: i === 1 ? { ...key, 'Idempotency-Key': 'order-1001-shipped' } : key });
        expect(sent.status, JSON.stringify(sent.data)).toBe(201);
        expect(sent.data).toMatchObject({ direction: 'out', type: body.type, status: 'queued' });
      }
      expect(t.fakeWhatsApp.sent.filter((s) => s.wamid)).toHaveLength(3);
      const sends = tripsOf('POST', '/api/v1/messages');
      expect(sends).toHaveLength(3);
      for (const send of sends) expect(send.trips, JSON.stringify(sends)).toBeLessThanOrEqual(BUDGET);
    });

    it('when an agent sends from the chat, then it costs at most 6 store round trips', async () => {
      t = await startTestApp(kind, { countRoundTrips: true });
      const { auth, conversation } = await chatReady(t);
      for (const text of ['One', 'Two']) {
        const sent = await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text }, { headers: auth });
        expect(sent.status, JSON.stringify(sent.data)).toBe(201);
        expect(sent.data).toMatchObject({ direction: 'out', type: 'text', content: { body: text } });
      }
      const sends = tripsOf('POST', `/api/v1/conversations/${conversation.id}/messages`);
      expect(sends).toHaveLength(2);
      for (const send of sends) expect(send.trips, JSON.stringify(sends)).toBeLessThanOrEqual(BUDGET);
    });
  });
}
