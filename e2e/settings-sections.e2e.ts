import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

test('when the admin walks the advanced settings, then each section shows its own panels, and a webhook added there can be removed after a confirmation', async ({
  page,
}) => {
  await page.goto('/demo#advanced');
  // Webhooks are an automation capability: Kommo Advanced or higher.
  await page.locator('#kommo-plan').selectOption('Advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  const tabs = widget.getByRole('tablist', { name: 'Wabridge settings' }).getByRole('tab');
  await expect(tabs).toHaveText(['Licence and billing', 'WhatsApp numbers', 'Team', 'Automation and API', 'Privacy']);

  // Licence and billing comes first: plans, registration, buying, orders.
  await expect(widget.getByTestId('plan-cards')).toBeVisible();
  await expect(widget.getByTestId('registration-form')).toBeVisible();
  await expect(widget.getByTestId('buy-panel')).toBeVisible();
  await expect(widget.getByTestId('numbers-panel')).toBeHidden();

  await widget.getByRole('tab', { name: 'WhatsApp numbers' }).click();
  await expect(widget.getByTestId('numbers-panel')).toBeVisible();
  await expect(widget.getByTestId('numbers-panel')).toContainText(/\d+ of \d+ numbers your plan allows/);
  await expect(widget.getByTestId('buy-panel')).toBeHidden();

  await widget.getByRole('tab', { name: 'Team' }).click();
  await expect(widget.getByTestId('wabridge-users')).toBeVisible();
  await expect(widget.getByTestId('numbers-panel')).toBeHidden();

  await widget.getByRole('tab', { name: 'Privacy' }).click();
  await expect(widget.getByTestId('consent-panel')).toBeVisible();
  await expect(widget.getByTestId('wabridge-users')).toBeHidden();

  await widget.getByRole('tab', { name: 'Automation and API' }).click();
  await expect(widget.getByTestId('settings-panel')).toBeVisible();
  await expect(widget.getByTestId('api-keys-panel')).toBeVisible();
  const webhooks = widget.getByTestId('webhooks-panel');
  await expect(webhooks).toBeVisible();

  // The demo admits a local receiver; this one only has to be saved and removed.
  const url = `${new URL(page.url()).origin}/demo/receiver-${Date.now()}`;
  await webhooks.getByLabel('Receiver URL').fill(url);
  await webhooks.getByRole('button', { name: 'Add webhook' }).click();
  const row = webhooks.getByTestId('webhook').filter({ hasText: url });
  await expect(row).toBeVisible();
  // Its signing secret is shown once, beside it.
  await expect(row.getByTestId('new-webhook-secret')).toContainText(/whsec_/);

  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(row.getByRole('alertdialog')).toContainText(`Remove ${url}? It gets no more events`);
  await row.getByRole('button', { name: 'Remove the webhook' }).click();
  await expect(row).toHaveCount(0);

  // Gone at the backend too.
  await page.reload();
  await widgetFrame(page, 'advanced_settings').getByRole('tab', { name: 'Automation and API' }).click();
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('webhooks-panel')).toBeVisible();
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('webhook').filter({ hasText: url })).toHaveCount(0);
});
