import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { runOps } from '../scripts/ops';
import { widgetFrame } from './widget-frame';

// The admin has registered the account: buying needs it.
test.use({ registered: true });

/** The operator, as `npm run ops` against the running demo (the demo keeps its token in its data folder). */
async function ops(args: string[], token?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const env = { url: test.info().project.use.baseURL!, token: token ?? (await demoToken()) };
  const code = await runOps(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function demoToken(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(`${process.env.E2E_DATA_DIR}/demo-secrets.json`, 'utf8')).operatorToken;
}

/** In the advanced settings, the admin buys the User plan by card, through the sandbox checkout's 3-D Secure step. */
async function buyUserPlanByCard(page: Page) {
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  await expect(widget.getByTestId('order-price')).toHaveText('To pay: $9.00.');
  await widget.getByTestId('buy-panel').locator('select[name="plan"]').selectOption('user');
  const [checkout] = await Promise.all([page.waitForEvent('popup'), widget.getByTestId('place-order').click()]);
  await expect(checkout.getByRole('heading', { name: 'Pay $9.00' })).toBeVisible();
  await checkout.getByRole('button', { name: 'Pay with a card that needs 3-D Secure' }).click();
  await checkout.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(checkout.getByTestId('payment-return')).toHaveText('Payment received');
  await checkout.close();
  return widget;
}

test('when the admin buys the User plan by card in the sandbox checkout, then the licence turns active and the order shows as paid with its claim window', async ({
  page,
}) => {
  const widget = await buyUserPlanByCard(page);
  const order = widget.getByTestId('order').first();
  await expect(order.getByTestId('order-status')).toHaveText('active');
  await expect(order.getByTestId('claim-window')).toContainText('Claims about this licence are accepted until 20');
  await expect(widget.getByTestId('licence-plan')).toHaveText('User · active');
});

test('when the admin files a claim and the operator answers, then the answer appears in the widget', async ({ page, account }) => {
  const widget = await buyUserPlanByCard(page);
  await expect(widget.getByTestId('order').first().getByTestId('order-status')).toHaveText('active');
  await widget.getByTestId('open-claim').first().click();
  await widget
    .getByTestId('claim-form')
    .getByLabel(/What does the licence not give/)
    .fill('Broadcasts were not available although we paid for them.');
  await widget.getByTestId('claim-form').getByRole('button', { name: 'Send the claim' }).click();
  await expect(widget.getByTestId('claim').first()).toHaveAttribute('data-status', 'open');

  expect((await ops(['claims'], 'not-the-operator-token-at-all-0000')).code).toBe(1);
  // The operator sees every account's open claims; this one is the test account's.
  const claims = JSON.parse((await ops(['claims'])).out).claims.filter((c: { account: string }) => c.account === account.subdomain);
  expect(claims).toHaveLength(1);
  const answered = await ops([
    'answer',
    claims[0].id,
    '--decision',
    'rejected',
    '--answer',
    'Broadcasts need Kommo Advanced; your account was on Base at the time.',
  ]);
  expect(answered.code).toBe(0);

  await page.reload();
  await expect(widgetFrame(page, 'advanced_settings').getByTestId('claim-answer').first()).toHaveText(
    'Answer: Broadcasts need Kommo Advanced; your account was on Base at the time.',
  );
});

test('when the admin asks for an invoice, then the printable invoice shows the buyer’s registration, the number, amount and due date', async ({ page }) => {
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  await widget.getByTestId('buy-panel').locator('select[name="method"]').selectOption('invoice');
  await expect(widget.getByTestId('place-order')).toHaveText('Get the invoice');
  const [invoice] = await Promise.all([page.waitForEvent('popup'), widget.getByTestId('place-order').click()]);
  await expect(invoice.getByTestId('invoice-buyer')).toContainText('Souza Dana');
  await expect(invoice.getByTestId('invoice-buyer')).toContainText('dana@example.com');
  await expect(invoice.getByTestId('invoice-number')).toHaveText(/^WB-\d{4}-\d{6}$/);
  await expect(invoice.getByTestId('invoice-amount')).toHaveText('$9.00');
  await expect(invoice.getByTestId('invoice-due')).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
});

test('when the admin asks to pay by card twice, then the second time brings back the open order and its payment page instead of a second order', async ({
  page,
}) => {
  await page.goto('/demo#advanced');
  const widget = widgetFrame(page, 'advanced_settings');
  const panel = widget.getByTestId('buy-panel');
  await panel.locator('select[name="method"]').selectOption('card');
  await expect(widget.getByTestId('place-order')).toHaveText('Pay by card');
  const [first] = await Promise.all([page.waitForEvent('popup'), widget.getByTestId('place-order').click()]);
  await first.waitForLoadState();
  const firstUrl = first.url();
  expect(firstUrl).toMatch(/\/checkout\/cs_test_/);
  await first.close();
  await expect(panel.getByTestId('open-order')).toContainText('is waiting for payment');

  const [second] = await Promise.all([page.waitForEvent('popup'), widget.getByTestId('place-order').click()]);
  await second.waitForLoadState();
  expect(second.url()).toBe(firstUrl);
  await second.close();
  await expect(panel.getByTestId('open-order')).toContainText('You have already ordered this.');
  await expect(widget.locator('[data-testid="order"][data-status="awaiting_payment"]')).toHaveCount(1);
});
