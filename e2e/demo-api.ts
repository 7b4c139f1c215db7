import type { APIRequestContext, Page } from '@playwright/test';

/** Setup goes through the demo's Kommo stand-in, not the UI: the install itself is tested elsewhere. */
export async function ensureInstalled(request: APIRequestContext) {
  const state = await (await request.get('/demo/kommo/state')).json();
  if (!state.installed) await request.post('/demo/kommo/install');
}

export async function signInAs(page: Page, name: 'Dana Admin (admin)' | 'Alex Agent') {
  await page.locator('#kommo-user').selectOption({ label: name });
}
