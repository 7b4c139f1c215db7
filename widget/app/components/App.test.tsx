import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API, context, received, server, session } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createFakeHost } from '../host/fake-host';
import { mount } from '../mount';

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
});
