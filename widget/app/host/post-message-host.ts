import { HostMessage } from '../../../contract/host-messages';
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
        const parsed = HostMessage.safeParse(event.data);
        if (parsed.success) listener(parsed.data);
      };
      win.addEventListener('message', onMessage);
      return () => win.removeEventListener('message', onMessage);
    },
    send(message) {
      win.parent.postMessage(message, hostOrigin);
    },
  };
}

/** The loader puts the Kommo page's origin in the fragment: `#host=<origin>&area=<area>`. */
export function hostOriginFrom(location: Pick<Location, 'hash'>): string | null {
  const value = new URLSearchParams(location.hash.replace(/^#/, '')).get('host');
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.origin === value ? value : null;
  } catch {
    return null;
  }
}
