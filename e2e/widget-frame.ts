import type { Page } from '@playwright/test';

/** The Wabridge iframe the loader placed in one Kommo area. */
export function widgetFrame(page: Page, area: 'card' | 'settings' | 'advanced_settings' | 'list') {
  return page.frameLocator(`iframe[data-wabridge-area="${area}"]`);
}
