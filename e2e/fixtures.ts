import { expect, test as base, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';

/*
 * Each test starts from a Kommo account of its own (decision 031): the demo makes a fresh one
 * (POST /demo/accounts, demo mode only) with a sandbox WhatsApp number of its own, and Kommo's real
 * install flow installs Wabridge in it. The demo page and its calls act on the account a cookie
 * names; `page`, `context` and `request` carry it. Nothing a test does is seen by another test, so
 * tests run in any order, alone or repeated.
 */

/** The cookie the demo reads to know which of its Kommo accounts a page or call acts on. */
const ACCOUNT_COOKIE = 'wabridge_demo_account';

export interface DemoAccount {
  id: number;
  name: string;
  subdomain: string;
  installed: boolean;
  users: { id: number; name: string; isAdmin: boolean }[];
  leads: { id: number; name: string; contactIds: number[] }[];
  contacts: { id: number; name: string; phones: string[] }[];
  /** The sandbox number an admin connects in the widget. */
  sandboxNumber: { phoneNumberId: string; wabaId: string; accessToken: string; displayPhoneNumber: string };
  /** The sandbox number as Wabridge lists it once connected (with `numberConnected`), else null. */
  number: { id: string; phoneNumberId: string; displayPhoneNumber: string } | null;
}

/** The admin's widget API: a call that throws unless the answer is 2xx. */
export type WidgetApi = (method: 'get' | 'post' | 'put' | 'delete', path: string, data?: unknown) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Fixtures {
  /** Whether Wabridge is installed in the test's account when the test starts (yes unless the test says otherwise). */
  installed: boolean;
  /** Whether the admin has connected the account's sandbox number when the test starts (through the widget's API; no unless the test says so). */
  numberConnected: boolean;
  /** Whether the admin has registered the account (their details, the current terms accepted: what buying needs) when the test starts; no unless the test says so. */
  registered: boolean;
  /** The test's own Kommo account. */
  account: DemoAccount;
  /** Signs the admin in to the widget API as the loader would on Kommo Advanced (sessions are short: sign in again after the clock jumps). */
  adminApi: () => Promise<WidgetApi>;
  /** Maria (the first lead's customer) got the spring_sale broadcast, whose template has quick-reply and Unsubscribe buttons; the broadcast has run. */
  springSale: { id: string; name: string; status: string; counts: { sent: number } };
  /** Another browser on the same account, e.g. a second agent's; closed after the test. */
  newContext: () => Promise<BrowserContext>;
}

export const test = base.extend<Fixtures>({
  installed: [true, { option: true }],
  numberConnected: [false, { option: true }],
  registered: [false, { option: true }],

  account: async ({ playwright, baseURL, installed, numberConnected, registered }, use) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    const made = await anonymous.post('/demo/accounts');
    if (!made.ok()) throw new Error(`making a demo account failed: ${made.status()} ${await made.text()}`);
    const { id } = (await made.json()) as { id: number };
    await anonymous.dispose();
    const own = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${ACCOUNT_COOKIE}=${id}` } });
    // Kommo's install: it calls our install hook with a code, and we exchange it for tokens.
    const answer = installed ? await own.post('/demo/kommo/install') : await own.get('/demo/kommo/state');
    if (!answer.ok()) throw new Error(`setting up demo account ${id} failed: ${answer.status()} ${await answer.text()}`);
    const state = await answer.json();
    if (state.installed !== installed) throw new Error(`demo account ${id}: installed is ${state.installed}, expected ${installed}`);
    let number = null;
    if (numberConnected || registered) {
      const api = await widgetApi(own, state.users.find((u: { isAdmin: boolean }) => u.isAdmin).id, 'Advanced');
      const n = state.sandboxNumber;
      if (numberConnected) number = await api('post', '/numbers', { phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, accessToken: n.accessToken });
      if (registered) {
        const { terms } = await api('get', '/account-admin');
        await api('put', '/registration', {
          lastName: 'Souza',
          firstName: 'Dana',
          email: 'dana@example.com',
          phone: '+5511912345678',
          city: 'São Paulo',
          termsVersion: terms.current.version,
          acceptTerms: true,
        });
      }
    }
    await own.dispose();
    await use({
      ...state.account,
      installed: state.installed,
      users: state.users,
      leads: state.leads,
      contacts: state.contacts,
      sandboxNumber: state.sandboxNumber,
      number,
    });
  },

  context: async ({ context, account, baseURL }, use) => {
    await context.addCookies([{ name: ACCOUNT_COOKIE, value: String(account.id), url: baseURL! }]);
    await use(context);
  },

  request: async ({ playwright, baseURL, account }, use) => {
    const request = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${ACCOUNT_COOKIE}=${account.id}` } });
    await use(request);
    await request.dispose();
  },

  adminApi: async ({ request, account }, use) => {
    await use(() => widgetApi(request, account.users.find((u) => u.isAdmin)!.id, 'Advanced'));
  },

  springSale: async ({ adminApi, account }, use) => {
    if (!account.number) throw new Error('springSale needs test.use({ numberConnected: true })');
    const api = await adminApi();
    const sale = await api('post', '/broadcasts', {
      name: 'Spring sale',
      audience: { source: 'leads', ids: [account.leads[0]!.id] },
      consentSource: 'existing_customers',
      numberIds: [account.number.id],
      template: { name: 'spring_sale', language: 'en_US' },
      parameters: [{ field: 'first_name' }, { value: '20%' }],
      headerMediaUrl: 'https://example.com/spring.png',
    });
    await api('post', `/broadcasts/${sale.id}/launch`, {});
    await expect.poll(async () => (await api('get', `/broadcasts/${sale.id}`)).status, { timeout: 20_000 }).toBe('completed');
    await use(await api('get', `/broadcasts/${sale.id}`));
  },

  newContext: async ({ browser, account, baseURL }, use) => {
    const opened: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext();
      opened.push(context);
      await context.addCookies([{ name: ACCOUNT_COOKIE, value: String(account.id), url: baseURL! }]);
      return context;
    });
    for (const context of opened) await context.close();
  },
});

export { expect };

/** The widget API as the loader opens it: a one-time Kommo token for the user, exchanged for a session. */
async function widgetApi(request: APIRequestContext, userId: number, kommoPlan: string): Promise<WidgetApi> {
  const { token } = await (await request.post('/demo/kommo/token', { data: { userId } })).json();
  const session = await request.post('/api/v1/session', { headers: { 'X-Auth-Token': token }, data: { kommoPlan: { name: kommoPlan } } });
  if (!session.ok()) throw new Error(`signing in failed: ${session.status()} ${await session.text()}`);
  const headers = { Authorization: `Bearer ${(await session.json()).token}` };
  return async (method, path, data) => {
    const response = await request[method](`/api/v1${path}`, { headers, ...(data ? { data } : {}) });
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
    return response.status() === 204 ? undefined : response.json();
  };
}

/** Switches the Kommo user the demo page is signed in as. */
export async function signInAs(page: Page, name: 'Dana Admin (admin)' | 'Alex Agent') {
  await page.locator('#kommo-user').selectOption({ label: name });
}
