import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, HttpResponse } from 'msw';
import type { KommoChannelView } from '../../../contract/kommo-channel';
import type { LicenceStatus } from '../../../contract/licence';
import type { OrderView } from '../../../contract/orders';
import { API, accountAdmin, context, licence, orderList, paidOrder, received, server, session } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createFakeHost } from '../host/fake-host';
import { mount } from '../mount';
import en from '../../../i18n/en.json';

/** Lets Preact apply the state changes of the last event, as a browser would between two user actions. */
const rendered = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
// The admin screens are a lazy chunk with a dozen panels: give them time on a busy machine.
const soon = { timeout: 5000 };

const registered = {
  ...accountAdmin,
  registration: {
    lastName: 'Souza',
    firstName: 'Dana',
    patronymic: null,
    email: 'dana@example.com',
    phone: '+5511912345678',
    city: 'São Paulo',
    registeredAt: '2026-11-20T12:00:00.000Z',
  },
  terms: { ...accountAdmin.terms, acceptedVersion: '2026-11-01', acceptedAt: '2026-11-20T12:00:00.000Z', acceptanceRequired: false },
  mayOrder: { allowed: true },
};

const unpaid: OrderView = {
  ...paidOrder,
  id: 'ord-2',
  number: 'WB-2026-001002',
  status: 'awaiting_payment',
  amountReceived: 0,
  paidAt: null,
  activatedAt: null,
  claimWindow: null,
  canTerminate: false,
  checkoutUrl: 'https://pay.example/cs_old',
  history: [],
};

const proLicence = (): LicenceStatus => ({
  ...licence(),
  state: 'active',
  plan: 'pro',
  allowance: { used: 0, limit: 100_000, resetsAt: null },
  numberLimit: 10,
});

const number = {
  id: 'num-1',
  phoneNumberId: '1055500001',
  wabaId: '2055500001',
  displayPhoneNumber: '+1 555-010-0001',
  verifiedName: 'Wabridge Demo',
  connectedAt: '2026-11-20T12:00:00.000Z',
};

describe('the admin screens', { timeout: 20_000 }, () => {
  let root: HTMLElement;
  let unmount: () => void;
  let opened: string[];
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    received.length = 0;
    opened = [];
    root = document.createElement('div');
    document.body.appendChild(root);
  });
  afterEach(() => {
    unmount?.();
    root.remove();
    server.resetHandlers();
  });

  async function openAdvancedSettings() {
    const fake = createFakeHost();
    unmount = mount(root, {
      host: fake.host,
      language: 'en',
      openTab: (url) => opened.push(url),
      createApi: (getToken) => createApiClient({ baseURL: API, getToken }),
    });
    fake.push({ type: 'wabridge:context', session: session(), context: context('advanced_settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="buy-panel"]')).not.toBeNull(), soon);
  }
  const $ = <T extends Element = HTMLElement>(selector: string) => root.querySelector<T>(selector);
  const select = (name: string) => $<HTMLSelectElement>(`[data-testid="buy-panel"] select[name="${name}"]`)!;
  const tab = (name: string) => [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((b) => b.textContent === name);

  it('when the advanced settings open, then the admin screens are five sections shown one at a time, and a tab (or an arrow key) shows its section', async () => {
    await openAdvancedSettings();
    expect([...root.querySelectorAll('[role="tab"]')].map((b) => b.textContent)).toEqual([
      'Licence and billing',
      'WhatsApp numbers',
      'Team',
      'Automation and API',
      'Privacy',
    ]);
    const shown = () => [...root.querySelectorAll<HTMLElement>('[role="tabpanel"]')].filter((p) => !p.hidden).map((p) => p.dataset.testid);
    expect(shown()).toEqual(['section-billing']);
    expect($('[data-testid="section-billing"] [data-testid="buy-panel"]')).not.toBeNull();

    tab('Team')!.click();
    await rendered();
    expect(shown()).toEqual(['section-team']);
    expect(tab('Team')!.getAttribute('aria-selected')).toBe('true');
    expect($('[data-testid="section-team"] [data-testid="wabridge-users"]')).not.toBeNull();

    tab('Team')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await rendered();
    expect(shown()).toEqual(['section-automation']);
    // Automation and API: the automation settings, the API keys, the webhooks.
    await vi.waitFor(() => expect($('[data-testid="section-automation"] [data-testid="webhooks-panel"]')).not.toBeNull(), soon);
    expect($('[data-testid="section-automation"] [data-testid="settings-panel"]')).not.toBeNull();
    expect($('[data-testid="section-automation"] [data-testid="api-keys-panel"]')).not.toBeNull();
    await vi.waitFor(() => expect($('[data-testid="section-numbers"] [data-testid="numbers-panel"]')).not.toBeNull(), soon);
    expect($('[data-testid="section-privacy"] [data-testid="consent-panel"]')).not.toBeNull();
  });

  it('when the installation has Kommo’s chat channel and the admin turns its switch on in WhatsApp numbers, then the widget asks the backend and shows it connecting, then connected', async () => {
    let state: KommoChannelView = { available: true, enabled: false, state: 'off', lastError: null };
    let asked = 0;
    server.use(
      http.get(`${API}/api/v1/kommo-channel`, () => {
        // The backend connects in the background: the second look after the switch finds it done.
        if (state.state === 'connect' && ++asked >= 2) state = { ...state, state: 'connected' };
        return HttpResponse.json(state);
      }),
      http.put(`${API}/api/v1/kommo-channel`, async ({ request }) => {
        const body = (await request.json()) as { enabled: boolean };
        received.push({ method: 'PUT', path: '/api/v1/kommo-channel', authorization: request.headers.get('authorization'), body });
        state = { ...state, enabled: body.enabled, state: body.enabled ? 'connect' : 'disconnect' };
        return HttpResponse.json(state);
      }),
    );
    await openAdvancedSettings();
    tab('WhatsApp numbers')!.click();
    const toggle = await vi.waitFor(() => {
      const input = $<HTMLInputElement>('[data-testid="section-numbers"] [data-testid="kommo-channel-panel"] [data-testid="kommo-channel-switch"]');
      expect(input).not.toBeNull();
      return input!;
    }, soon);
    expect(toggle.checked).toBe(false);
    expect(toggle.disabled).toBe(false);
    expect($('[data-testid="kommo-channel-state"]')!.textContent).toBe('Off: conversations are only in the card and as timeline notes.');

    toggle.click();
    await vi.waitFor(() => expect($('[data-testid="kommo-channel-state"]')!.textContent).toBe('Connecting to Kommo…'), soon);
    expect(received.filter((r) => r.method === 'PUT')).toEqual([
      { method: 'PUT', path: '/api/v1/kommo-channel', authorization: 'Bearer session-token-1', body: { enabled: true } },
    ]);
    expect($<HTMLInputElement>('[data-testid="kommo-channel-switch"]')!.checked).toBe(true);
    await vi.waitFor(() => expect($('[data-testid="kommo-channel-state"]')!.textContent).toBe('Connected: new messages show in Kommo’s inbox.'), {
      timeout: 8000,
    });
    expect($('[data-testid="kommo-channel-last-error"]')).toBeNull();
  });

  it('when the installation has no Kommo chat channel, then the switch is off and disabled and says the operator must configure it; a refusal and the last connection error are shown in the admin’s words', async () => {
    await openAdvancedSettings();
    await vi.waitFor(() => expect($('[data-testid="kommo-channel-panel"]')).not.toBeNull(), soon);
    const toggle = $<HTMLInputElement>('[data-testid="kommo-channel-switch"]')!;
    expect(toggle.checked).toBe(false);
    expect(toggle.disabled).toBe(true);
    expect($('[data-testid="kommo-channel-unavailable"]')!.textContent).toContain('KOMMO_CHANNEL_ID');
    unmount();
    root.replaceChildren();

    // Configured, switched on, but Kommo refused the connection so far; and turning it off fails (the database is away).
    server.use(
      http.get(`${API}/api/v1/kommo-channel`, () => HttpResponse.json({ available: true, enabled: true, state: 'connect', lastError: 'amojo answered 503' })),
      http.put(`${API}/api/v1/kommo-channel`, () =>
        HttpResponse.json({ error: { code: 'store_unavailable', message: 'The service cannot reach its database right now.' } }, { status: 503 }),
      ),
    );
    await openAdvancedSettings();
    await vi.waitFor(
      () =>
        expect($('[data-testid="kommo-channel-last-error"]')?.textContent).toBe('The last attempt failed: amojo answered 503. Wabridge tries again by itself.'),
      soon,
    );
    $<HTMLInputElement>('[data-testid="kommo-channel-switch"]')!.click();
    await vi.waitFor(() => expect($('[data-testid="kommo-channel-panel"] [role="alert"]')?.textContent).toBe(en.errors.store_unavailable), soon);
    // The switch is back where the backend has it.
    expect($<HTMLInputElement>('[data-testid="kommo-channel-switch"]')!.checked).toBe(true);
  });

  it('when an order for Pro in EUR is waiting for payment, then the buy panel starts from that order, so paying again returns it instead of replacing it', async () => {
    const open: OrderView = { ...unpaid, plan: 'pro', currency: 'EUR', amountDue: 1900, price: 1900 };
    server.use(
      http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json(registered)),
      http.get(`${API}/api/v1/orders`, () => HttpResponse.json(orderList([open]))),
      http.post(`${API}/api/v1/orders`, async ({ request }) => {
        received.push({ method: 'POST', path: '/api/v1/orders', authorization: null, body: await request.json() });
        return HttpResponse.json(open, { status: 200 });
      }),
    );
    await openAdvancedSettings();
    await vi.waitFor(() => expect($('[data-testid="open-order"]')).not.toBeNull(), soon);
    await vi.waitFor(() => expect(select('plan').value).toBe('pro'), soon);
    expect(select('currency').value).toBe('EUR');
    expect(select('method').value).toBe('card');
    await vi.waitFor(() => expect($('[data-testid="order-price"]')).not.toBeNull(), soon);
    expect($('[data-testid="replaces-open-order"]')).toBeNull();

    $<HTMLButtonElement>('[data-testid="place-order"]')!.click();
    await vi.waitFor(() => expect($('[data-testid="open-order"]')?.textContent).toContain('You have already ordered this.'), soon);
    expect(received.find((r) => r.path === '/api/v1/orders')?.body).toEqual({ action: 'buy', plan: 'pro', currency: 'EUR', method: 'card' });
    expect(opened).toEqual(['https://pay.example/cs_old']);
  });

  it('when Pro is the paid plan in force, then Renew starts on Pro, and Upgrade on the next dearer plan', async () => {
    server.use(
      http.get(`${API}/api/v1/licence`, () => HttpResponse.json(proLicence())),
      http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json(registered)),
      http.get(`${API}/api/v1/orders/quote`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        received.push({ method: 'GET', path: `/api/v1/orders/quote?${q.toString()}`, authorization: null, body: undefined });
        return HttpResponse.json({
          kind: q.get('action') === 'upgrade' ? 'upgrade' : 'renewal',
          plan: q.get('plan'),
          currency: q.get('currency'),
          price: 1900,
          creditApplied: 0,
          amountDue: 1900,
          remainingDays: null,
          unusedValue: null,
        });
      }),
    );
    await openAdvancedSettings();
    await vi.waitFor(() => expect(select('action').value).toBe('renew'), soon);
    expect(select('plan').value).toBe('pro');
    await vi.waitFor(() => expect(received.some((r) => r.path.includes('action=renew&plan=pro'))).toBe(true), soon);

    const action = select('action');
    action.value = 'upgrade';
    action.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(select('plan').value).toBe('vip'), soon);
    expect([...select('plan').options].map((o) => o.value)).toEqual(['vip']);
    action.value = 'renew';
    action.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => expect(select('plan').value).toBe('pro'), soon);
  });

  it('when a payment activates Pro while the settings are open, then the WhatsApp number limit follows at once, without a reload', async () => {
    let paid = false;
    server.use(
      http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json(registered)),
      http.get(`${API}/api/v1/licence`, () => HttpResponse.json(paid ? proLicence() : licence())),
      http.get(`${API}/api/v1/numbers`, () => HttpResponse.json({ numbers: [], limit: paid ? 10 : 1 })),
      http.get(`${API}/api/v1/orders`, () =>
        HttpResponse.json(
          orderList([
            paid
              ? { ...unpaid, plan: 'pro', status: 'active', paidAt: '2026-11-21T11:00:00.000Z', activatedAt: '2026-11-21T11:00:00.000Z' }
              : { ...unpaid, plan: 'pro' },
          ]),
        ),
      ),
      http.post(`${API}/api/v1/orders/:id/checkout`, () => {
        // The card provider's webhook arrives while the admin is on the payment page.
        paid = true;
        return HttpResponse.json({ ...unpaid, plan: 'pro' });
      }),
    );
    await openAdvancedSettings();
    const panel = () => $('[data-testid="numbers-panel"]');
    await vi.waitFor(() => expect(panel()?.textContent).toContain('0 of 1 numbers your plan allows'), soon);

    $<HTMLButtonElement>('[data-testid="pay-open-order"]')!.click();
    await vi.waitFor(() => expect($('[data-testid="licence-plan"]')?.textContent).toContain('Pro'), soon);
    await vi.waitFor(() => expect(panel()?.textContent).toContain('0 of 10 numbers your plan allows'), soon);
    expect(panel()?.querySelector('[data-testid="connect-number"]')).not.toBeNull();
  });

  it('when a registration whose terms version is accepted is changed, then Save changes sends it without asking to tick the terms again', async () => {
    server.use(
      http.get(`${API}/api/v1/account-admin`, () => HttpResponse.json(registered)),
      http.put(`${API}/api/v1/registration`, async ({ request }) => {
        received.push({ method: 'PUT', path: '/api/v1/registration', authorization: null, body: await request.json() });
        return HttpResponse.json({ ...registered, registration: { ...registered.registration, city: 'Campinas' } });
      }),
    );
    await openAdvancedSettings();
    const form = $<HTMLFormElement>('[data-testid="registration-form"]')!;
    expect(form.querySelector('input[name="acceptTerms"]')).toBeNull();
    expect(form.querySelector('[data-testid="registration-terms-accepted"]')?.textContent).toContain('Wabridge licence agreement (2026-11-01)');
    const city = form.querySelector<HTMLInputElement>('input[name="city"]')!;
    city.value = 'Campinas';
    city.dispatchEvent(new Event('input', { bubbles: true }));
    await rendered();
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(
      () => expect(received.find((r) => r.method === 'PUT')?.body).toMatchObject({ city: 'Campinas', termsVersion: '2026-11-01', acceptTerms: true }),
      soon,
    );
    await rendered();
    expect(form.textContent).not.toContain('Tick the box to accept the terms.');
  });

  it('when the account is not registered yet, then the buy panel points up to the registration form above it, and its button takes the admin there', async () => {
    await openAdvancedSettings();
    const blocked = $('[data-testid="order-blocked"]')!;
    expect(blocked.textContent).not.toMatch(/below/i);
    expect(blocked.textContent).toContain('↑ Go to the registration form');
    const form = $('[data-testid="registration-form"]')!;
    // The form really is above the panel.
    expect(form.compareDocumentPosition($('[data-testid="buy-panel"]')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    $<HTMLButtonElement>('[data-testid="go-to-registration"]')!.click();
    expect(document.activeElement).toBe(form.querySelector('input[name="lastName"]'));
  });

  it('when the admin removes a number, then a confirmation says its chats go with it, and only confirming sends the removal', async () => {
    let numbers = [number];
    server.use(
      http.get(`${API}/api/v1/numbers`, () => HttpResponse.json({ numbers, limit: 1 })),
      http.delete(`${API}/api/v1/numbers/:id`, ({ request }) => {
        received.push({ method: 'DELETE', path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), body: undefined });
        numbers = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await openAdvancedSettings();
    tab('WhatsApp numbers')?.click();
    await vi.waitFor(() => expect($('[data-testid="number"]')?.textContent).toContain('+1 555-010-0001'), soon);
    expect($('[data-testid="connect-number"]')).toBeNull();

    $<HTMLButtonElement>('[data-testid="remove-number"]')!.click();
    await rendered();
    const confirm = () => $('[data-testid="remove-number-confirm"]');
    expect(confirm()?.textContent).toContain('Remove +1 555-010-0001? Its chats and messages in Wabridge are deleted');
    // Cancel leaves it.
    [...confirm()!.querySelectorAll('button')].find((b) => b.textContent === 'Cancel')!.click();
    await rendered();
    expect(confirm()).toBeNull();
    expect(received.some((r) => r.method === 'DELETE')).toBe(false);

    $<HTMLButtonElement>('[data-testid="remove-number"]')!.click();
    await rendered();
    confirm()!.querySelector<HTMLButtonElement>('.wb-danger')!.click();
    await vi.waitFor(() => expect($('[data-testid="number"]')).toBeNull(), soon);
    expect(received.filter((r) => r.method === 'DELETE')).toEqual([
      { method: 'DELETE', path: '/api/v1/numbers/num-1', authorization: 'Bearer session-token-1', body: undefined },
    ]);
    expect($('[data-testid="numbers-panel"]')?.textContent).toContain('0 of 1 numbers your plan allows');
    expect($('[data-testid="connect-number"]')).not.toBeNull();
  });

  it('when the admin adds a webhook, then its signing secret is shown beside it under Webhooks; removing it asks first and takes it off the list', async () => {
    let endpoints: { id: string; url: string; createdAt: string; disabledAt: null }[] = [];
    server.use(
      http.get(`${API}/api/v1/webhooks`, () => HttpResponse.json({ endpoints })),
      http.post(`${API}/api/v1/webhooks`, async ({ request }) => {
        const { url } = (await request.json()) as { url: string };
        endpoints = [{ id: 'wh-1', url, createdAt: '2026-11-21T10:00:00.000Z', disabledAt: null }];
        return HttpResponse.json({ ...endpoints[0], secret: 'whsec_shown_once' }, { status: 201 });
      }),
      http.delete(`${API}/api/v1/webhooks/:id`, ({ request }) => {
        received.push({ method: 'DELETE', path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), body: undefined });
        endpoints = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await openAdvancedSettings();
    tab('Automation and API')?.click();
    await vi.waitFor(() => expect($('[data-testid="create-webhook"]')).not.toBeNull(), soon);
    const url = $<HTMLInputElement>('input[name="webhookUrl"]')!;
    url.value = 'https://crm.example.com/wabridge';
    url.dispatchEvent(new Event('input', { bubbles: true }));
    await rendered();
    $<HTMLFormElement>('[data-testid="create-webhook"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect($('[data-testid="webhook"]')?.textContent).toContain('https://crm.example.com/wabridge'), soon);
    // The secret sits with its receiver in the webhooks panel, not by the API keys.
    expect($('[data-testid="webhook"] [data-testid="new-webhook-secret"]')?.textContent).toContain('whsec_shown_once');
    expect($('[data-testid="api-keys-panel"]')?.textContent).not.toContain('whsec_shown_once');

    $<HTMLButtonElement>('[data-testid="remove-webhook"]')!.click();
    await rendered();
    expect($('[data-testid="remove-webhook-confirm"]')?.textContent).toContain('Remove https://crm.example.com/wabridge? It gets no more events');
    expect(received.some((r) => r.method === 'DELETE')).toBe(false);
    $<HTMLButtonElement>('[data-testid="remove-webhook-confirm"] .wb-danger')!.click();
    await vi.waitFor(() => expect($('[data-testid="webhook"]')).toBeNull(), soon);
    expect(received.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/v1/webhooks/wh-1']);
    expect($('[data-testid="new-webhook-secret"]')).toBeNull();
  });

  it('when the backend refuses a new automation’s template name, then the refusal names the field in the admin’s language; once valid, the automation is listed', async () => {
    let automations: unknown[] = [];
    server.use(
      http.get(`${API}/api/v1/automations`, () => HttpResponse.json({ automations })),
      http.post(`${API}/api/v1/automations`, async ({ request }) => {
        const input = (await request.json()) as { name: string; template: string };
        if (!/^[a-z0-9_]+$/.test(input.template)) {
          return HttpResponse.json(
            {
              error: {
                code: 'invalid_request',
                message: 'The request body is not valid: body.template.',
                issues: [{ path: 'body.template', message: 'must be an approved template name', problem: 'invalid_format', format: 'regex' }],
              },
            },
            { status: 400 },
          );
        }
        const created = {
          id: 'dp-1',
          name: input.name,
          numberId: null,
          template: input.template,
          language: 'en_US',
          parameters: [],
          createdAt: '2026-11-21T10:00:00.000Z',
          updatedAt: '2026-11-21T10:00:00.000Z',
        };
        automations = [created];
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    await openAdvancedSettings();
    tab('Automation and API')?.click();
    await vi.waitFor(() => expect($('[data-testid="automation-form"]')).not.toBeNull(), soon);
    const type = async (name: string, value: string) => {
      const input = $<HTMLInputElement>(`[data-testid="automation-form"] input[name="${name}"]`)!;
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await rendered();
    };
    await type('name', 'Welcome');
    await type('template', 'Welcome Message');
    $<HTMLFormElement>('[data-testid="automation-form"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(
      () => expect($('[data-testid="automations-panel"] [role="alert"]')?.textContent).toBe('WhatsApp template (its name) is not in the expected format.'),
      soon,
    );

    await type('template', 'welcome_message');
    $<HTMLFormElement>('[data-testid="automation-form"]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect($('[data-testid="automation"]')?.textContent).toContain('welcome_message'), soon);
    expect($('[data-testid="automations-panel"] [role="alert"]')).toBeNull();
    expect($<HTMLInputElement>('[data-testid="automation-form"] input[name="name"]')!.value).toBe('');
  });
});
