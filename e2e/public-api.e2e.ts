import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when the admin creates an API key in the demo, then a call with it sends a message that appears in the lead card chat', async ({ page, request }) => {
  await page.goto('/demo#advanced');
  await page.locator('#kommo-plan').selectOption('Advanced');
  await widgetFrame(page, 'advanced_settings').getByRole('tab', { name: 'Automation and API' }).click();
  const panel = widgetFrame(page, 'advanced_settings').getByTestId('api-keys-panel');
  await panel.locator('input[name="keyName"]').fill(`CRM sync ${Date.now()}`);
  await panel.getByRole('button', { name: 'Create key' }).click();
  const key = (await panel.getByTestId('shown-once').textContent())!;
  expect(key).toMatch(/^wbk_/);

  // What `curl -H "Authorization: Bearer $KEY" …` does.
  const auth = { Authorization: `Bearer ${key}` };
  const { numbers } = await (await request.get('/api/v1/numbers', { headers: auth })).json();
  const order = `#${Date.now() % 100_000}`;
  const sent = await request.post('/api/v1/messages', {
    headers: { ...auth, 'Idempotency-Key': `e2e-${order}` },
    data: { type: 'template', numberId: numbers[0].id, to: '+55 11 91234-5678', name: 'order_update', language: 'en_US', bodyParameters: ['Maria', order] },
  });
  expect(sent.status()).toBe(201);

  await page.goto('/demo#lead');
  const chat = widgetFrame(page, 'card').getByTestId('chat');
  await expect(chat.locator('[data-direction="out"]').filter({ hasText: order }).last()).toBeVisible();
});
