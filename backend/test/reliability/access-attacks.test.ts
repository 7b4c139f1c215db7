import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, DEMO_AGENT_ID, demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { broadcastReady } from '../broadcast-helpers';
import { CLIENT_ID, CLIENT_SECRET, startTestApp, type TestApp } from '../harness';
import { openStream } from '../live-helpers';
import { chatReady, CUSTOMER, messagesOf } from '../whatsapp-helpers';

/**
 * Attacks by someone who had access and lost it, or who signs their messages with another name
 * (SPEC §9): each test plays the attacker and checks the defence holds. Each was seen to fail with
 * its defence removed (on the code before these defences).
 */
describe('attacks on access that ended, and on who a message is from', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  const kommoUser = (id: number) => t.fake.accounts.get(DEMO_ACCOUNT_ID)!.users.find((u) => u.id === id)!;

  async function installedWithSessions() {
    t = await startTestApp('pglite');
    await t.install(DEMO_ACCOUNT_ID);
    return { admin: (await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID)).auth, agent: (await t.session(DEMO_ACCOUNT_ID, DEMO_AGENT_ID)).auth };
  }

  it('when a disabled user keeps their live stream open, then the server ends it at once', async () => {
    const { admin, agent } = await installedWithSessions();
    const stream = await openStream(t.url, agent);
    expect(stream.status).toBe(200);
    await t.http.patch(`/api/v1/users/${DEMO_AGENT_ID}`, { enabled: false }, { headers: admin });
    await expect.poll(() => stream.ended(), { timeout: 5000 }).toBe(true);
  });

  it('when the account is uninstalled, then its open live streams end at once', async () => {
    const { agent } = await installedWithSessions();
    const stream = await openStream(t.url, agent);
    const signature = createHmac('sha256', CLIENT_SECRET).update(`${CLIENT_ID}|${DEMO_ACCOUNT_ID}`).digest('hex');
    expect((await t.http.get('/kommo/uninstall', { params: { client_uuid: CLIENT_ID, account_id: DEMO_ACCOUNT_ID, signature } })).status).toBe(204);
    await expect.poll(() => stream.ended(), { timeout: 5000 }).toBe(true);
  });

  it('when the session behind a live stream expires, then the server ends the stream within its 10-second check', async () => {
    const { agent } = await installedWithSessions();
    const stream = await openStream(t.url, agent);
    t.clock.advance(15 * 60_000 + 1000);
    await expect.poll(() => stream.ended(), { timeout: 15_000, interval: 500 }).toBe(true);
  });

  it('when a demoted admin keeps the session token they had as admin, then it can no longer do admin things', async () => {
    const { admin } = await installedWithSessions();
    kommoUser(DEMO_ADMIN_ID).isAdmin = false;
    // Kommo says so on the user's next sign-in (the widget renews its session every 15 minutes).
    await t.session(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    const created = await t.http.post('/api/v1/api-keys', { name: 'backdoor' }, { headers: admin });
    expect(created.status).toBe(403);
    expect(await t.db.query('select * from api_keys')).toHaveLength(0);
    expect((await t.http.patch(`/api/v1/users/${DEMO_AGENT_ID}`, { enabled: false }, { headers: admin })).status).toBe(403);
  });

  it('when the admin who created an API key is disabled, then the key stops working', async () => {
    const sam = { id: 8_100_003, name: 'Sam Admin', isAdmin: true };
    t = await startTestApp('pglite', { accounts: [demoKommoAccount({ users: [...demoKommoAccount().users, sam] })] });
    const { auth } = await broadcastReady(t);
    const key = { Authorization: `Bearer ${(await t.http.post('/api/v1/api-keys', { name: 'Zapier' }, { headers: auth })).data.key}` };
    expect((await t.http.get('/api/v1/numbers', { headers: key })).status).toBe(200);
    await t.http.patch(`/api/v1/users/${DEMO_ADMIN_ID}`, { enabled: false }, { headers: (await t.session(DEMO_ACCOUNT_ID, sam.id)).auth });
    expect((await t.http.get('/api/v1/numbers', { headers: key })).status).toBe(401);
    expect((await t.http.post('/api/v1/conversations', { numberId: 'any', phone: CUSTOMER }, { headers: key })).status).toBe(401);
  });

  it('when an agent’s browser reports another name, then colleagues and the Kommo notes see the agent’s name from Kommo', async () => {
    t = await startTestApp('pglite');
    const { auth: admin, conversation, fakeNumber } = await chatReady(t);
    await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'STOP');
    await t.settle();
    const forged = await t.http.post(
      '/api/v1/session',
      { user: { name: 'Dana Admin' } },
      { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_AGENT_ID) } },
    );
    const agent = { Authorization: `Bearer ${forged.data.token}` };
    await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Your refund is approved.' }, { headers: agent });
    await t.http.post(`/api/v1/conversations/${conversation.id}/opt-in`, {}, { headers: agent });
    await t.settle();
    await t.timeline.drain();

    const sent = (await messagesOf(t, admin, conversation.id)).find((m) => m.content.body === 'Your refund is approved.');
    expect(sent?.sentByName).toBe('Alex Agent');
    const noteTexts = t.fake.notes.map((n) => String(n.params.text));
    expect(noteTexts).toContain('Alex Agent recorded that the customer agreed to receive broadcasts again.');
    expect(noteTexts.join('\n')).not.toContain('Dana Admin');
  });
});
