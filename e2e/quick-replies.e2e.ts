import { expect, test } from './fixtures';
import { openLeadChat } from './widget-frame';

// The admin has connected the account's sandbox number.
test.use({ numberConnected: true });

test('when the admin saves a quick reply and types "/" with its shortcut, then the CRM values fill it and it is sent; a template found the same way opens the template form', async ({
  page,
}) => {
  const chat = await openLeadChat(page);
  // The customer writes: the 24-hour window is open, so the text composer is shown.
  await page.getByTestId('customer-writes').click();
  await expect(chat.getByTestId('composer')).toBeVisible();

  const shortcut = `ship${Date.now() % 100_000}`;
  await chat.getByTestId('manage-quick-replies').click();
  const form = chat.getByTestId('quick-reply-form');
  await form.locator('input[name="shortcut"]').fill(shortcut);
  await form.locator('textarea[name="text"]').fill('Hi {{contact.first_name}}, {{lead.name}} ships today.');
  await form.locator('select[name="scope"]').selectOption('account');
  await form.getByRole('button', { name: 'Save quick reply' }).click();
  await expect(chat.getByTestId('quick-reply').filter({ hasText: `/${shortcut}` })).toContainText('Everyone in the account');

  const box = chat.getByRole('textbox', { name: 'Message' });
  await box.fill(`/${shortcut.slice(0, 5)}`);
  const picker = chat.getByTestId('quick-picker');
  await expect(picker.getByTestId('quick-picker-item').first()).toContainText(`/${shortcut}`);
  await box.press('Enter');
  await expect(box).toHaveValue('Hi Maria, Website order #1001 ships today.');
  await expect(picker).toBeHidden();
  await chat.getByRole('button', { name: 'Send' }).click();
  await expect(chat.locator('[data-direction="out"]').filter({ hasText: 'Hi Maria, Website order #1001 ships today.' }).last()).toBeVisible();

  // Templates are in the same picker: picking one opens the template form with it chosen.
  await box.fill('/order_up');
  const templateLine = picker.locator('[data-kind="template"]').filter({ hasText: 'order_update' });
  await expect(templateLine).toBeVisible();
  await templateLine.click();
  const templateForm = chat.getByTestId('template-composer');
  await expect(templateForm.locator('select[name="template"] option:checked')).toHaveText('order_update (en_US)');
  await templateForm.getByTestId('template-cancel').click();
  await expect(chat.getByTestId('composer')).toBeVisible();
});
