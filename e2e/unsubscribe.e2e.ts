import { expect, test } from './fixtures';
import { openLeadChat, widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when a customer taps Unsubscribe in one broadcast, then a broadcast scheduled before it sends them nothing', async ({
  page,
  request,
  account,
  adminApi,
  springSale,
}) => {
  // Broadcast A, with the template's Unsubscribe button, reached Maria.
  expect(springSale.counts.sent).toBe(1);
  let api = await adminApi();
  const common = { audience: { source: 'leads', ids: [account.leads[0]!.id] }, consentSource: 'existing_customers', numberIds: [account.number!.id] };

  // Broadcast B is scheduled for an hour from now (the demo's clock), while Maria is still subscribed.
  const { now } = await (await request.post('/demo/clock/advance', { data: { hours: 0 } })).json();
  const b = await api('post', '/broadcasts', {
    ...common,
    name: 'Come back',
    template: { name: 'come_back', language: 'en_US' },
    parameters: [{ field: 'first_name' }],
    scheduledAt: new Date(Date.parse(now) + 3600_000).toISOString(),
  });
  const scheduled = await api('post', `/broadcasts/${b.id}/launch`, {});
  expect(scheduled.status).toBe('scheduled');
  expect(scheduled.counts.total).toBe(1);

  // Maria taps Unsubscribe in broadcast A: the card says she opted out.
  const chat = await openLeadChat(page);
  await page.getByTestId('customer-unsubscribes').click();
  await expect(chat.getByTestId('opted-out')).toBeVisible();

  // The scheduled time comes: broadcast B runs and ends without a message to her.
  await page.getByTestId('jump-ahead').click();
  // Sessions are short-lived: the jump outlived this one.
  await expect(page.getByTestId('customer-unsubscribes')).toBeVisible();
  api = await adminApi();
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
