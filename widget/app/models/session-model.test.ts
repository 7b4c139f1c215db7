import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API, context, me, received, server, session } from '../../test/api-mock';
import { createApiClient } from '../api/api-client';
import { createFakeHost } from '../host/fake-host';
import { createSessionModel } from './session-model';

describe('the session model', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  beforeEach(() => {
    received.length = 0;
  });

  function setup() {
    const fake = createFakeHost();
    const model = createSessionModel({
      host: fake.host,
      createApi: (getToken) => createApiClient({ baseURL: API, getToken, onUnauthorized: () => fake.host.send({ type: 'wabridge:refresh-session' }) }),
    });
    const stop = model.start();
    return { fake, model, stop };
  }

  it('when it starts, then it tells the loader it is ready and waits', () => {
    const { fake, model } = setup();
    expect(fake.sent).toEqual([{ type: 'wabridge:ready' }]);
    expect(model.status.value).toBe('connecting');
  });

  it('when the loader hands over the session and context, then it loads the account and user with that token', async () => {
    const { fake, model } = setup();
    fake.push({ type: 'wabridge:context', session: session('tok-A'), context: context() });
    await vi.waitFor(() => expect(model.status.value).toBe('ready'));
    expect(model.me.value).toEqual(me);
    expect(model.isAdmin.value).toBe(true);
    expect(received).toEqual([{ method: 'GET', path: '/api/v1/me', authorization: 'Bearer tok-A', body: undefined }]);
  });

  it('when the backend says the session expired, then it asks the loader for a fresh one and recovers with it', async () => {
    server.use(
      http.get(`${API}/api/v1/me`, () => HttpResponse.json({ error: { code: 'invalid_session', message: 'expired' } }, { status: 401 }), { once: true }),
    );
    const { fake, model } = setup();
    fake.push({ type: 'wabridge:context', session: session('old'), context: context() });
    await vi.waitFor(() => expect(model.status.value).toBe('error'));
    expect(model.error.value?.code).toBe('invalid_session');
    expect(fake.sent).toContainEqual({ type: 'wabridge:refresh-session' });

    fake.push({ type: 'wabridge:session', session: session('new') });
    await vi.waitFor(() => expect(model.status.value).toBe('ready'));
    expect(received.at(-1)?.authorization).toBe('Bearer new');
  });

  it('when the loader could not open a session, then the model shows the backend’s reason', () => {
    const { fake, model } = setup();
    fake.push({ type: 'wabridge:session-error', error: { code: 'account_not_installed', message: 'not installed' } });
    expect(model.status.value).toBe('error');
    expect(model.error.value).toEqual({ code: 'account_not_installed', message: 'not installed' });
  });

  it('when the backend answers in an unexpected shape, then the model reports an error instead of showing garbage', async () => {
    server.use(http.get(`${API}/api/v1/me`, () => HttpResponse.json({ account: 1 })));
    const { fake, model } = setup();
    fake.push({ type: 'wabridge:context', session: session(), context: context() });
    await vi.waitFor(() => expect(model.status.value).toBe('error'));
    expect(model.me.value).toBeNull();
  });
});
