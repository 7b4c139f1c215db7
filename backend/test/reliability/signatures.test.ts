import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../../fakes/kommo/fake-kommo-data';
import { CLIENT_ID, startTestApp, WHATSAPP_APP_SECRET, type TestApp } from '../harness';
import { accountsAB, fingerprint, twoAccounts } from './scenario';

/**
 * Signatures and tokens: every hook and `/api/v1/session` refuses what is missing, wrong, truncated,
 * replayed or expired, and a refusal changes nothing.
 */
describe('signatures and tokens on every hook', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof twoAccounts>>;
  const tally = { tried: 0, refused: 0 };
  beforeAll(async () => {
    t = await startTestApp('pglite', { accounts: accountsAB() });
    s = await twoAccounts(t);
  });
  afterAll(async () => {
    process.stdout.write(`signatures: ${tally.tried} forged or broken calls, ${tally.refused} refused, 0 accepted\n`);
    await t.close();
  });

  async function refused(call: () => Promise<{ status: number; data: unknown }>, status: number) {
    const before = await fingerprint(t);
    const response = await call();
    tally.tried++;
    expect(response.status, JSON.stringify(response.data)).toBe(status);
    if (response.status >= 400) tally.refused++;
    expect(await fingerprint(t)).toBe(before);
  }

  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'w',
        changes: [
          {
            field: 'messages',
            value: { metadata: { phone_number_id: '1' }, messages: [{ from: '5511912345678', id: 'wamid.forged', type: 'text', text: { body: 'forged' } }] },
          },
        ],
      },
    ],
  });
  const sign = (secret: string, raw: string) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const post = (signature: string | undefined, raw = body) =>
    t.http.post('/whatsapp/webhook', raw, {
      headers: { 'Content-Type': 'application/json', ...(signature === undefined ? {} : { 'X-Hub-Signature-256': signature }) },
      transformRequest: [(d) => d],
    });

  it('when the WhatsApp webhook signature is missing, wrong, truncated or for another body, then 401 and nothing is stored', async () => {
    const good = sign(WHATSAPP_APP_SECRET, body);
    await refused(() => post(undefined), 401);
    await refused(() => post(sign('not-the-app-secret', body)), 401);
    await refused(() => post(good.slice(0, 40)), 401);
    await refused(() => post(good, body.replace('forged', 'forget')), 401);
    await refused(() => post(good.replace('sha256=', 'sha1=')), 401);
  });

  it('when the Stripe webhook signature is missing, wrong or stale, then it is refused and nothing is stored', async () => {
    const raw = JSON.stringify({ id: 'evt_forged', type: 'checkout.session.completed', data: { object: {} } });
    const at = Math.floor(t.clock.now().getTime() / 1000);
    const send = (signature?: string) =>
      t.http.post('/payments/webhook', raw, {
        headers: { 'Content-Type': 'application/json', ...(signature ? { 'Stripe-Signature': signature } : {}) },
        transformRequest: [(d) => d],
      });
    await refused(() => send(), 400);
    await refused(() => send(`t=${at},v1=${createHmac('sha256', 'whsec_wrong').update(`${at}.${raw}`).digest('hex')}`), 400);
    await refused(() => send(`t=${at - 3600},v1=deadbeef`), 400);
  });

  it('when the uninstall hook is forged, truncated or for another integration, then the account stays installed', async () => {
    const signature = createHmac('sha256', 'wrong').update(`${CLIENT_ID}|${DEMO_ACCOUNT_ID}`).digest('hex');
    await refused(() => t.http.get('/kommo/uninstall', { params: { client_uuid: CLIENT_ID, account_id: DEMO_ACCOUNT_ID, signature } }), 401);
    await refused(
      () => t.http.get('/kommo/uninstall', { params: { client_uuid: CLIENT_ID, account_id: DEMO_ACCOUNT_ID, signature: signature.slice(0, 20) } }),
      401,
    );
    await refused(() => t.http.get('/kommo/uninstall', { params: { client_uuid: CLIENT_ID, account_id: DEMO_ACCOUNT_ID } }), 401);
  });

  it('when the session token is missing, forged, expired, for another audience or replayed, then 401 and no session', async () => {
    const open = (token?: string) => t.http.post('/api/v1/session', {}, { headers: token ? { 'X-Auth-Token': token } : {} });
    await refused(() => open(), 401);
    await refused(async () => open(await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { secret: 'not-the-client-secret-at-all' })), 401);
    await refused(async () => open(await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { iatOffset: -3600 })), 401);
    await refused(async () => open(await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, { aud: 'https://elsewhere.example' })), 401);
    const token = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    expect((await open(token)).status).toBe(201);
    await refused(() => open(token), 401);
    await refused(() => open(token.slice(0, -5)), 401);
  });

  it('when a widget session or API key is forged, truncated or revoked, then 401 and nothing changes', async () => {
    const call = (auth: string) =>
      t.http.post('/api/v1/messages', { type: 'text', numberId: s.a.numbers[0]!.id, to: '+5511912345678', text: 'x' }, { headers: { Authorization: auth } });
    await refused(() => call(`${s.a.auth.Authorization.slice(0, -4)}AAAA`), 401);
    await refused(() => call(s.a.key.Authorization.slice(0, -3)), 401);
    await refused(() => call('Bearer '), 401);
    await t.http.delete(`/api/v1/api-keys/${s.a.keyId}`, { headers: s.a.auth });
    await refused(() => call(s.a.key.Authorization), 401);
  });
});
