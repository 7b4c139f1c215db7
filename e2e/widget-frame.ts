import { expect, type Page } from '@playwright/test';

/** The Wabridge iframe the loader placed in one Kommo area. */
export function widgetFrame(page: Page, area: 'card' | 'settings' | 'advanced_settings' | 'list') {
  return page.frameLocator(`iframe[data-wabridge-area="${area}"]`);
}

/** Opens the demo lead's card and answers its chat, once it shows the lead's contact (Maria Silva). */
export async function openLeadChat(page: Page) {
  await page.goto('/demo#lead');
  const chat = widgetFrame(page, 'card').getByTestId('chat');
  await expect(chat.getByTestId('chat-with')).toContainText('Maria Silva');
  return chat;
}
