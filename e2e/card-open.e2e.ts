import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when a card opens, then its chat comes in one call with the newest 200, and going back in history asks a hundred messages at a time', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  // More than the first page of 200.
  for (let i = 1; i <= 205; i++) await request.post('/demo/whatsapp/customer-writes', { data: { text: `History line ${i}` } });

  const calls: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/v1/')) calls.push(`${r.method()} ${url.pathname}${url.search}`);
  });
  await page.goto('/demo#lead');
  const chat = widgetFrame(page, 'card').getByTestId('chat');
  await expect(chat.getByTestId('message').filter({ hasText: 'History line 205' })).toBeVisible({ timeout: 15_000 });
  await expect(chat.getByTestId('message')).toHaveCount(200);
  // The numbers, the conversation and its page came together, not one after the other (a live
  // refresh may follow: the agent's reading the chat marks it read).
  expect(calls.filter((c) => c.startsWith('POST /api/v1/card-chat'))).toHaveLength(1);
  expect(calls.filter((c) => /^(GET \/api\/v1\/numbers|POST \/api\/v1\/conversations)$/.test(c))).toEqual([]);

  await chat.getByTestId('older').click();
  await expect.poll(() => chat.getByTestId('message').count()).toBeGreaterThan(200);
  expect(calls.find((c) => c.includes('before='))).toMatch(/[?&]limit=100/);
});
