import { accountWithAudience, broadcastReady, phoneOf } from '../../backend/test/broadcast-helpers';
import { startTestApp } from '../../backend/test/harness';

/**
 * Store round trips per send, counted the way the tests count them (`backend/test/round-trips.ts`:
 * each statement one, a transaction two more), on the store of the run: a public API send with an
 * API key (a template to a new customer, as the relay benchmark sends) and an agent's text in the chat.
 */
export async function sendRoundTrips(store: 'pglite' | 'postgres', sends = 10) {
  const t = await startTestApp(store, { accounts: [accountWithAudience(1)], apiRate: { perSecond: 1000, burst: 1000 }, countRoundTrips: true });
  try {
    const { auth, numbers } = await broadcastReady(t);
    const key = { Authorization: `Bearer ${(await t.http.post('/api/v1/api-keys', { name: 'bench' }, { headers: auth })).data.key}` };
    await t.fakeWhatsApp.customerWrites(numbers[0]!.phoneNumberId, phoneOf(1), 'Hello');
    await t.settle();
    const conversation = (await t.http.get('/api/v1/conversations', { headers: auth })).data.conversations[0];
    for (let i = 0; i < sends; i++) {
      const api = await t.http.post(
        '/api/v1/messages',
        { type: 'template', numberId: numbers[0]!.id, to: `+55119${String(20_000_000 + i)}`, name: 'come_back', language: 'en_US', bodyParameters: ['friend'] },
        { headers: key },
      );
      const chat = await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: `Reply ${i}` }, { headers: auth });
      if (api.status !== 201 || chat.status !== 201) throw new Error(`send failed: ${JSON.stringify(api.data)} ${JSON.stringify(chat.data)}`);
    }
    const of = (path: (p: string) => boolean) => t.requestTrips.filter((r) => r.method === 'POST' && path(r.path)).map((r) => r.trips);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const api = of((p) => p === '/api/v1/messages');
    const chat = of((p) => p.endsWith('/messages') && p.startsWith('/api/v1/conversations/'));
    return { api: { mean: mean(api), max: Math.max(...api) }, chat: { mean: mean(chat), max: Math.max(...chat) } };
  } finally {
    await t.close();
  }
}
