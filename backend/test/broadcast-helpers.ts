import { DEMO_ACCOUNT_ID, DEMO_ADMIN_ID, demoKommoAccount, type FakeKommoAccount } from '../../fakes/kommo/fake-kommo-data';
import type { TestApp } from './harness';

/** A valid Brazilian mobile number for contact `i` (libphonenumber checks validity, so made-up numbers must be real-looking). */
export const phoneOf = (i: number) => `+55 11 9${String(1000_0000 + i).slice(-8)}`;
export const waIdOf = (i: number) => `55119${String(1000_0000 + i).slice(-8)}`;

/** A Kommo account whose leads 10_001… each have one contact with a phone and a "City" field. */
export function accountWithAudience(size: number, overrides: Partial<FakeKommoAccount> = {}): FakeKommoAccount {
  const contacts = Array.from({ length: size }, (_, i) => ({
    id: 20_001 + i,
    name: `Customer ${i + 1}`,
    phones: [phoneOf(i + 1)],
    fields: [{ id: 700_001, name: 'City', value: `City ${i + 1}` }],
  }));
  const leads = contacts.map((c, i) => ({ id: 10_001 + i, name: `Lead ${i + 1}`, price: 100, contactIds: [c.id], responsibleUserId: 8_100_002 }));
  return demoKommoAccount({ contacts, leads, ...overrides });
}

/**
 * Installed, on Kommo Advanced, with a connected number and its templates, and (unless `plan` is
 * 'demo') a paid User licence: ready to broadcast.
 */
export async function broadcastReady(t: TestApp, options: { plan?: 'demo' | 'user'; kommoPlan?: string; numbers?: number } = {}) {
  await t.install(DEMO_ACCOUNT_ID);
  /** A session as the loader opens it (reporting the Kommo plan); again after the clock moved past its life. */
  const signIn = async () => {
    const token = await t.fake.mintDisposableToken(DEMO_ACCOUNT_ID, DEMO_ADMIN_ID);
    const session = await t.http.post('/api/v1/session', { kommoPlan: { name: options.kommoPlan ?? 'Advanced' } }, { headers: { 'X-Auth-Token': token } });
    if (session.status !== 201) throw new Error(`session failed: ${JSON.stringify(session.data)}`);
    return { Authorization: `Bearer ${session.data.token}` };
  };
  const auth = await signIn();
  const accountId = await t.accountId(DEMO_ACCOUNT_ID);
  if (options.plan !== 'demo') await t.licences.grantPeriod(accountId, 'user');
  const numbers: { id: string; phoneNumberId: string; wabaId: string }[] = [];
  for (let i = 0; i < (options.numbers ?? 1); i++) {
    const fakeNumber = t.fakeWhatsApp.addNumber();
    const connected = await t.http.post(
      '/api/v1/numbers',
      { phoneNumberId: fakeNumber.phoneNumberId, wabaId: fakeNumber.wabaId, accessToken: fakeNumber.token },
      { headers: auth },
    );
    if (connected.status !== 201) throw new Error(`connect failed: ${JSON.stringify(connected.data)}`);
    numbers.push({ id: connected.data.id, phoneNumberId: fakeNumber.phoneNumberId, wabaId: fakeNumber.wabaId });
  }
  await t.tasks.idle();
  return { auth, accountId, numbers, signIn };
}

/** The body of a broadcast of the `spring_sale` template (image header, name + fixed discount, Unsubscribe button) to leads. */
export function springSale(numbers: { id: string }[], leadIds: number[], extra: Record<string, unknown> = {}) {
  return {
    name: 'Spring sale',
    audience: { source: 'leads', ids: leadIds },
    consentSource: 'opt_in_form',
    numberIds: numbers.map((n) => n.id),
    template: { name: 'spring_sale', language: 'en_US' },
    parameters: [{ field: 'first_name' }, { value: '20%' }],
    headerMediaUrl: 'https://cdn.example.com/spring.jpg',
    ...extra,
  };
}

/** Runs engine rounds (and the webhooks they cause) until a round sends nothing. */
export async function runEngine(t: TestApp, maxRounds = 50) {
  for (let round = 0; round < maxRounds; round++) {
    const sent = await t.broadcastEngine.tick();
    await t.settle();
    if (!sent) return;
  }
}
