import type { APIRequestContext, Page } from '@playwright/test';

/** Setup goes through the demo's Kommo stand-in, not the UI: the install itself is tested elsewhere. */
export async function ensureInstalled(request: APIRequestContext) {
  const state = await (await request.get('/demo/kommo/state')).json();
  if (!state.installed) await request.post('/demo/kommo/install');
}

export async function signInAs(page: Page, name: 'Dana Admin (admin)' | 'Alex Agent') {
  await page.locator('#kommo-user').selectOption({ label: name });
}

/** Registration through the API with a session the demo's Kommo stand-in signs, as the loader would. */
export async function ensureRegistered(request: APIRequestContext) {
  const { token } = await (await request.post('/demo/kommo/token', { data: { userId: 8_100_001 } })).json();
  const session = await (await request.post('/api/v1/session', { headers: { 'X-Auth-Token': token }, data: {} })).json();
  const auth = { Authorization: `Bearer ${session.token}` };
  const admin = await (await request.get('/api/v1/account-admin', { headers: auth })).json();
  if (admin.registration && admin.mayOrder.allowed) return;
  const response = await request.put('/api/v1/registration', {
    headers: auth,
    data: { lastName: 'Souza', firstName: 'Dana', email: 'dana@example.com', phone: '+5511912345678', city: 'São Paulo', termsVersion: admin.terms.current.version, acceptTerms: true },
  });
  if (!response.ok()) throw new Error(`registration failed: ${await response.text()}`);
}

/** The demo's sandbox WhatsApp number connected (through the API as the admin would in the widget). */
export async function ensureNumberConnected(request: APIRequestContext) {
  const { token } = await (await request.post('/demo/kommo/token', { data: { userId: 8_100_001 } })).json();
  const session = await (await request.post('/api/v1/session', { headers: { 'X-Auth-Token': token }, data: {} })).json();
  const auth = { Authorization: `Bearer ${session.token}` };
  const { numbers } = await (await request.get('/api/v1/numbers', { headers: auth })).json();
  if (numbers.length) return;
  const state = await (await request.get('/demo/kommo/state')).json();
  const n = state.sandboxNumber;
  const response = await request.post('/api/v1/numbers', { headers: auth, data: { phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, accessToken: n.accessToken } });
  if (!response.ok()) throw new Error(`connecting the sandbox number failed: ${await response.text()}`);
}
