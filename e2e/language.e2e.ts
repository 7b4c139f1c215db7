import { expect, test } from './fixtures';
import { widgetFrame } from './widget-frame';

test('when the demo is opened in Spanish and the admin types an email that is not one, then the widget says so in Spanish, naming the field by its label', async ({
  page,
}) => {
  await page.goto('/demo?lang=es#advanced');
  await expect(page.locator('#kommo-lang')).toHaveValue('es');
  const widget = widgetFrame(page, 'advanced_settings');
  const form = widget.getByTestId('registration-form');
  // The settings chunk loads on first use: the first visit of a run can be slow.
  await expect(form).toContainText('Registro', { timeout: 20_000 });
  await form.locator('input[name="email"]').fill('not-an-email');
  await form.locator('input[name="lastName"]').fill('x'.repeat(101));
  await form.locator('button[type="submit"]').click();
  await expect(form.locator('label:has(input[name="email"]) .wb-field-error')).toHaveText('Correo electrónico debe ser una dirección de correo electrónico.');
  await expect(form.locator('label:has(input[name="lastName"]) .wb-field-error')).toHaveText('Apellido: como máximo 100 caracteres.');
  await expect(form).not.toContainText('must be an email address');
});

test('when the language is switched in the demo, then the page reloads in it and the widget follows', async ({ page }) => {
  await page.goto('/demo#advanced');
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('wabridge-user')).toContainText('Signed in as', { timeout: 20_000 });
  await page.locator('#kommo-lang').selectOption('ru');
  await expect(page).toHaveURL(/[?&]lang=ru/);
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('wabridge-user')).toContainText('Вы вошли как', { timeout: 20_000 });
});
