import { createApiClient } from './api/api-client';
import { createPostMessageHost, hostOriginFrom } from './host/post-message-host';
import { mount } from './mount';

const root = document.getElementById('wabridge-root');
const hostOrigin = hostOriginFrom(window.location);

if (root && hostOrigin && window.parent !== window) {
  const host = createPostMessageHost(window, hostOrigin);
  mount(root, {
    host,
    language: document.documentElement.lang,
    createApi: (getToken) =>
      createApiClient({
        baseURL: window.location.origin,
        getToken,
        onUnauthorized: () => host.send({ type: 'wabridge:refresh-session' }),
      }),
  });
} else if (root) {
  root.textContent = 'Wabridge runs inside Kommo.';
}
