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

test.describe('in a browser on Indian time (a half-hour offset)', () => {
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('when a card opens in a browser that has learnt how its language writes dates, then each message shows its time from that shape, exactly as Intl writes it; a shape the browser no longer writes by is learnt again for the next page', async ({
    page,
    request,
  }) => {
    for (let i = 1; i <= 3; i++) await request.post('/demo/whatsapp/customer-writes', { data: { text: `Hora ${i}` } });
    const card = () => widgetFrame(page, 'card');
    const key = (lang: string) => `wabridge:date-shape:1:${lang}`;
    const storedShape = (lang: string) =>
      card()
        .locator('body')
        .evaluate((_, k) => localStorage.getItem(k), key(lang));
    // A new page each time (the same address twice would only be a move within the page).
    const open = async (lang: string) => {
      await page.goto('about:blank');
      await page.goto(`/demo?lang=${lang}#lead`);
      await expect(card().getByTestId('message')).toHaveCount(3, { timeout: 15_000 });
      return card()
        .locator('[data-testid="message"] time')
        .evaluateAll((nodes, language) => {
          const intl = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
          return nodes.map((n) => ({ shown: n.textContent, intl: intl.format(new Date((n as HTMLTimeElement).dateTime)) }));
        }, lang);
    };
    // The first page of each language: Intl writes the times, and the shape is learnt.
    for (const lang of ['en', 'ru']) {
      for (const { shown, intl } of await open(lang)) expect(shown).toBe(intl);
      await expect.poll(() => storedShape(lang)).not.toBeNull();
    }
    // The next page writes from the shape: one whose months read "Xyz0" to "Xyz11" shows so.
    await card()
      .locator('body')
      .evaluate((_, k) => {
        const saved = JSON.parse(localStorage.getItem(k)!);
        localStorage.setItem(k, JSON.stringify({ ...saved, shape: { ...saved.shape, months: Array.from({ length: 12 }, (_, i) => `Xyz${i}`) } }));
      }, key('en'));
    for (const { shown } of await open('en')) expect(shown).toContain('Xyz');
    // Once the chat has settled, that page learns the shape again; the page after writes exactly as Intl does.
    await expect.poll(async () => JSON.parse((await storedShape('en'))!).shape.months[0], { timeout: 20_000 }).not.toBe('Xyz0');
    const times = await open('en');
    expect(times).toHaveLength(3);
    for (const { shown, intl } of times) expect(shown).toBe(intl);
  });
});
