import { expect, test } from './fixtures';
import { openLeadChat } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });
// A broadcast, a send and four customer actions, each through signed webhooks.
test.describe.configure({ timeout: 120_000 });

test('when the demo customer replies to a message, taps a template button, reacts and shares a location, then the card shows each', async ({
  page,
  springSale,
}) => {
  expect(springSale.counts.sent).toBe(1);
  const chat = await openLeadChat(page);

  await page.getByTestId('customer-taps-button').click();
  const tapped = chat.getByTestId('message').filter({ hasText: 'Tapped “Shop now”' });
  await expect(tapped).toBeVisible();
  await expect(tapped.getByTestId('message-quote')).toContainText('spring_sale');

  // The tap opened the window: the agent asks something.
  const question = `Which size do you need? ${Date.now()}`;
  await chat.getByRole('textbox', { name: 'Message' }).fill(question);
  await chat.getByRole('button', { name: 'Send' }).click();
  const mine = chat.locator('[data-direction="out"]').filter({ hasText: question });
  await expect(mine).toBeVisible();

  await page.getByTestId('customer-replies').click();
  const reply = chat.locator('[data-direction="in"]').filter({ hasText: 'Yes, that works for me.' });
  await expect(reply.getByTestId('message-quote')).toContainText(question);

  await page.getByTestId('customer-reacts').click();
  await expect(mine.getByTestId('message-reaction')).toHaveText('👍', { timeout: 20_000 });

  await page.getByTestId('customer-shares-location').click();
  const place = chat.getByTestId('message').filter({ hasText: 'Avenida Paulista' });
  await expect(place.getByTestId('map-link')).toHaveAttribute('href', /openstreetmap\.org\/\?mlat=-23\.5613&mlon=-46\.6565/);
});
