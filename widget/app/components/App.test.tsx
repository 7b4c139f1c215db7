import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, HttpResponse } from 'msw';
import { API, accountAdmin, agent, context, licence, me, orderList, paidOrder, received, server, session } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createFakeHost } from '../host/fake-host';
import { mount } from '../mount';

/** Lets Preact apply the state changes of the last event, as a browser would between two user actions. */
const rendered = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('the widget app', () => {
  let root: HTMLElement;
  let unmount: () => void;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    received.length = 0;
    root = document.createElement('div');
    document.body.appendChild(root);
  });
  afterEach(() => {
    unmount?.();
    root.remove();
    server.resetHandlers();
  });

  function start(language = 'en') {
    const fake = createFakeHost();
    unmount = mount(root, { host: fake.host, language, createApi: (getToken) => createApiClient({ baseURL: API, getToken }) });
    return fake;
  }

  it('when it opens in a lead card, then it shows the signed-in user, the account and the card’s contacts', async () => {
    const fake = start();
    await vi.waitFor(() => expect(root.textContent).toContain('Connecting to Wabridge'));
    fake.push({ type: 'wabridge:context', session: session(), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="wabridge-user"]')?.textContent).toBe('Signed in as Dana Admin (administrator)'));
    expect(root.querySelector('[data-testid="wabridge-account"]')?.textContent).toContain('Wabridge Demo Company (wabridge-demo)');
    expect(root.querySelector('[data-testid="wabridge-contacts"]')?.textContent).toContain('Maria Silva +55 11 91234-5678');
  });

  it("when a card opens and `/me` is slower than the chat, then the chat is drawn first (the admin's wording from the session's role) and the signed-in line follows", async () => {
    let answerMe = () => {};
    const meHeld = new Promise<void>((resolve) => (answerMe = resolve));
    server.use(http.get(`${API}/api/v1/me`, async () => (await meHeld, HttpResponse.json(me))));
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="no-number"]')?.textContent).toContain('Connect a WhatsApp number'));
    expect(root.querySelector('[data-testid="wabridge-user"]')).toBeNull();
    answerMe();
    await vi.waitFor(() => expect(root.querySelector('[data-testid="wabridge-user"]')?.textContent).toBe('Signed in as Dana Admin (administrator)'));
  });

  it('when Kommo is in Spanish, then the app speaks Spanish', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: { ...context('card'), language: 'es' } });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="wabridge-user"]')?.textContent).toBe('Sesión iniciada como Dana Admin (administrador)'));
  });

  it('when the account is not installed, then it says how to install instead of a raw code', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:session-error', error: { code: 'account_not_installed', message: 'x' } });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="wabridge-error"]')).not.toBeNull());
    const error = root.querySelector('[data-testid="wabridge-error"]');
    expect(error?.getAttribute('data-code')).toBe('account_not_installed');
    expect(error?.textContent).toContain('Settings → Integrations');
  });

  it('when an admin unticks a user in the settings, then the backend is asked to disable that user', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session('tok'), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="wabridge-users"] input')).toHaveLength(2));
    const boxes = root.querySelectorAll<HTMLInputElement>('[data-testid="wabridge-users"] input');
    expect(boxes[0]!.disabled).toBe(true); // the admin's own box
    boxes[1]!.click();
    await vi.waitFor(() => expect(received.some((r) => r.method === 'PATCH')).toBe(true));
    expect(received.find((r) => r.method === 'PATCH')).toEqual({
      method: 'PATCH',
      path: '/api/v1/users/8100002',
      authorization: 'Bearer tok',
      body: { enabled: false },
    });
    await vi.waitFor(() => expect(root.querySelectorAll<HTMLInputElement>('[data-testid="wabridge-users"] input')[1]!.checked).toBe(false));
  });

  it('when the licence loads in the settings, then the licence block shows the plan, the days left and the allowance meter', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="licence-card"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="licence-plan"]')?.textContent).toBe('Demo · free demo');
    expect(root.querySelector('[data-testid="licence-period"]')?.textContent).toContain('6 days left');
    expect(root.querySelector('[data-testid="allowance"]')?.textContent).toContain('25 of 100 messages used');
    expect(root.querySelector('[role="meter"]')?.getAttribute('aria-valuenow')).toBe('25');
  });

  it('when a card opens, then the licence is one compact line above the chat, not the settings block, and one day left is singular', async () => {
    server.use(http.get(`${API}/api/v1/licence`, () => HttpResponse.json({ ...licence(), period: { ...licence().period!, daysLeft: 1 } })));
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="licence-line"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="licence-line"]')?.textContent).toMatch(/^Demo · free demo · Until .+ · 1 day left · 25 of 100 messages used$/);
    expect(root.querySelector('[data-testid="licence-card"]')).toBeNull();
    expect(root.querySelector('[role="meter"]')).toBeNull();
  });

  it('when the app is in Spanish, then the install date is written as every other date of that language, not the browser’s way', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: { ...context('settings'), language: 'es' } });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="wabridge-account"]')).not.toBeNull());
    const medium = new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeZone: me.account.timezone! }).format(new Date(me.account.installedAt));
    expect(root.querySelector('[data-testid="wabridge-account"]')?.textContent).toContain(`instalado el ${medium}`);
  });

  it('when the account has gone unused for 80 days, then the licence card warns of the suspension in 10 days, in the user’s language', async () => {
    server.use(
      http.get(`${API}/api/v1/licence`, () =>
        HttpResponse.json({ ...licence(), state: 'expired', plan: null, period: null, inactivity: { daysUnused: 80, daysLeft: 10 } }),
      ),
    );
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: { ...context('settings'), language: 'pt' } });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="licence-inactivity"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="licence-inactivity"]')?.textContent).toContain('80 dias sem uso');
    expect(root.querySelector('[data-testid="licence-inactivity"]')?.textContent).toContain('suspensa em 10 dias');
  });

  it('when the account is on Kommo Base, then gated capabilities are listed as off with the reason', async () => {
    server.use(http.get(`${API}/api/v1/licence`, () => HttpResponse.json(licence('Base'))));
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-capability="broadcasts"]')).not.toBeNull());
    expect(root.querySelector('[data-capability="broadcasts"]')?.textContent).toBe(
      'Broadcasts: needs Kommo Advanced or higher; this account is on Base. Upgrade the Kommo plan to use it.',
    );
    await vi.waitFor(() => expect(root.querySelector('[data-testid="auto-create-off"]')).not.toBeNull());
    expect(root.querySelector<HTMLInputElement>('input[name="autoCreateFromInbound"]')?.disabled).toBe(true);
  });

  it('when an admin adds a digital-pipeline automation, then it is saved with one parameter per line and listed with the id Kommo’s action will carry', async () => {
    const saved: unknown[] = [];
    const stored = {
      id: 'Q3xv1c9Rk2-8mZtLw0Pa_A',
      name: 'Order update',
      numberId: null,
      template: 'order_update',
      language: 'en_US',
      parameters: ['{{contact.first_name}}', '{{lead.name}}'],
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
    };
    let list: (typeof stored)[] = [];
    server.use(
      http.get(`${API}/api/v1/automations`, () => HttpResponse.json({ automations: list })),
      http.post(`${API}/api/v1/automations`, async ({ request }) => {
        saved.push(await request.json());
        list = [stored];
        return HttpResponse.json(stored, { status: 201 });
      }),
    );
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('settings') });
    const panel = await vi.waitFor(
      () => {
        const found = root.querySelector<HTMLElement>('[data-testid="automations-panel"]');
        expect(found).not.toBeNull();
        return found!;
      },
      { timeout: 15_000 },
    );
    const type = (name: string, value: string) => {
      const el = panel.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)!;
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    };
    type('name', 'Order update');
    await rendered();
    type('template', 'order_update');
    await rendered();
    type('parameters', '{{contact.first_name}}\n\n {{lead.name}} ');
    await rendered();
    panel.querySelector<HTMLFormElement>('[data-testid="automation-form"]')!.requestSubmit();
    await vi.waitFor(() => expect(panel.querySelector('[data-testid="automation"]')?.textContent).toContain('Q3xv1c9Rk2-8mZtLw0Pa_A'), { timeout: 15_000 });
    expect(saved).toEqual([
      { name: 'Order update', numberId: null, template: 'order_update', language: 'en_US', parameters: ['{{contact.first_name}}', '{{lead.name}}'] },
    ]);
  });

  it('when the account is on Kommo Base, then the automation form is off and says why', async () => {
    server.use(http.get(`${API}/api/v1/licence`, () => HttpResponse.json(licence('Base'))));
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="automations-off"]')?.textContent).toContain('needs Kommo Advanced or higher'), {
      timeout: 15_000,
    });
    expect(root.querySelector<HTMLButtonElement>('[data-testid="automation-form"] button[type="submit"]')?.disabled).toBe(true);
  });

  it('when a non-admin opens the settings, then only the status shows, with no admin controls', async () => {
    server.use(http.get(`${API}/api/v1/me`, () => HttpResponse.json({ ...me, user: agent })));
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="licence-card"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="admin-only"]')).not.toBeNull();
    expect(root.querySelector('[data-testid="admin-screens"]')).toBeNull();
    expect(root.querySelector('form')).toBeNull();
  });

  it('when the backend refuses a registration field, then the form marks that field with the reason, naming it by its label', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="registration-form"]')).not.toBeNull());
    const form = root.querySelector<HTMLFormElement>('[data-testid="registration-form"]')!;
    const phone = form.querySelector<HTMLInputElement>('input[name="phone"]')!;
    phone.value = '11 9123';
    phone.dispatchEvent(new Event('input', { bubbles: true }));
    await rendered();
    form.querySelector<HTMLInputElement>('input[name="acceptTerms"]')!.click();
    await rendered();
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(phone.getAttribute('aria-invalid')).toBe('true'));
    expect(form.textContent).toContain('Contact phone (international format) is not in the expected format.');
    expect(form.textContent).not.toContain('must be in international format');
    expect(received.find((r) => r.method === 'PUT')?.body).toMatchObject({ phone: '119123', acceptTerms: true, termsVersion: '2026-11-01' });
  });

  it('when an active order is shown, then its claim window is named, and terminating warns that nothing is refunded before it sends', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="order"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="claim-window"]')?.textContent).toBe(
      'Claims about this licence are accepted until 2026-12-01 (end of day, your time).',
    );
    root.querySelector<HTMLButtonElement>('[data-testid="terminate"]')!.click();
    await vi.waitFor(() => expect(root.querySelector('[data-testid="terminate-confirm"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="terminate-confirm"]')?.textContent).toContain('does not refund the prepayment');
    expect(received.some((r) => r.path.endsWith('/terminate'))).toBe(false);
    root.querySelector<HTMLButtonElement>('[data-testid="terminate-confirm"] .wb-danger')!.click();
    await vi.waitFor(() => expect(received.find((r) => r.path.endsWith('/terminate'))?.body).toEqual({ confirm: true }));
  });

  it('when the claim window has closed, then no claim form is offered and the closing date is shown; a pending activation names support', async () => {
    server.use(
      http.get(`${API}/api/v1/orders`, () =>
        HttpResponse.json(
          orderList([
            {
              ...paidOrder,
              status: 'paid',
              activatedAt: null,
              activationPending: true,
              canTerminate: false,
              claimWindow: { lastDay: '2026-12-01', closesAt: '2026-12-02T03:00:00.000Z', open: false },
            },
          ]),
        ),
      ),
    );
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="order"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="claim-window"]')?.textContent).toBe('The claim window closed on 2026-12-01.');
    expect(root.querySelector('[data-testid="open-claim"]')).toBeNull();
    expect(root.querySelector('[data-testid="activation-pending"]')?.textContent).toContain('support@wabridge.test');
  });

  it('when the admin pays by card, then the order is created at the backend’s price and the payment page opens in a new tab', async () => {
    server.use(http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json({ ...accountAdmin, mayOrder: { allowed: true } })));
    server.use(
      http.post(`${API}/api/v1/orders`, async ({ request }) => {
        await (async () =>
          received.push({ method: 'POST', path: '/api/v1/orders', authorization: request.headers.get('authorization'), body: await request.json() }))();
        return HttpResponse.json({ ...paidOrder, status: 'awaiting_payment', checkoutUrl: 'https://pay.example/cs_1' }, { status: 201 });
      }),
    );
    const opened: string[] = [];
    const fake = createFakeHost();
    unmount = mount(root, {
      host: fake.host,
      language: 'en',
      openTab: (url) => opened.push(url),
      createApi: (getToken) => createApiClient({ baseURL: API, getToken }),
    });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="order-price"]')?.textContent).toBe('To pay: $9.00.'));
    root.querySelector<HTMLButtonElement>('[data-testid="place-order"]')!.click();
    await vi.waitFor(() => expect(opened).toEqual(['https://pay.example/cs_1']));
    expect(received.find((r) => r.path === '/api/v1/orders')?.body).toEqual({ action: 'buy', plan: 'user', currency: 'USD', method: 'card' });
  });

  it('when the admin asks to buy again while an order is unpaid, then that order is shown with Pay now instead of a second one, and a different order warns that it replaces it', async () => {
    const unpaid = {
      ...paidOrder,
      id: 'ord-2',
      number: 'WB-2026-001002',
      status: 'awaiting_payment' as const,
      amountReceived: 0,
      paidAt: null,
      activatedAt: null,
      claimWindow: null,
      canTerminate: false,
      checkoutUrl: 'https://pay.example/cs_old',
    };
    server.use(
      http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json({ ...accountAdmin, mayOrder: { allowed: true } })),
      http.get(`${API}/api/v1/orders`, () => HttpResponse.json(orderList([unpaid]))),
      // The backend answers the same order asked again with the open one (200), not a new one.
      http.post(`${API}/api/v1/orders`, () => HttpResponse.json(unpaid, { status: 200 })),
      http.post(`${API}/api/v1/orders/ord-2/checkout`, async ({ request }) => {
        received.push({ method: 'POST', path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), body: await request.json() });
        return HttpResponse.json({ ...unpaid, checkoutUrl: 'https://pay.example/cs_fresh' });
      }),
    );
    const opened: string[] = [];
    const fake = createFakeHost();
    unmount = mount(root, {
      host: fake.host,
      language: 'en',
      openTab: (url) => opened.push(url),
      createApi: (getToken) => createApiClient({ baseURL: API, getToken }),
    });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    const block = () => root.querySelector('[data-testid="open-order"]');
    await vi.waitFor(() => expect(block()?.textContent).toContain('Order WB-2026-001002 is waiting for payment ($9.00).'));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="order-price"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="replaces-open-order"]')).toBeNull();

    root.querySelector<HTMLButtonElement>('[data-testid="place-order"]')!.click();
    await vi.waitFor(() => expect(block()?.textContent).toContain('You have already ordered this.'));
    expect(opened).toEqual(['https://pay.example/cs_old']);
    expect(root.querySelectorAll('[data-testid="order"]')).toHaveLength(1);

    // Pay now asks the backend, which opens a fresh page when the old one expired.
    block()!.querySelector<HTMLButtonElement>('[data-testid="pay-open-order"]')!.click();
    await vi.waitFor(() => expect(opened).toEqual(['https://pay.example/cs_old', 'https://pay.example/cs_fresh']));
    expect(received.find((r) => r.path === '/api/v1/orders/ord-2/checkout')?.body).toEqual({});

    const currency = root.querySelector<HTMLSelectElement>('[data-testid="buy-panel"] select[name="currency"]')!;
    currency.value = 'EUR';
    currency.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() =>
      expect(root.querySelector('[data-testid="replaces-open-order"]')?.textContent).toBe(
        'Placing this order cancels order WB-2026-001002: its payment page can no longer be used.',
      ),
    );
    expect(block()?.textContent).not.toContain('You have already ordered this.');
  });
});
