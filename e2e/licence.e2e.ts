import { expect, signInAs, test } from './fixtures';
import { widgetFrame } from './widget-frame';

test('when the admin registers and accepts the terms, then the registration is saved and the demo licence shows its meter', async ({ page }) => {
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  await expect(widget.getByTestId('licence-plan')).toHaveText('Demo · free demo');
  await expect(widget.getByTestId('allowance')).toContainText(/\d+ of 100 messages used/);
  await expect(widget.getByRole('meter')).toHaveAttribute('aria-valuemax', '100');

  const form = widget.getByTestId('registration-form');
  await form.getByLabel('Last name').fill('Souza');
  await form.getByLabel('First name').fill('Dana');
  await form.getByLabel('Email').fill('dana@example.com');
  await form.getByLabel('Contact phone').fill('+55 11 91234-5678');
  await form.getByLabel('City').fill('São Paulo');

  // Without ticking the terms the backend refuses and says so.
  await form.getByRole('button', { name: 'Register' }).click();
  await expect(form).toContainText('Tick the box to accept the terms.');

  await form.getByLabel(/I have read the terms/).check();
  await form.getByRole('button', { name: 'Register' }).click();
  await expect(widget.getByTestId('registration-done')).toBeVisible();
  await expect(widget.getByTestId('terms-accepted')).toContainText('Terms version 2026-11-01 accepted');
});

test('when the account’s Kommo plan is Base, then broadcasts show as disabled with the reason', async ({ page }) => {
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  await expect(widget.getByTestId('licence-card')).toBeVisible();
  await expect(widget.getByTestId('disabled-capabilities')).toHaveCount(0);

  await page.locator('#kommo-plan').selectOption('Base');
  const broadcasts = widgetFrame(page, 'advanced_settings').locator('[data-capability="broadcasts"]');
  await expect(broadcasts).toHaveText('Broadcasts: needs Kommo Advanced or higher; this account is on Base. Upgrade the Kommo plan to use it.');
  await widgetFrame(page, 'advanced_settings').getByRole('tab', { name: 'Automation and API' }).click();
  await expect(widgetFrame(page, 'advanced_settings').getByLabel(/Create a contact and an incoming lead/)).toBeDisabled();

  await page.locator('#kommo-plan').selectOption('Advanced');
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('licence-card')).toBeVisible();
  await expect(widgetFrame(page, 'advanced_settings').locator('[data-capability="broadcasts"]')).toHaveCount(0);
});

test('when a non-admin opens the settings, then they see the licence status and no admin controls', async ({ page }) => {
  await page.goto('/demo#settings');
  await signInAs(page, 'Alex Agent');
  await page.getByTestId('integration-tile').click();
  const widget = widgetFrame(page, 'settings');
  await expect(widget.getByTestId('licence-card')).toBeVisible();
  await expect(widget.getByTestId('admin-only')).toBeVisible();
  await expect(widget.getByTestId('admin-screens')).toHaveCount(0);
  await expect(widget.getByRole('button', { name: 'Register' })).toHaveCount(0);
  await expect(widget.getByRole('button', { name: /Withdraw consent/ })).toHaveCount(0);
});
