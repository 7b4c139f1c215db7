import type { AppMessage, HostMessage } from '../../../contract/host-messages';
import { HostMessageShape } from '../api/contract-shapes';
import type { Host } from './host';

/** A host for tests: `push` plays the loader, `sent` records what the app said. */
export function createFakeHost() {
  const listeners = new Set<(message: HostMessage) => void>();
  const sent: AppMessage[] = [];
  const host: Host = {
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send(message) {
      sent.push(message);
    },
  };
  return {
    host,
    sent,
    push(message: HostMessage) {
      const parsed = HostMessageShape(message);
      listeners.forEach((l) => l(parsed));
    },
  };
}
