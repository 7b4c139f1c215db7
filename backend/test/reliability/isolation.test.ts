import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/public-api/openapi';
import { startTestApp, type TestApp } from '../harness';
import { accountsAB, fingerprint, twoAccounts } from './scenario';

/**
 * SPEC §8 / tenant isolation: every `/api/v1` route that takes an id, called with account B's session
 * and with B's API key on account A's ids. Nothing of A comes back, and A's rows stay as they were.
 */
describe('tenant isolation sweep', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof twoAccounts>>;
  let aAccount: string;
  beforeAll(async () => {
    t = await startTestApp('pglite', { accounts: accountsAB() });
    s = await twoAccounts(t);
    aAccount = await t.accountId(31_000_001);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Account A's ids for each path parameter. */
  const idsOfA = () => ({
    conversationId: s.a.conversation.id,
    broadcastId: s.a.broadcast.id,
    numberId: s.a.numbers[0]!.id,
    messageId: s.a.message.id,
    keyId: s.a.keyId,
    endpointId: s.a.webhook.id,
    userId: '8100002',
    orderId: 'none',
  });
  const fill = (path: string) => path.replace(/:([A-Za-z]+)/g, (_, p: string) => idsOfA()[p as keyof ReturnType<typeof idsOfA>]);

  const widgetRoutes: { method: 'get' | 'post' | 'patch' | 'delete'; path: string; body?: unknown }[] = [
    { method: 'get', path: '/api/v1/messages/:messageId/media' },
    { method: 'post', path: '/api/v1/conversations/:conversationId/read' },
    { method: 'post', path: '/api/v1/conversations/:conversationId/opt-in' },
    { method: 'post', path: '/api/v1/conversations/:conversationId/messages', body: { type: 'text', text: 'from B' } },
    { method: 'post', path: '/api/v1/numbers/:numberId/templates/sync' },
    { method: 'delete', path: '/api/v1/numbers/:numberId' },
    { method: 'delete', path: '/api/v1/api-keys/:keyId' },
    { method: 'delete', path: '/api/v1/webhooks/:endpointId' },
    { method: 'get', path: '/api/v1/webhooks/:endpointId/deliveries' },
    { method: 'patch', path: '/api/v1/users/:userId', body: { enabled: false } },
  ];
  const publicWithIds = PUBLIC_ROUTES.filter((r) => r.path.includes(':')).map((r) => ({
    method: r.method,
    path: r.path,
    body: r.path.endsWith('/launch') ? { expectedRecipients: 2 } : undefined,
  }));

  for (const who of ['session', 'key'] as const) {
    for (const route of [...publicWithIds, ...widgetRoutes]) {
      it(`when account B’s ${who} calls ${route.method.toUpperCase()} ${route.path} with A’s ids, then nothing of A is returned or changed`, async () => {
        const before = await fingerprint(t, aAccount);
        const headers = who === 'session' ? s.b.auth : s.b.key;
        const url = fill(route.path);
        const response = await t.http.request({ method: route.method, url, data: route.body, headers });
        expect(response.status, JSON.stringify(response.data)).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        const text = JSON.stringify(response.data);
        for (const id of Object.values(idsOfA())) if (id.length > 8) expect(text).not.toContain(id);
        expect(await fingerprint(t, aAccount)).toBe(before);
      });
    }
  }

  it('when B lists conversations, broadcasts, numbers, keys and webhooks, then only B’s (none) come back', async () => {
    for (const [path, field] of [
      ['/api/v1/conversations', 'conversations'],
      ['/api/v1/broadcasts', 'broadcasts'],
      ['/api/v1/numbers', 'numbers'],
      ['/api/v1/webhooks', 'endpoints'],
      ['/api/v1/audiences', 'audiences'],
    ] as const) {
      expect((await t.http.get(path, { headers: s.b.auth })).data[field], path).toEqual([]);
    }
    expect((await t.http.get('/api/v1/api-keys', { headers: s.b.auth })).data.keys.map((k: { name: string }) => k.name)).toEqual(['B key']);
  });
});
