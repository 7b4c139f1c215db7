import { expect, signInAs, test } from './fixtures';
import { widgetFrame } from './widget-frame';

test('when the admin types “no” for a user in Kommo’s settings and saves, then that user is refused until cleared', async ({ page }) => {
  await page.goto('/demo#settings');
  await page.getByTestId('integration-tile').click();
  await page.getByLabel('Wabridge access for Alex Agent').fill('no');
  await page.getByTestId('save').click();
  await expect(page.locator('#kommo-modal')).toBeHidden();

  await signInAs(page, 'Alex Agent');
  await page.goto('/demo#lead');
  await expect(widgetFrame(page, 'card').getByTestId('wabridge-error')).toHaveAttribute('data-code', 'user_disabled');

  await signInAs(page, 'Dana Admin (admin)');
  await page.goto('/demo#settings');
  await page.getByTestId('integration-tile').click();
  await page.getByLabel('Wabridge access for Alex Agent').fill('');
  await page.getByTestId('save').click();
  await expect(page.locator('#kommo-modal')).toBeHidden();

  await signInAs(page, 'Alex Agent');
  await page.goto('/demo#lead');
  await expect(widgetFrame(page, 'card').getByTestId('wabridge-user')).toHaveText('Signed in as Alex Agent (agent)');
});
