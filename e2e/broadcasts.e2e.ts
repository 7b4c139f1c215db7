import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when the admin broadcasts to 3 selected leads, then the dry run shows the audience and the launched broadcast reaches 100% live', async ({ page }) => {
  await page.goto('/demo#leads');
  await page.locator('#kommo-plan').selectOption('Advanced');
  for (const lead of ['Website order #1001', 'Repeat order #1002', 'Family plan #1003']) await page.getByLabel(`Select ${lead}`).check();
  await page.getByRole('button', { name: 'Wabridge' }).click();
  const widget = widgetFrame(page, 'list');
  await expect(widget.getByTestId('wabridge-selected')).toHaveText('3 selected');

  const composer = widget.getByTestId('broadcast-composer');
  await composer.getByLabel('Name').fill('Spring news');
  // The picker says how each template lets customers unsubscribe, or why it cannot be used.
  await expect(composer.locator('[data-testid="broadcast-template"] option[value="order_update|en_US"]')).toBeDisabled();
  await composer.getByTestId('broadcast-template').selectOption({ label: 'come_back (en_US) · opt-out line' });
  // Parameter 1 mapped to the contact's first name: the preview says so, the dry run shows the real names.
  await composer.getByTestId('broadcast-param-1').getByRole('combobox').selectOption({ label: 'First name' });
  await expect(composer.getByTestId('broadcast-template-preview')).toContainText('Hi [First name]! We have news for you.');
  await composer.getByTestId('broadcast-consent').selectOption('existing_customers');
  await composer.getByTestId('broadcast-dry-run').click();

  const dry = widget.getByTestId('broadcast-dry-run-summary');
  await expect(dry).toBeVisible();
  // Maria, João, Ana and Lucas (who shares Ana's phone and has one more that cannot exist).
  await expect(dry.getByTestId('dry-selected')).toHaveText('3');
  await expect(dry.getByTestId('dry-merged')).toHaveText('1');
  await expect(dry.getByTestId('dry-exclusions').locator('[data-reason="invalid_number"] strong')).toHaveText('1');
  // A fresh account: nobody has opted out, so the three customers are the recipients.
  const recipients = 3;
  await expect(dry.getByTestId('dry-recipients')).toHaveText(String(recipients));
  await expect(dry.getByTestId('dry-preview')).toContainText('Hi Maria! We have news for you.');
  const launch = dry.getByTestId('broadcast-launch');
  await expect(launch).toHaveText(`Launch to ${recipients} recipients`);
  await launch.click();

  const progress = widget.getByTestId('broadcast-page');
  await expect(progress.getByTestId('broadcast-progress')).toHaveAttribute('aria-valuenow', '100', { timeout: 20_000 });
  await expect(progress).toHaveAttribute('data-status', 'completed');
  await expect(progress.locator('[data-count="sent"] dd')).toHaveText(String(recipients));
  await expect(progress.locator('[data-count="read"] dd')).toHaveText(String(recipients), { timeout: 15_000 });
  await expect(progress.getByTestId('broadcast-chart')).toContainText(`Read ${recipients}`);

  // The advanced-settings page lists it.
  await page.goto('/demo#advanced');
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('broadcasts-list')).toContainText('Spring news');
});

test('when the account is on Kommo Base, then broadcasts are shown disabled with the reason', async ({ page }) => {
  await page.goto('/demo#leads');
  await page.locator('#kommo-plan').selectOption('Base');
  await page.getByLabel('Select Website order #1001').check();
  await page.getByRole('button', { name: 'Wabridge' }).click();
  const off = widgetFrame(page, 'list').getByTestId('broadcasts-disabled');
  await expect(off).toHaveAttribute('data-code', 'kommo_plan_required');
  await expect(off).toContainText('needs Kommo Advanced or higher; this account is on Base.');
});
