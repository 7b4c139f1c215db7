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
  const call = async (method: 'get' | 'post', path: string, data?: unknown) => {
    const response = await request[method](`/api/v1${path}`, { headers, ...(data ? { data } : {}) });
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
    return response.json();
  };
  return call;
}

const MARIA_LEAD = 'Website order #1001';

test('when a customer taps Unsubscribe in one broadcast, then a broadcast scheduled before it sends them nothing', async ({ page, request }) => {
  let api = await adminApi(request);
  const state = await (await request.get('/demo/kommo/state')).json();
  const lead = state.leads.find((l: { name: string }) => l.name === MARIA_LEAD);
  const { numbers } = await api('get', '/numbers');
  const common = { audience: { source: 'leads', ids: [lead.id] }, consentSource: 'existing_customers', numberIds: [numbers[0].id] };

  // Broadcast A, with the template's Unsubscribe button, reaches Maria.
  const a = await api('post', '/broadcasts', {
    ...common,
    name: `Spring sale ${Date.now()}`,
    template: { name: 'spring_sale', language: 'en_US' },
    parameters: [{ field: 'first_name' }, { value: '20%' }],
    headerMediaUrl: 'https://example.com/spring.png',
  });
  await api('post', `/broadcasts/${a.id}/launch`, {});
  await expect.poll(async () => (await api('get', `/broadcasts/${a.id}`)).status, { timeout: 20_000 }).toBe('completed');
  expect((await api('get', `/broadcasts/${a.id}`)).counts.sent).toBe(1);

  // Broadcast B is scheduled for an hour from now (the demo's clock), while Maria is still subscribed.
  const { now } = await (await request.post('/demo/clock/advance', { data: { hours: 0 } })).json();
  const b = await api('post', '/broadcasts', {
    ...common,
    name: `Come back ${Date.now()}`,
    template: { name: 'come_back', language: 'en_US' },
    parameters: [{ field: 'first_name' }],
    scheduledAt: new Date(Date.parse(now) + 3600_000).toISOString(),
  });
  const scheduled = await api('post', `/broadcasts/${b.id}/launch`, {});
  expect(scheduled.status).toBe('scheduled');
  expect(scheduled.counts.total).toBe(1);

  // Maria taps Unsubscribe in broadcast A: the card says she opted out.
  await page.goto('/demo#lead');
  const chat = widgetFrame(page, 'card').getByTestId('chat');
  await expect(chat.getByTestId('chat-with')).toContainText('Maria Silva');
  await page.getByTestId('customer-unsubscribes').click();
  await expect(chat.getByTestId('opted-out')).toBeVisible();

  // The scheduled time comes: broadcast B runs and ends without a message to her.
  await page.getByTestId('jump-ahead').click();
  // Sessions are short-lived: the jump outlived this one.
  await expect(page.getByTestId('customer-unsubscribes')).toBeVisible();
  api = await adminApi(request);
  await expect.poll(async () => (await api('get', `/broadcasts/${b.id}`)).status, { timeout: 20_000 }).toBe('completed');
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  await widget.getByTestId('broadcasts-list').getByRole('button', { name: b.name }).click();
  const progress = widget.getByTestId('broadcast-page');
  await expect(progress).toHaveAttribute('data-status', 'completed');
  await expect(progress.locator('[data-count="sent"] dd')).toHaveText('0');
  const messages = await api('get', `/broadcasts/${b.id}`);
  expect(messages.counts.sent).toBe(0);
});
