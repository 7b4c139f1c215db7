import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { accountAdmin, admin, agent, licence, me, orderList, plans } from '../widget/test/api-mock';
import { widgetFrame } from './widget-frame';

/*
 * One screenshot per main screen (card chat, broadcast composer, settings) in Kommo's light and dark
 * themes. The widget's API answers are fixed here so that the pictures show the look, not what other
 * tests left in the demo. A changed picture is reviewed by a person (README, "Test it") before
 * `--update-snapshots` is committed.
 */

// Tall enough that the settings modal shows the whole widget.
test.use({ timezoneId: 'UTC', locale: 'en-US', viewport: { width: 1280, height: 3200 } });

// Fonts antialias a little differently from run to run: small differences are not a change of look.
const tolerance = { maxDiffPixelRatio: 0.01, threshold: 0.25, animations: 'disabled' } as const;

const number = {
  id: 'num-1',
  phoneNumberId: '109000000000001',
  wabaId: '209000000000001',
  displayPhoneNumber: '+1 555-010-0001',
  verifiedName: 'Demo',
  connectedAt: '2026-11-21T10:00:00.000Z',
};
const conversation = {
  id: 'conv-1',
  numberId: 'num-1',
  waId: '5511912345678',
  customerName: 'Maria Silva',
  windowClosesAt: '2099-01-01T00:00:00.000Z',
  optedOut: false,
  unread: 0,
};
const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 10, minute)).toISOString();
const messages = [
  {
    id: 'm4',
    direction: 'out',
    type: 'text',
    content: { body: 'It ships today. You will get the tracking number by email.' },
    status: 'read',
    error: null,
    sentBy: admin.id,
    sentByName: admin.name,
    createdAt: at(4),
  },
  {
    id: 'm3',
    direction: 'in',
    type: 'text',
    content: { body: 'Great, thank you!\nWhen will it arrive?' },
    status: 'received',
    error: null,
    sentBy: null,
    sentByName: null,
    createdAt: at(3),
  },
  {
    id: 'm2',
    direction: 'out',
    type: 'text',
    content: { body: 'Hello Maria! Your order #1001 is packed.' },
    status: 'delivered',
    error: null,
    sentBy: admin.id,
    sentByName: admin.name,
    createdAt: at(2),
  },
  {
    id: 'm1',
    direction: 'in',
    type: 'text',
    content: { body: 'Hi! Is my order #1001 on its way?' },
    status: 'received',
    error: null,
    sentBy: null,
    sentByName: null,
    createdAt: at(1),
  },
];
const templates = [
  {
    name: 'come_back',
    language: 'en_US',
    category: 'MARKETING',
    body: 'Hi {{1}}! We have news for you. Reply STOP to unsubscribe.',
    paramCount: 1,
    headerFormat: null,
    status: 'APPROVED',
    qualifies: true,
    unsubscribe: 'line',
    refusal: null,
  },
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    body: 'Hello {{1}}, your order {{2}} is on its way.',
    paramCount: 2,
    headerFormat: null,
    status: 'APPROVED',
    qualifies: false,
    unsubscribe: null,
    refusal: { reason: 'unsubscribe_missing', words: [] },
  },
];

/** Fixed answers for what the widget reads; the session, the live stream and the rest go to the demo. */
async function fixedAnswers(page: Page) {
  const answers: [RegExp, unknown][] = [
    [/\/api\/v1\/me$/, me],
    [/\/api\/v1\/licence$/, licence()],
    [/\/api\/v1\/plans$/, plans],
    [/\/api\/v1\/account-admin$/, accountAdmin],
    [/\/api\/v1\/orders$/, orderList([])],
    [/\/api\/v1\/users$/, { users: [admin, agent] }],
    [/\/api\/v1\/settings$/, { autoCreateFromInbound: false, replyTasks: false }],
    [/\/api\/v1\/api-keys$/, { keys: [] }],
    [/\/api\/v1\/webhooks$/, { endpoints: [] }],
    [/\/api\/v1\/consent$/, { withdrawnAt: null, deletionDueBy: null }],
    [/\/api\/v1\/numbers$/, { numbers: [number], limit: 1 }],
    [/\/api\/v1\/conversations$/, conversation],
    [/\/api\/v1\/conversations\/conv-1$/, conversation],
    [/\/api\/v1\/conversations\/conv-1\/messages$/, { messages, nextBefore: null }],
    [/\/api\/v1\/numbers\/num-1\/(broadcast-)?templates$/, { templates }],
    [/\/api\/v1\/broadcasts$/, { broadcasts: [] }],
    [/\/api\/v1\/audiences$/, { audiences: [] }],
  ];
  await page.route(/\/api\/v1\//, async (route) => {
    const path = new URL(route.request().url()).pathname;
    // The card's chat in one answer, for the card's own first phone.
    const cardChat = (phone: string) => ({ numbers: [number], conversations: [{ phone, conversation }], refused: [], page: { messages, nextBefore: null } });
    if (path.endsWith('/api/v1/card-chat')) {
      await route.fulfill({ json: cardChat(String((route.request().postDataJSON() as { phones: string[] }).phones[0])) });
      return;
    }
    if (path.endsWith('/api/v1/session')) {
      // A real session; the card's chat that comes with it (a card opened with the page) is this one.
      const real = await route.fetch();
      const card = (route.request().postDataJSON() as { card?: { phones: string[] } }).card;
      await route.fulfill({
        response: real,
        json: card && real.ok() ? { ...(await real.json()), cardChat: cardChat(String(card.phones[0])) } : await real.json(),
      });
      return;
    }
    const answer = route.request().method() !== 'DELETE' && answers.find(([pattern]) => pattern.test(path));
    if (answer) await route.fulfill({ json: answer[1], status: route.request().method() === 'POST' ? 201 : 200 });
    else await route.fallback();
  });
}

// An account with its number connected, as the screens are normally seen.
test.use({ numberConnected: true });

test.beforeEach(async ({ page }) => {
  await fixedAnswers(page);
});

for (const theme of ['light', 'dark'] as const) {
  test(`when the card chat is shown in Kommo's ${theme} theme, then it looks as reviewed`, async ({ page }) => {
    await page.goto(`/demo?theme=${theme}#lead`);
    const widget = widgetFrame(page, 'card');
    await expect(widget.getByTestId('message')).toHaveCount(4);
    await expect(widget.locator('html')).toHaveAttribute('data-theme', theme);
    // The time left in the 24-hour window counts down by the minute.
    await expect(page.locator('iframe[data-wabridge-area="card"]')).toHaveScreenshot(`card-chat-${theme}.png`, {
      ...tolerance,
      mask: [widget.getByTestId('window')],
    });
  });

  test(`when the broadcast composer is shown in Kommo's ${theme} theme, then it looks as reviewed`, async ({ page }) => {
    await page.goto(`/demo?theme=${theme}#leads`);
    await page.getByLabel('Select Website order #1001').check();
    await page.getByRole('button', { name: 'Wabridge' }).click();
    const widget = widgetFrame(page, 'list');
    const composer = widget.getByTestId('broadcast-composer');
    await expect(composer.locator('[data-testid="broadcast-template"] option[value="come_back|en_US"]')).toHaveCount(1);
    // The default name carries today's date.
    await composer.getByLabel('Name').fill('Spring news');
    await expect(page.locator('iframe[data-wabridge-area="list"]')).toHaveScreenshot(`broadcast-composer-${theme}.png`, tolerance);
  });

  test(`when the settings are shown in Kommo's ${theme} theme, then they look as reviewed`, async ({ page }) => {
    await page.goto(`/demo?theme=${theme}#settings`);
    await page.getByTestId('integration-tile').click();
    const widget = widgetFrame(page, 'settings');
    await expect(widget.getByTestId('licence-card')).toBeVisible();
    // The settings open on their first section, Licence and billing, with the sections' tabs above.
    await expect(widget.getByRole('tablist')).toBeVisible();
    await expect(widget.getByTestId('section-billing')).toBeVisible();
    await expect(page.locator('iframe[data-wabridge-area="settings"]')).toHaveScreenshot(`settings-${theme}.png`, tolerance);
  });
}
