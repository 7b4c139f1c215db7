import { expect, test, type APIRequestContext } from '@playwright/test';
import { ensureInstalled, ensureNumberConnected } from './demo-api';
import { widgetFrame } from './widget-frame';

test.describe.configure({ mode: 'serial' });

test.beforeEach(async ({ request }) => {
  await ensureInstalled(request);
  await ensureNumberConnected(request);
});

/** The demo admin's widget API, as the loader would open it on a Kommo Advanced account. */
async function adminApi(request: APIRequestContext) {
  const { token } = await (await request.post('/demo/kommo/token', { data: { userId: 8_100_001 } })).json();
  const session = await (await request.post('/api/v1/session', { headers: { 'X-Auth-Token': token }, data: { kommoPlan: { name: 'Advanced' } } })).json();
  const headers = { Authorization: `Bearer ${session.token}` };
  return async (method: 'get' | 'post', path: string, data?: unknown) => {
    const response = await request[method](`/api/v1${path}`, { headers, ...(data ? { data } : {}) });
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
    return response.json();
  };
}

test('when the demo customer replies to a message, taps a template button, reacts and shares a location, then the card shows each', async ({ page, request }) => {
  // A broadcast, a send and four customer actions, each through signed webhooks.
  test.setTimeout(120_000);
  // Maria gets the spring_sale broadcast, whose template has quick-reply buttons.
  const api = await adminApi(request);
  const state = await (await request.get('/demo/kommo/state')).json();
  const lead = state.leads.find((l: { name: string }) => l.name === 'Website order #1001');
  const { numbers } = await api('get', '/numbers');
  const sale = await api('post', '/broadcasts', {
    name: `Spring sale ${Date.now()}`,
    audience: { source: 'leads', ids: [lead.id] },
    consentSource: 'existing_customers',
    numberIds: [numbers[0].id],
    template: { name: 'spring_sale', language: 'en_US' },
    parameters: [{ field: 'first_name' }, { value: '20%' }],
    headerMediaUrl: 'https://example.com/spring.png',
  });
  await api('post', `/broadcasts/${sale.id}/launch`, {});
  await expect.poll(async () => (await api('get', `/broadcasts/${sale.id}`)).status, { timeout: 20_000 }).toBe('completed');

  await page.goto('/demo#lead');
  const chat = widgetFrame(page, 'card').getByTestId('chat');
  await expect(chat.getByTestId('chat-with')).toContainText('Maria Silva');

  await page.getByTestId('customer-taps-button').click();
  const tapped = chat.getByTestId('message').filter({ hasText: 'Tapped “Shop now”' });
  await expect(tapped).toBeVisible();
  await expect(tapped.getByTestId('message-quote')).toContainText('spring_sale');

  // The tap opened the window: the agent asks something.
  const question = `Which size do you need? ${Date.now()}`;
  await chat.getByRole('textbox', { name: 'Message' }).fill(question);
  await chat.getByRole('button', { name: 'Send' }).click();
  const mine = chat.locator('[data-direction="out"]').filter({ hasText: question });
  await expect(mine).toBeVisible();

  await page.getByTestId('customer-replies').click();
  const reply = chat.locator('[data-direction="in"]').filter({ hasText: 'Yes, that works for me.' });
  await expect(reply.getByTestId('message-quote')).toContainText(question);

  await page.getByTestId('customer-reacts').click();
  await expect(mine.getByTestId('message-reaction')).toHaveText('👍', { timeout: 20_000 });

  await page.getByTestId('customer-shares-location').click();
  const place = chat.getByTestId('message').filter({ hasText: 'Avenida Paulista' });
  await expect(place.getByTestId('map-link')).toHaveAttribute('href', /openstreetmap\.org\/\?mlat=-23\.5613&mlon=-46\.6565/);
});
