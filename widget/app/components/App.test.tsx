import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, HttpResponse } from 'msw';
import { API, agent, context, licence, me, received, server, session } from '../../test/api-mock';
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
    expect(root.textContent).toContain('Connecting to Wabridge');
    fake.push({ type: 'wabridge:context', session: session(), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="wabridge-user"]')?.textContent).toBe('Signed in as Dana Admin (administrator)'));
    expect(root.querySelector('[data-testid="wabridge-account"]')?.textContent).toContain('Wabridge Demo Company (wabridge-demo)');
    expect(root.querySelector('[data-testid="wabridge-contacts"]')?.textContent).toContain('Maria Silva +55 11 91234-5678');
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
    expect(received.find((r) => r.method === 'PATCH')).toEqual({ method: 'PATCH', path: '/api/v1/users/8100002', authorization: 'Bearer tok', body: { enabled: false } });
    await vi.waitFor(() => expect(root.querySelectorAll<HTMLInputElement>('[data-testid="wabridge-users"] input')[1]!.checked).toBe(false));
  });

  it('when the licence loads, then the card shows the plan, the days left and the allowance meter', async () => {
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('card') });
    await vi.waitFor(() => expect(root.querySelector('[data-testid="licence-card"]')).not.toBeNull());
    expect(root.querySelector('[data-testid="licence-plan"]')?.textContent).toBe('Demo · free demo');
    expect(root.querySelector('[data-testid="licence-period"]')?.textContent).toContain('6 days left');
    expect(root.querySelector('[data-testid="allowance"]')?.textContent).toContain('25 of 100 messages used');
    expect(root.querySelector('[role="meter"]')?.getAttribute('aria-valuenow')).toBe('25');
  });

  it('when the account is on Kommo Base, then gated capabilities are listed as off with the reason', async () => {
    server.use(http.get(`${API}/api/v1/licence`, () => HttpResponse.json(licence('Base'))));
    const fake = start();
    fake.push({ type: 'wabridge:context', session: session(), context: context('settings') });
    await vi.waitFor(() => expect(root.querySelector('[data-capability="broadcasts"]')).not.toBeNull());
    expect(root.querySelector('[data-capability="broadcasts"]')?.textContent).toBe('Broadcasts: needs Kommo Advanced or higher; this account is on Base. Upgrade the Kommo plan to use it.');
    await vi.waitFor(() => expect(root.querySelector('[data-testid="auto-create-off"]')).not.toBeNull());
    expect(root.querySelector<HTMLInputElement>('input[name="autoCreateFromInbound"]')?.disabled).toBe(true);
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

  it('when the backend refuses a registration field, then the form marks that field with the reason', async () => {
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
    expect(form.textContent).toContain('must be in international format');
    expect(received.find((r) => r.method === 'PUT')?.body).toMatchObject({ phone: '119123', acceptTerms: true, termsVersion: '2026-11-01' });
  });
});
