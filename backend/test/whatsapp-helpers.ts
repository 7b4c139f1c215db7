import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID } from '../../fakes/kommo/fake-kommo-data';
import type { TestApp } from './harness';

export const CUSTOMER = '+5511912345678';

/** An installed account with a connected sandbox number and an open conversation with a customer who wrote first. */
export async function chatReady(t: TestApp, options: { kommoAccountId?: number; adminId?: number; customerWrites?: boolean } = {}) {
  const kommoAccountId = options.kommoAccountId ?? DEMO_ACCOUNT_ID;
  await t.install(kommoAccountId);
  const { auth } = await t.session(kommoAccountId, options.adminId ?? DEMO_ADMIN_ID);
  const fakeNumber = t.fakeWhatsApp.addNumber();
  const connected = await t.http.post(
    '/api/v1/numbers',
    { phoneNumberId: fakeNumber.phoneNumberId, wabaId: fakeNumber.wabaId, accessToken: fakeNumber.token },
    { headers: auth },
  );
  if (connected.status !== 201) throw new Error(`connect failed: ${JSON.stringify(connected.data)}`);
  if (options.customerWrites !== false) {
    await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'Hello, is the order ready?', { name: 'Maria Silva' });
    await t.tasks.idle();
  }
  const conversation = (await t.http.post('/api/v1/conversations', { numberId: connected.data.id, phone: CUSTOMER }, { headers: auth })).data;
  return { auth, fakeNumber, number: connected.data as { id: string }, conversation: conversation as { id: string; windowClosesAt: string | null } };
}

export async function messagesOf(t: TestApp, auth: Record<string, string>, conversationId: string) {
  return (await t.http.get(`/api/v1/conversations/${conversationId}/messages`, { headers: auth })).data.messages as {
    id: string;
    direction: string;
    status: string;
    type: string;
    content: Record<string, unknown>;
    error: { code: number; title: string } | null;
    sentByName: string | null;
  }[];
}
