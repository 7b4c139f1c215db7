import { expect, test } from './fixtures';
import { openLeadChat, widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number; the demo runs with a Kommo channel configured (KOMMO_CHANNEL_*).
test.use({ numberConnected: true });

test('when the admin turns the channel on in the widget, a customer writes and the agent answers from Kommo’s inbox, then both show it and the ticks reach read in both', async ({
  page,
  newContext,
  request,
}) => {
  // The admin's switch, under WhatsApp numbers in the advanced settings: off until they turn it on.
  await page.goto('/demo#advanced');
  const settings = widgetFrame(page, 'advanced_settings');
  await settings.getByRole('tab', { name: 'WhatsApp numbers' }).click();
  const channel = settings.getByTestId('kommo-channel-panel');
  const toggle = channel.getByRole('switch', { name: 'WhatsApp conversations in Kommo’s inbox' });
  await expect(toggle).not.toBeChecked();
  await expect(channel.getByTestId('kommo-channel-state')).toHaveText('Off: conversations are only in the card and as timeline notes.');
  await toggle.check();
  await expect(channel.getByTestId('kommo-channel-state')).toHaveText('Connected: new messages show in Kommo’s inbox.', { timeout: 20_000 });
  await expect(channel.getByTestId('kommo-channel-last-error')).toHaveCount(0);

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
