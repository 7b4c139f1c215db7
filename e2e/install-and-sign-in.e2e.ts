import { expect, signInAs, test } from './fixtures';
import { widgetFrame } from './widget-frame';

test.describe('in an account that has not installed Wabridge', () => {
  test.use({ installed: false });

  test('when the widget is not installed yet, then the settings modal says so and the card has no widget', async ({ page }) => {
    await page.goto('/demo#lead');
    await expect(page.getByTestId('card-widgets')).toContainText('not installed');
    await expect(page.locator('iframe[data-wabridge-area]')).toHaveCount(0);

    await page.goto('/demo#settings');
    await page.getByTestId('integration-tile').click();
    await expect(widgetFrame(page, 'settings').getByTestId('wabridge-error')).toHaveAttribute('data-code', 'account_not_installed');
  });

  test('when the admin installs Wabridge, then the lead card shows the widget signed in as the demo admin of the demo account', async ({ page, account }) => {
    await page.goto('/demo#settings');
    await page.getByTestId('integration-tile').click();
    await page.getByTestId('install').click();
    await expect(widgetFrame(page, 'settings').getByTestId('wabridge-user')).toHaveText('Signed in as Dana Admin (administrator)');
    await page.locator('#kommo-modal-close').click();

    await page.goto('/demo#lead');
    const card = widgetFrame(page, 'card');
    await expect(card.getByTestId('wabridge-user')).toHaveText('Signed in as Dana Admin (administrator)');
    await expect(card.getByTestId('wabridge-account')).toContainText(`${account.name} (${account.subdomain})`);
    // The card's contact and phone came through the loader (as a contact list, or the chat with her).
    await expect(card.getByTestId('wabridge-app')).toContainText('Maria Silva');
    await expect(card.getByTestId('wabridge-app')).toContainText('+55 11 91234-5678');
  });
});

test('when an agent opens the lead card, then the widget signs the agent in with the agent role', async ({ page }) => {
  await page.goto('/demo#lead');
  await signInAs(page, 'Alex Agent');
  await expect(widgetFrame(page, 'card').getByTestId('wabridge-user')).toHaveText('Signed in as Alex Agent (agent)');
});

test('when the admin disables a user in the advanced settings, then that user is refused on the card', async ({ page }) => {
  // Wabridge lists the users who have opened it: the agent has.
  await page.goto('/demo#lead');
  await signInAs(page, 'Alex Agent');
  await expect(widgetFrame(page, 'card').getByTestId('wabridge-user')).toHaveText('Signed in as Alex Agent (agent)');

  await signInAs(page, 'Dana Admin (admin)');
  await page.goto('/demo#advanced');
  const advanced = widgetFrame(page, 'advanced_settings');
  await advanced.getByRole('tab', { name: 'Team' }).click();
  const agent = advanced.getByLabel(/Alex Agent/);
  await expect(agent).toBeChecked();
  await agent.uncheck();
  await expect(agent).not.toBeChecked();

  await signInAs(page, 'Alex Agent');
  await page.goto('/demo#lead');
  await expect(widgetFrame(page, 'card').getByTestId('wabridge-error')).toHaveAttribute('data-code', 'user_disabled');
});

test('when the admin selects leads in the list, then the bulk action shows the selection', async ({ page }) => {
  await page.goto('/demo#leads');
  await page.getByLabel('Select Website order #1001').check();
  await page.getByRole('button', { name: 'Wabridge' }).click();
  await expect(widgetFrame(page, 'list').getByTestId('wabridge-selected')).toHaveText('1 selected');
});

test('when the admin disables the widget, then Kommo’s signed uninstall hook turns the widget off', async ({ page }) => {
  await page.goto('/demo#settings');
  await page.getByTestId('integration-tile').click();
  // The stand-in closes the modal once Kommo's uninstall call has been answered.
  await page.getByTestId('disable').click();
  await expect(page.locator('#kommo-modal')).toBeHidden();
  await page.goto('/demo#lead');
  await expect(page.getByTestId('card-widgets')).toContainText('not installed');
  const state = await (await page.request.get('/demo/kommo/state')).json();
  expect(state.installed).toBe(false);
});
