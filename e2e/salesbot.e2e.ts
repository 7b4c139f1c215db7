import { expect, test } from './fixtures';
import { openLeadChat } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when a Salesbot reaches the "Send a WhatsApp template" block, then the template with the bot’s values shows in the card and the bot goes on through the "sent" exit', async ({
  page,
}) => {
  const chat = await openLeadChat(page);
  const before = await chat.locator('[data-direction="out"]').count();
  await page.getByTestId('salesbot-step').click();
  await expect(page.getByTestId('salesbot-exit')).toHaveText('Salesbot continued through the exit: sent');
  // The card shows it live, with the parameters Kommo filled in from the bot's variables.
  const sent = chat.locator('[data-direction="out"]');
  await expect(sent).toHaveCount(before + 1);
  await expect(sent.last()).toContainText('order_update');
  await expect(sent.last()).toContainText('Maria');
});
