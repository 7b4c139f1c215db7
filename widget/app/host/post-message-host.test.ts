import { describe, expect, it, vi } from 'vitest';
import { createPostMessageHost, hostOriginFrom } from './post-message-host';

describe('the postMessage host', () => {
  const valid = { type: 'wabridge:session-error', error: { code: 'x', message: 'y' } };

  function deliver(data: unknown, origin: string, source: unknown = window.parent) {
    window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }));
  }

  it('when a message comes from the Kommo page’s exact origin, then the app gets it; from any other origin, never', () => {
    const host = createPostMessageHost(window, 'https://acme.kommo.com');
    const listener = vi.fn();
    const stop = host.listen(listener);
    deliver(valid, 'https://evil.example');
    deliver(valid, 'https://acme.kommo.com.evil.example');
    deliver(valid, 'http://acme.kommo.com');
    expect(listener).not.toHaveBeenCalled();
    deliver(valid, 'https://acme.kommo.com');
    expect(listener).toHaveBeenCalledWith(valid);
    stop();
  });

  it('when a message has the right origin but is not a known message, then it is ignored', () => {
    const host = createPostMessageHost(window, 'https://acme.kommo.com');
    const listener = vi.fn();
    const stop = host.listen(listener);
    deliver({ type: 'wabridge:context', session: 'nope' }, 'https://acme.kommo.com');
    deliver('hello', 'https://acme.kommo.com');
    expect(listener).not.toHaveBeenCalled();
    stop();
  });

  it('when the app sends, then it posts to the Kommo origin only', () => {
    const post = vi.spyOn(window.parent, 'postMessage').mockImplementation(() => undefined);
    createPostMessageHost(window, 'https://acme.kommo.com').send({ type: 'wabridge:ready' });
    expect(post).toHaveBeenCalledWith({ type: 'wabridge:ready' }, 'https://acme.kommo.com');
    post.mockRestore();
  });

  it('when the fragment names the host origin, then it is read; anything that is not a bare origin is refused', () => {
    const origin = 'https://wabridge.example.com';
    expect(hostOriginFrom({ origin, hash: '#host=https%3A%2F%2Facme.kommo.com&area=card' })).toBe('https://acme.kommo.com');
    expect(hostOriginFrom({ origin, hash: '#host=https%3A%2F%2Facme.kommo.com%2Fpath' })).toBeNull();
    expect(hostOriginFrom({ origin, hash: '#host=javascript:alert(1)' })).toBeNull();
    expect(hostOriginFrom({ origin, hash: '' })).toBeNull();
  });

  it('when the fragment names an origin that is neither Kommo’s nor ours, then it is refused', () => {
    const origin = 'https://wabridge.example.com';
    const host = (value: string) => hostOriginFrom({ origin, hash: `#host=${encodeURIComponent(value)}&area=card` });
    expect(host('https://acme.amocrm.ru')).toBe('https://acme.amocrm.ru');
    expect(host('https://acme.amocrm.com')).toBe('https://acme.amocrm.com');
    // The demo plays Kommo on our own origin.
    expect(host(origin)).toBe(origin);
    expect(host('https://attacker.example')).toBeNull();
    expect(host('https://kommo.com.attacker.example')).toBeNull();
    expect(host('https://acme.kommo.com.attacker.example')).toBeNull();
    expect(host('http://acme.kommo.com')).toBeNull();
  });
});
