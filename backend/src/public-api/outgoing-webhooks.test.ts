import { createHmac } from 'node:crypto';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../../fakes/http-server';
import { accountWithAudience, broadcastReady, phoneOf, runEngine, springSale } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

/** A receiver that checks nothing itself: it records the raw body and headers, and answers what it is told. */
async function startReceiver() {
  const received: { raw: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const answers: number[] = [];
  const app = express();
  app.post('/hook', express.raw({ type: () => true }), (req, res) => {
    received.push({ raw: (req.body as Buffer).toString('utf8'), headers: req.headers });
    res.status(answers.shift() ?? 200).end();
  });
  const server = await listen(app);
  return { url: `${server.url}/hook`, received, answers, close: server.close };
}

for (const kind of storeKinds()) {
  describe(`outgoing webhooks (${kind})`, () => {
    let t: TestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    afterEach(async () => {
      await t?.close();
      await receiver?.close();
    });

    it('when a customer writes, then the receiver gets message.received signed with the secret shown once, with an event id', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      receiver = await startReceiver();
      const { auth, numbers } = await broadcastReady(t);
      const created = await t.http.post('/api/v1/webhooks', { url: receiver.url }, { headers: auth });
      expect(created.status).toBe(201);
      const secret = created.data.secret as string;
      expect(secret).toMatch(/^whsec_/);
      expect(JSON.stringify((await t.http.get('/api/v1/webhooks', { headers: auth })).data)).not.toContain(secret);

      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'Do you ship to Recife?');
      await t.settle();
      await t.webhooks.drain();
      await t.webhooks.idle();
      const got = receiver.received.filter((r) => r.headers['x-wabridge-event'] === 'message.received');
      expect(got).toHaveLength(1);
      const { raw, headers } = got[0]!;
      expect(headers['x-wabridge-signature']).toBe(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      const event = JSON.parse(raw);
      expect(event).toMatchObject({
        type: 'message.received',
        data: { from: `+${phoneOf(1).replace(/\D/g, '')}`, type: 'text', content: { body: 'Do you ship to Recife?' } },
      });
      expect(headers['x-wabridge-event-id']).toBe(event.id);
    });

    it("when the clock is set and ids are injected, then a published event carries the clock's time and an id from the injected generator", async () => {
      let n = 0;
      const made = new Set<string>();
      const ids = () => {
        const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
        made.add(id);
        return id;
      };
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)], now: '2026-03-04T05:06:07Z', ids });
      receiver = await startReceiver();
      const { auth, numbers } = await broadcastReady(t);
      expect((await t.http.post('/api/v1/webhooks', { url: receiver.url }, { headers: auth })).status).toBe(201);
      t.clock.set('2026-03-05T08:00:00Z');
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'What time is it?');
      await t.settle();
      await t.webhooks.drain();
      await t.webhooks.idle();
      const [got] = receiver.received.filter((r) => r.headers['x-wabridge-event'] === 'message.received');
      const event = JSON.parse(got!.raw);
      expect(event.createdAt).toBe('2026-03-05T08:00:00.000Z');
      expect(made.has(event.id)).toBe(true);
      const log = await t.db.query<{ id: string }>('select id from webhook_deliveries where event_id = $1', [event.id]);
      expect(log.length).toBe(1);
      expect(made.has(log[0]!.id)).toBe(true);
    });

    it('when the receiver answers 500, then the event is retried later and delivered once; the log shows the attempts', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      receiver = await startReceiver();
      const { auth, numbers } = await broadcastReady(t);
      const endpoint = (await t.http.post('/api/v1/webhooks', { url: receiver.url }, { headers: auth })).data;
      receiver.answers.push(500);
      await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'Hello?');
      await t.settle();
      await t.webhooks.drain();
      await t.webhooks.idle();
      expect(receiver.received).toHaveLength(1);
      // Not due again yet.
      await t.webhooks.drain();
      await t.webhooks.idle();
      expect(receiver.received).toHaveLength(1);
      t.clock.advance(60_000);
      await t.webhooks.drain();
      await t.webhooks.idle();
      t.clock.advance(10 * 60_000);
      await t.webhooks.drain();
      await t.webhooks.idle();
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.headers['x-wabridge-event-id']).toBe(receiver.received[0]!.headers['x-wabridge-event-id']);
      const log = (await t.http.get(`/api/v1/webhooks/${endpoint.id}/deliveries`, { headers: auth })).data.deliveries;
      const received = log.find((d: { type: string }) => d.type === 'message.received');
      expect(received).toMatchObject({ attempts: 2, lastStatus: 200, lastError: null, deliveredAt: expect.any(String), gaveUpAt: null });
      t.clock.advance(3600_000);
      await t.webhooks.drain();
      await t.webhooks.idle();
      expect(receiver.received).toHaveLength(2);
    });

    it('when a broadcast runs, then progress events come and broadcast.finished comes once', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(3)], broadcastBatch: 1 });
      receiver = await startReceiver();
      const { auth, numbers } = await broadcastReady(t);
      await t.http.post('/api/v1/webhooks', { url: receiver.url }, { headers: auth });
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001, 10_002, 10_003]), { headers: auth })).data;
      await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, {}, { headers: auth });
      await runEngine(t);
      await t.broadcastEngine.tick();
      await t.webhooks.drain();
      await t.webhooks.idle();
      const types = receiver.received.map((r) => JSON.parse(r.raw).type as string);
      expect(types.filter((x) => x === 'broadcast.progress').length).toBeGreaterThanOrEqual(3);
      expect(types.filter((x) => x === 'broadcast.finished')).toHaveLength(1);
      const finished = receiver.received.map((r) => JSON.parse(r.raw)).find((e) => e.type === 'broadcast.finished');
      expect(finished.data).toMatchObject({ broadcastId: draft.id, status: 'completed', counts: { sent: 3, queued: 0 } });
      expect(types).toContain('message.status');
    });

    it('when input is bad or the receiver is unknown, then the error shape comes back and nothing changes', async () => {
      t = await startTestApp(kind, { accounts: [accountWithAudience(1)] });
      const { auth } = await broadcastReady(t);
      for (const body of [{ url: 'ftp://example.com/x' }, { url: 'not a url' }, {}, { url: 'https://example.com', extra: 1 }]) {
        const r = await t.http.post('/api/v1/webhooks', body, { headers: auth });
        expect(r.status).toBe(400);
        expect(r.data.error.code).toBe('invalid_request');
      }
      expect((await t.http.delete('/api/v1/webhooks/nope', { headers: auth })).status).toBe(404);
      expect((await t.http.get('/api/v1/webhooks/nope/deliveries', { headers: auth })).status).toBe(404);
      expect((await t.http.get('/api/v1/webhooks', { headers: auth })).data.endpoints).toEqual([]);
    });
  });
}
