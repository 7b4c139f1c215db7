import { HostMessageShape } from '../api/contract-shapes';
import { tryCheck } from '../api/shape';
import type { Host } from './host';

/**
 * The Kommo implementation: the loader is our parent window on a Kommo origin. Messages are sent to
 * that exact origin only, and accepted only from it and from the parent window itself.
 */
export function createPostMessageHost(win: Window, hostOrigin: string): Host {
  return {
    listen(listener) {
      const onMessage = (event: MessageEvent) => {
        if (event.origin !== hostOrigin || event.source !== win.parent) return;
        // Other scripts on Kommo's page may post too: only a message of the contract's shape is heard.
        const message = tryCheck(HostMessageShape, event.data);
        if (message) listener(message);
      };
      win.addEventListener('message', onMessage);
      return () => win.removeEventListener('message', onMessage);
    },
    send(message) {
      win.parent.postMessage(message, hostOrigin);
    },
  };
}

/** Kommo's own hosts (an account lives at `https://<subdomain>.kommo.com`, or amoCRM's domains). */
const KOMMO_HOST = /^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.(kommo\.com|amocrm\.ru|amocrm\.com)$/;

/**
 * The loader puts the Kommo page's origin in the fragment: `#host=<origin>&area=<area>`. Only a
 * Kommo origin is believed (or our own, where the demo plays Kommo): the app posts the session to
 * this origin, so a page elsewhere that framed us could otherwise name itself.
 */
export function hostOriginFrom(location: Pick<Location, 'hash' | 'origin'>): string | null {
  const value = new URLSearchParams(location.hash.replace(/^#/, '')).get('host');
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.origin !== value) return null;
    return KOMMO_HOST.test(value) || value === location.origin ? value : null;
  } catch {
    return null;
  }
}
