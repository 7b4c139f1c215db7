import { expect, signInAs, test } from './fixtures';
import { openLeadChat, widgetFrame } from './widget-frame';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

test('when the admin connects the sandbox number, then it is listed with its display number', async ({ page, account }) => {
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  await widget.getByRole('tab', { name: 'WhatsApp numbers' }).click();
  const panel = widget.getByTestId('numbers-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('number')).toHaveCount(0);
  await panel.locator('input[name="phoneNumberId"]').fill((await page.getByTestId('sandbox-phone-number-id').textContent())!);
  await panel.locator('input[name="wabaId"]').fill((await page.getByTestId('sandbox-waba-id').textContent())!);
  await panel.locator('input[name="accessToken"]').fill((await page.getByTestId('sandbox-token').textContent())!);
  await panel.getByRole('button', { name: 'Connect the number' }).click();
  await expect(panel.getByTestId('number')).toContainText(account.sandboxNumber.displayPhoneNumber);
});

test.describe('with the sandbox number connected', () => {
  test.use({ numberConnected: true });

  test('when the customer writes and the agent answers, then messages arrive live and the ticks reach read; a second agent sees it too', async ({
    page,
    newContext,
  }) => {
    const chat = await openLeadChat(page);
    await page.getByTestId('customer-writes').click();
    await expect(chat.getByTestId('message').filter({ hasText: 'Is my order #1001 on its way?' }).last()).toBeVisible();

    // A second agent, in another browser, has the same card open.
    const second = await (await newContext()).newPage();
    await second.goto('/demo#lead');
    await signInAs(second, 'Alex Agent');
    const secondChat = widgetFrame(second, 'card').getByTestId('chat');
    await expect(secondChat.getByTestId('chat-with')).toContainText('Maria Silva');

    const text = `It ships today ${Date.now()}`;
    await chat.getByRole('textbox', { name: 'Message' }).fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
    const mine = chat.locator('[data-direction="out"]').filter({ hasText: text });
    await expect(mine).toHaveAttribute('data-status', 'read');
    await expect(mine.getByTestId('tick')).toContainText('read');
    // The simulated customer answers; nobody reloads.
    await expect(chat.getByTestId('message').filter({ hasText: `Thanks! I got your message: “${text}”` })).toBeVisible({ timeout: 15_000 });
    await expect(secondChat.locator('[data-direction="out"]').filter({ hasText: text })).toBeVisible();

    // An image, with the typed text as its caption: previewed first, sent with Send, then shown as the image itself.
    await chat.getByRole('textbox', { name: 'Message' }).fill('Your parcel');
    await chat.getByTestId('attach').setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
    await expect(chat.getByTestId('file-preview')).toContainText('parcel.png');
    await expect(chat.getByTestId('file-thumb')).toBeVisible();
    await chat.getByRole('button', { name: 'Send' }).click();
    const sentImage = chat.locator('[data-direction="out"]').filter({ hasText: '[Image] Your parcel' }).last();
    await expect(sentImage).toHaveAttribute('data-status', 'read');
    await expect(sentImage.getByTestId('message-image')).toBeVisible();
    expect(await sentImage.getByTestId('message-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);

    // The customer's photo shows in the chat, fetched with the agent's session.
    await page.getByTestId('customer-photo').click();
    const photo = chat.locator('[data-direction="in"]').filter({ hasText: 'Here is the label of my parcel' }).last().getByTestId('message-image');
    await expect(photo).toBeVisible();
    expect(await photo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(108);
  });

  test('when the 24-hour window has closed, then the composer switches to templates and a template send works', async ({ page, request }) => {
    // The customer wrote: the window is open.
    await request.post('/demo/whatsapp/customer-writes', { data: { text: 'Is my order #1001 on its way?' } });
    await page.goto('/demo#lead');
    const chat = widgetFrame(page, 'card').getByTestId('chat');
    await expect(chat.getByTestId('composer')).toBeVisible();
    await page.getByTestId('jump-ahead').click();
    const reloaded = widgetFrame(page, 'card').getByTestId('chat');
    await expect(reloaded.getByTestId('window')).toContainText('The 24-hour window is closed');
    const composer = reloaded.getByTestId('template-composer');
    await composer.locator('select[name="template"]').selectOption({ label: 'order_update (en_US)' });
    await composer.locator('input[name="param1"]').fill('Maria');
    await composer.locator('input[name="param2"]').fill('#1001');
    await expect(composer.getByTestId('template-preview')).toHaveText('Hello Maria, your order #1001 is on its way.');
    await composer.getByRole('button', { name: 'Send template' }).click();
    await expect(reloaded.locator('[data-direction="out"]').filter({ hasText: 'Template “order_update”' }).last()).toHaveAttribute('data-status', 'read');
  });

  test('when a customer writes while the agent is on the leads list, then an alert names the customer and the unread count', async ({ page, request }) => {
    // The loader's watcher has its live stream open before the customer writes.
    const streaming = page.waitForResponse((r) => r.url().endsWith('/api/v1/events'));
    await page.goto('/demo#leads');
    await expect(page.getByRole('button', { name: 'Wabridge' })).toBeEnabled();
    await streaming;
    await request.post('/demo/whatsapp/customer-writes', { data: { text: 'Are you still there?' } });
    await expect(page.locator('.wabridge-alert')).toHaveText('WhatsApp: Maria Silva · 1 unread');
  });
});
