import { expect, test } from './fixtures';
import { openLeadChat } from './widget-frame';

// The admin has connected the account's sandbox number; the demo switches the channel on at install.
test.use({ numberConnected: true });

test.beforeEach(async ({ adminApi }) => {
  const api = await adminApi();
  await api('put', '/kommo-channel', { enabled: true });
  await expect.poll(async () => (await api('get', '/kommo-channel')).state, { timeout: 20_000 }).toBe('connected');
});

test('when a customer writes and the agent answers from Kommo’s inbox, then both show it and the ticks reach read in both', async ({ page, newContext, request }) => {
  const question = `Where is my parcel? ${Date.now()}`;
  const chat = await openLeadChat(page);
  await request.post('/demo/whatsapp/customer-writes', { data: { text: question } });
  await expect(chat.getByTestId('message').filter({ hasText: question })).toBeVisible();

  // Kommo's own inbox, in another tab: the customer's message was imported into the channel's chat.
  const inboxPage = await (await newContext()).newPage();
  await inboxPage.goto('/demo#inbox');
  const maria = inboxPage.getByTestId('inbox-chat').filter({ hasText: 'Maria Silva' });
  await expect(maria.getByTestId('inbox-message').filter({ hasText: question })).toBeVisible({ timeout: 15_000 });

  const answer = `It arrives tomorrow ${Date.now()}`;
  await maria.getByTestId('inbox-input').fill(answer);
  await maria.getByTestId('inbox-send').click();

  // The customer got it through WhatsApp: the card shows it read, and so does Kommo's chat.
  const inCard = chat.locator('[data-direction="out"]').filter({ hasText: answer });
  await expect(inCard).toHaveAttribute('data-status', 'read', { timeout: 15_000 });
  await expect(maria.locator('.inbox__msg--out').filter({ hasText: answer })).toHaveAttribute('data-status', 'read', { timeout: 15_000 });
  // The simulated customer answers what they received.
  await expect(chat.getByTestId('message').filter({ hasText: `Thanks! I got your message: “${answer}”` })).toBeVisible({ timeout: 15_000 });
});
