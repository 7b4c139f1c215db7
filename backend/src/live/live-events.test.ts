import { afterEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { CLIENT_ID, CLIENT_SECRET, startTestApp, type TestApp } from '../../test/harness';
import { openStream as stream } from '../../test/live-helpers';
import { storeKinds } from '../../test/stores';
import { accountWithAudience, broadcastReady, runEngine, springSale } from '../../test/broadcast-helpers';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

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
    describe('a stream lives no longer than the access it was opened with', () => {
      async function twoStreams() {
        t = await startTestApp(kind);
        await t.install(DEMO_ACCOUNT_ID);
        const admin = (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth;
        const agent = (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth;
        return { admin, agent, adminStream: await stream(t.url, admin), agentStream: await stream(t.url, agent) };
      }

      it('when the admin disables a user, then that user’s open stream ends at once and the admin’s stays open', async () => {
        const { admin, adminStream, agentStream } = await twoStreams();
        expect((await t.http.patch(`/api/v1/users/${DEMO_AGENT_ID}`, { enabled: false }, { headers: admin })).status).toBe(200);
        await expect.poll(() => agentStream.ended()).toBe(true);
        expect(adminStream.ended()).toBe(false);
        await adminStream.close();
      });

      it('when Kommo uninstalls the widget, then every stream of the account ends', async () => {
        const { adminStream, agentStream } = await twoStreams();
        const signature = createHmac('sha256', CLIENT_SECRET).update(`${CLIENT_ID}|${DEMO_ACCOUNT_ID}`).digest('hex');
        expect((await t.http.get('/kommo/uninstall', { params: { client_uuid: CLIENT_ID, account_id: DEMO_ACCOUNT_ID, signature } })).status).toBe(204);
        await expect.poll(() => adminStream.ended() && agentStream.ended()).toBe(true);
      });

      it('when consent is withdrawn, then every stream of the account ends', async () => {
        const { admin, adminStream, agentStream } = await twoStreams();
        expect((await t.http.post('/api/v1/consent/withdraw', { confirm: true }, { headers: admin })).status).toBe(200);
        await expect.poll(() => adminStream.ended() && agentStream.ended()).toBe(true);
      });

      it('when a user’s role changes in Kommo (their next sign-in says so), then their streams opened with the old role end and others stay', async () => {
        const { adminStream, agentStream } = await twoStreams();
        t.fake.accounts.get(DEMO_ACCOUNT_ID)!.users.find((u) => u.id === DEMO_AGENT_ID)!.isAdmin = true;
        await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID);
        await expect.poll(() => agentStream.ended()).toBe(true);
        expect(adminStream.ended()).toBe(false);
        await adminStream.close();
      });

      it('when the session behind a stream expires, then the next check ends it, and a stream of a fresh session stays', async () => {
        const { adminStream, agentStream } = await twoStreams();
        t.clock.advance(10 * 60_000);
        const fresh = await stream(t.url, (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth);
        expect(await t.live.sweep()).toBe(0);
        t.clock.advance(5 * 60_000);
        await t.live.sweep();
        await expect.poll(() => adminStream.ended() && agentStream.ended()).toBe(true);
        expect(fresh.ended()).toBe(false);
        await fresh.close();
      });
    });
  });
}
