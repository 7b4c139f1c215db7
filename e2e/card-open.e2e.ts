import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when a card opens with the page, then its chat comes with the sign-in (the newest 200); another card asks for its chat in one call; going back in history asks a hundred at a time', async ({
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
  // The numbers, the conversation and its page came with the sign-in, in one call: nothing else was
  // asked before the chat showed (a live refresh may follow: the agent's reading marks it read).
  expect(calls.filter((c) => c.startsWith('POST /api/v1/session'))).toHaveLength(1);
  expect(calls.filter((c) => c.startsWith('POST /api/v1/card-chat'))).toEqual([]);
  expect(calls.filter((c) => /^(GET \/api\/v1\/numbers|POST \/api\/v1\/conversations)$/.test(c))).toEqual([]);

  // Another card of the tab takes the held session and asks for its chat in one call.
  calls.length = 0;
  await page.getByRole('link', { name: 'Contact card' }).click();
  await expect(widgetFrame(page, 'card').getByTestId('chat').getByTestId('message')).toHaveCount(200);
  expect(calls.filter((c) => c.startsWith('POST /api/v1/card-chat'))).toHaveLength(1);
  expect(calls.filter((c) => c.startsWith('POST /api/v1/session'))).toEqual([]);
  await page.getByRole('link', { name: 'Lead card' }).click();

  await chat.getByTestId('older').click();
  await expect.poll(() => chat.getByTestId('message').count()).toBeGreaterThan(200);
  expect(calls.find((c) => c.includes('before='))).toMatch(/[?&]limit=100/);
});

test('when a card opens again in a browser that has learnt how its language writes dates, then each message shows its time exactly as Intl writes it', async ({
  page,
  request,
}) => {
  for (let i = 1; i <= 3; i++) await request.post('/demo/whatsapp/customer-writes', { data: { text: `Hora ${i}` } });
  for (const lang of ['en', 'ru', 'en']) {
    await page.goto(`/demo?lang=${lang}#lead`);
    const card = widgetFrame(page, 'card');
    await expect(card.getByTestId('message')).toHaveCount(3, { timeout: 15_000 });
    const times = await card.locator('[data-testid="message"] time').evaluateAll((nodes, language) => {
      const intl = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
      return nodes.map((n) => ({ shown: n.textContent, intl: intl.format(new Date((n as HTMLTimeElement).dateTime)) }));
    }, lang);
    expect(times).toHaveLength(3);
    for (const { shown, intl } of times) expect(shown).toBe(intl);
  }
  // The last page wrote them from the shape the first one learnt.
  const learnt = await widgetFrame(page, 'card')
    .locator('body')
    .evaluate(() => localStorage.getItem('wabridge:date-shape:en'));
  expect(JSON.parse(learnt!)).toMatchObject({ browser: expect.any(String), shape: { pieces: expect.any(Array) } });
});
