import { demoKommoAccount } from '../../../fakes/kommo/fake-kommo-data';
import { accountWithAudience, broadcastReady, phoneOf, springSale } from '../broadcast-helpers';
import type { TestApp } from '../harness';

/** Account B: installed on Kommo Advanced, with its own admin, key and nothing else. */
export const ACCOUNT_B = demoKommoAccount({
  id: 31_000_002,
  subdomain: 'other',
  name: 'Other Co',
  users: [{ id: 8_200_001, name: 'Bea', isAdmin: true }],
  contacts: [],
  leads: [],
});
export const accountsAB = () => [accountWithAudience(2), ACCOUNT_B];

/** Tables whose rows a refused request must never add to, change or remove. */
const WATCHED = [
  'accounts',
  'account_users',
  'account_settings',
  'whatsapp_numbers',
  'whatsapp_inbox',
  'conversations',
  'messages',
  'broadcasts',
  'broadcast_recipients',
  'saved_audiences',
  'api_keys',
  'api_idempotency',
  'webhook_endpoints',
  'webhook_deliveries',
  'dp_automations',
  'dp_runs',
  'orders',
  'licence_periods',
];

/** A fingerprint of the watched tables' contents (whole rows), to prove a refused request changed nothing. */
export async function fingerprint(t: TestApp, accountId?: string): Promise<string> {
  const parts: string[] = [];
  for (const table of WATCHED) {
    const scoped = accountId && table !== 'whatsapp_inbox' && table !== 'accounts';
    // A key's last use is bookkeeping, not state: only which keys exist and are revoked counts.
    const row = table === 'api_keys' ? `(x.id, x.revoked_at)::text` : 'x::text';
    const rows = await t.db.query(
      `select md5(coalesce(string_agg(${row}, '|' order by ${row}), '')) as h, count(*) as n from ${table} x${scoped ? ' where account_id = $1' : ''}`,
      scoped ? [accountId] : [],
    );
    parts.push(`${table}:${(rows[0] as { n: string }).n}:${(rows[0] as { h: string }).h}`);
  }
  return parts.join(';');
}

/**
 * Account A with something of everything: a number, a conversation with messages, a draft
 * broadcast, an API key, a webhook receiver. Account B installed with its own session and key.
 */
export async function twoAccounts(t: TestApp) {
  const a = await broadcastReady(t);
  const aKey = (await t.http.post('/api/v1/api-keys', { name: 'A key' }, { headers: a.auth })).data;
  await t.fakeWhatsApp.customerWrites(a.numbers[0]!.phoneNumberId, phoneOf(1), 'Hello from A’s customer');
  await t.settle();
  const conversation = (await t.http.get('/api/v1/conversations', { headers: a.auth })).data.conversations[0] as { id: string };
  const message = (await t.http.get(`/api/v1/conversations/${conversation.id}/messages`, { headers: a.auth })).data.messages[0] as { id: string };
  const broadcast = (await t.http.post('/api/v1/broadcasts', springSale(a.numbers, [10_001, 10_002]), { headers: a.auth })).data as { id: string };
  const webhook = (await t.http.post('/api/v1/webhooks', { url: 'https://receiver.example.com/hook' }, { headers: a.auth })).data as { id: string };

  await t.install(ACCOUNT_B.id);
  const bToken = await t.fake.mintDisposableToken(ACCOUNT_B.id, 8_200_001);
  const bSession = (await t.http.post('/api/v1/session', { kommoPlan: { name: 'Advanced' } }, { headers: { 'X-Auth-Token': bToken } })).data;
  const bAuth = { Authorization: `Bearer ${bSession.token}` };
  const bKey = (await t.http.post('/api/v1/api-keys', { name: 'B key' }, { headers: bAuth })).data;
  return {
    a: { ...a, key: { Authorization: `Bearer ${aKey.key}` }, keyId: aKey.id as string, conversation, message, broadcast, webhook },
    b: { auth: bAuth, key: { Authorization: `Bearer ${bKey.key}` }, accountId: await t.accountId(ACCOUNT_B.id) },
  };
}
