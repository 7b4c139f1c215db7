import axios from 'axios';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChannelHttpApi, type ChannelApi } from '../../backend/src/kommo-channel/channel-api';
import { signAmojoRequest } from '../../backend/src/kommo-channel/channel-rules';
import { amojoIdOf, startFakeKommo, type FakeKommo } from './fake-kommo';
import { DEMO_ACCOUNT_ID } from './fake-kommo-data';

const CHANNEL = { channelId: 'c0ffee00-0000-4000-8000-000000000001', channelSecret: 'channel-secret-for-tests', botId: 'b0000000-0000-4000-8000-000000000001' };
const AMOJO_ACCOUNT = amojoIdOf('account', DEMO_ACCOUNT_ID);
const CUSTOMER = { id: 'wa-5511912345678', name: 'Maria Silva', phone: '+5511912345678' };

describe('the fake Kommo speaks the Chats API (amojo) with its signature checks', () => {
  let fake: FakeKommo;
  let api: ChannelApi;
  let now: Date;

  beforeEach(async () => {
    now = new Date('2026-11-21T10:00:00Z');
    fake = await startFakeKommo({
      clientId: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21',
      clientSecret: 'fake-kommo-test-secret',
      redirectUri: 'http://127.0.0.1:9/kommo/install',
      uninstallUrl: 'http://127.0.0.1:9/kommo/uninstall',
      channel: CHANNEL,
      now: () => now,
    });
    api = createChannelHttpApi({
      channelId: CHANNEL.channelId,
      secret: CHANNEL.channelSecret,
      botId: CHANNEL.botId,
      amojoBase: fake.url,
      title: 'Wabridge',
      now: () => now,
    });
  });
  afterEach(async () => {
    await fake.close();
  });

  /** A signed POST like ours, with one thing spoiled. */
  async function forged(spoil: { md5?: string; at?: Date; secret?: string }) {
    const path = `/v2/origin/custom/${CHANNEL.channelId}/connect`;
    const body = JSON.stringify({ account_id: AMOJO_ACCOUNT, title: 'Wabridge', hook_api_version: 'v2' });
    const headers = signAmojoRequest({ method: 'POST', path, body, secret: spoil.secret ?? CHANNEL.channelSecret, at: spoil.at ?? now });
    if (spoil.md5) headers['Content-MD5'] = spoil.md5;
    const r = await axios.post(fake.url + path, body, { headers, validateStatus: () => true, transformRequest: [(d: unknown) => d] });
    return r.status;
  }

  it('when our adapter connects, then the request carries exactly the headers Kommo documents, and the fake answers a scope id', async () => {
    const { scopeId } = await api.connect(AMOJO_ACCOUNT);
    expect(scopeId).toBe(`${CHANNEL.channelId}_${AMOJO_ACCOUNT}`);
    const [request] = fake.amojo.requests;
    expect(Object.keys(request!.headers).sort()).toEqual(['content-md5', 'content-type', 'date', 'x-signature']);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.date).toBe('Sat, 21 Nov 2026 10:00:00 +0000');
    expect(request!.headers['content-md5']).toMatch(/^[0-9a-f]{32}$/);
    expect(request!.headers['x-signature']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('when the Content-MD5 is wrong, then the fake refuses the import', async () => {
    expect(await forged({ md5: 'd41d8cd98f00b204e9800998ecf8427e' })).toBe(400);
    expect(fake.amojo.connections.size).toBe(0);
  });

  it('when the Date is more than 15 minutes old, then the fake refuses it', async () => {
    expect(await forged({ at: new Date(now.getTime() - 16 * 60_000) })).toBe(401);
    expect(await forged({ at: new Date(now.getTime() - 14 * 60_000) })).toBe(200);
  });

  it('when the request is signed with another secret, then the fake refuses it', async () => {
    expect(await forged({ secret: 'not-the-channel-secret' })).toBe(403);
    expect(fake.amojo.connections.size).toBe(0);
  });

  it('when an incoming message arrives in a chat no contact holds, then Kommo makes an incoming lead; a pre-created chat linked to the contact makes none', async () => {
    const { scopeId } = await api.connect(AMOJO_ACCOUNT);
    await api.importMessage(scopeId, { msgid: 'm-1', conversationId: 'conv-1', at: now, direction: 'in', customer: CUSTOMER, text: 'Hello' });
    expect(fake.incomingLeads).toHaveLength(1);

    const { chatId } = await api.createChat(scopeId, { conversationId: 'conv-2', customer: { ...CUSTOMER, id: 'wa-5521987654321' } });
    fake.accounts.get(DEMO_ACCOUNT_ID)!.installed = true;
    const token = await oauthToken(fake);
    await createChannelHttpApi({
      channelId: CHANNEL.channelId,
      secret: CHANNEL.channelSecret,
      botId: CHANNEL.botId,
      amojoBase: fake.url,
      apiBase: fake.url,
      title: 'Wabridge',
      now: () => now,
    }).linkChat('ignored', token, chatId, 2001);
    await api.importMessage(scopeId, {
      msgid: 'm-2',
      conversationId: 'conv-2',
      at: now,
      direction: 'in',
      customer: { ...CUSTOMER, id: 'wa-5521987654321' },
      text: 'Hi again',
    });
    expect(fake.incomingLeads).toHaveLength(1);
    expect(fake.amojo.chatOf('conv-2')).toMatchObject({ id: chatId, contactId: 2001 });
  });

  it('when the same msgid is imported twice, then the chat holds it once; a disconnected scope refuses imports', async () => {
    const { scopeId } = await api.connect(AMOJO_ACCOUNT);
    const m = {
      msgid: 'm-1',
      conversationId: 'conv-1',
      at: now,
      direction: 'out' as const,
      customer: CUSTOMER,
      refId: CHANNEL.botId,
      text: 'Your order ships today',
    };
    await api.importMessage(scopeId, m);
    await api.importMessage(scopeId, m);
    expect(fake.amojo.messages).toHaveLength(1);
    expect(fake.amojo.messages[0]).toMatchObject({ direction: 'out', refId: CHANNEL.botId, text: 'Your order ships today' });
    await api.deliveryStatus(scopeId, 'm-1', { code: -1, errorCode: 905, error: 'Message undeliverable (code 131026)' });
    expect(fake.amojo.messages[0]).toMatchObject({ deliveryStatus: -1, errorCode: 905, error: 'Message undeliverable (code 131026)' });
    await api.disconnect(AMOJO_ACCOUNT);
    await expect(api.importMessage(scopeId, { ...m, msgid: 'm-2' })).rejects.toMatchObject({ status: 404 });
  });

  it('when a manager answers in Kommo’s chat, then the hook is signed with HMAC-SHA1 of the raw body, sent once, or twice with the knob', async () => {
    const received: { body: string; signature: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['x-signature']) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await fake.close();
    fake = await startFakeKommo({
      clientId: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21',
      clientSecret: 'fake-kommo-test-secret',
      redirectUri: 'http://127.0.0.1:9/kommo/install',
      uninstallUrl: 'http://127.0.0.1:9/kommo/uninstall',
      channel: { ...CHANNEL, hookUrl: `http://127.0.0.1:${port}/kommo/channel` },
      now: () => now,
    });
    api = createChannelHttpApi({
      channelId: CHANNEL.channelId,
      secret: CHANNEL.channelSecret,
      botId: CHANNEL.botId,
      amojoBase: fake.url,
      title: 'Wabridge',
      now: () => now,
    });
    const { scopeId } = await api.connect(AMOJO_ACCOUNT);
    await api.importMessage(scopeId, { msgid: 'm-1', conversationId: 'conv-1', at: now, direction: 'in', customer: CUSTOMER, text: 'Hello' });
    await fake.amojo.managerReplies('conv-1', 'Hi Maria!', { amojoId: amojoIdOf('user', 8_100_002), name: 'Alex Agent' });
    fake.amojo.knobs.hookTwice = true;
    await fake.amojo.managerReplies('conv-1', 'Anything else?', { amojoId: amojoIdOf('user', 8_100_002), name: 'Alex Agent' });
    server.close();
    expect(received).toHaveLength(3);
    for (const r of received) expect(r.signature).toBe(createHmac('sha1', CHANNEL.channelSecret).update(r.body).digest('hex'));
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      account_id: AMOJO_ACCOUNT,
      message: { conversation: { client_id: 'conv-1' }, message: { type: 'text', text: 'Hi Maria!' } },
    });
  });

  it('when the slow and 5xx knobs are set, then amojo answers late, then with the forced status', async () => {
    fake.amojo.knobs.slowMs = 150;
    fake.amojo.knobs.failNext.push(502);
    const started = Date.now();
    await expect(api.connect(AMOJO_ACCOUNT)).rejects.toMatchObject({ status: 502 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    fake.amojo.knobs.slowMs = 0;
    await expect(api.connect(AMOJO_ACCOUNT)).resolves.toMatchObject({ scopeId: expect.any(String) });
  });
});

async function oauthToken(fake: FakeKommo) {
  const r = await axios.post(`${fake.url}/oauth2/access_token`, {
    client_id: '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21',
    client_secret: 'fake-kommo-test-secret',
    grant_type: 'authorization_code',
    code: fake.mintCode(DEMO_ACCOUNT_ID),
    redirect_uri: 'http://127.0.0.1:9/kommo/install',
  });
  return r.data.access_token as string;
}
