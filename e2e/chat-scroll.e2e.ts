import type { FrameLocator } from '@playwright/test';
import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

/** How far the message list is from showing its last message, in pixels (0 when the newest is in view). */
const distanceFromNewest = (chat: FrameLocator) =>
  chat.getByTestId('messages').evaluate((list) => Math.max(0, list.scrollHeight - list.scrollTop - list.clientHeight));

test('when the card opens, a customer writes and the agent sends, then the newest message stays in view unless the agent scrolled up to read', async ({
  page,
  request,
}) => {
  // More history than the list shows at once.
  const run = Date.now();
  for (let i = 1; i <= 14; i++) await request.post('/demo/whatsapp/customer-writes', { data: { text: `History ${run} #${i}` } });

  await page.goto('/demo#lead');
  const chat = widgetFrame(page, 'card').getByTestId('chat');
  await expect(chat.getByTestId('message').filter({ hasText: `History ${run} #14` })).toBeVisible();
  const widget = widgetFrame(page, 'card');
  await expect.poll(() => widget.getByTestId('messages').evaluate((list) => list.scrollHeight > list.clientHeight)).toBe(true);
  await expect.poll(() => distanceFromNewest(widget)).toBeLessThanOrEqual(2);
  await expect(chat.getByTestId('message').last()).toBeInViewport();

  // A customer writes while the agent looks at the newest: it comes into view.
  await request.post('/demo/whatsapp/customer-writes', { data: { text: `Live ${run} A` } });
  await expect(chat.getByTestId('message').last()).toContainText(`Live ${run} A`);
  await expect.poll(() => distanceFromNewest(widget)).toBeLessThanOrEqual(2);
  await expect(chat.getByTestId('new-messages')).toHaveCount(0);

  // The agent scrolls up to read: a new message does not pull them down, a button offers the way.
  await widget.getByTestId('messages').evaluate((list) => (list.scrollTop = 0));
  await request.post('/demo/whatsapp/customer-writes', { data: { text: `Live ${run} B` } });
  await expect(chat.getByTestId('message').last()).toContainText(`Live ${run} B`);
  await expect(chat.getByTestId('new-messages')).toHaveText('New messages ↓');
  expect(await widget.getByTestId('messages').evaluate((list) => list.scrollTop)).toBe(0);
  await chat.getByTestId('new-messages').click();
  await expect.poll(() => distanceFromNewest(widget)).toBeLessThanOrEqual(2);
  await expect(chat.getByTestId('new-messages')).toHaveCount(0);

  // Scrolled up again, the agent answers with Enter: what they sent is in view.
  await widget.getByTestId('messages').evaluate((list) => (list.scrollTop = 0));
  const box = chat.getByRole('textbox', { name: 'Message' });
  await box.fill(`Answer ${run}`);
  await box.press('Enter');
  await expect(chat.locator('[data-direction="out"]').filter({ hasText: `Answer ${run}` })).toBeVisible();
  await expect(box).toHaveValue('');
  await expect.poll(() => distanceFromNewest(widget)).toBeLessThanOrEqual(2);
});
