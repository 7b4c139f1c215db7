import type { LiveEventData } from '../../../contract/event-stream';
import type { ApiClient } from '../api/api-client';

/**
 * One live event: a type from `GET /api/v1/events` (`message.new`, `message.status`,
 * `broadcast.updated`…) with its ids; or `opened` when the stream is open: each time it opens (at
 * first, and again after a drop) and to whoever joins it open. What happened before was not heard,
 * so a subscriber reads again what it shows.
 */
export type LiveListener = (type: string, data: LiveEventData) => void;

/**
 * The widget's one live stream (docs/decisions/011). The chat and the broadcasts subscribe; the
 * stream is open while anyone listens and is opened again a moment after it drops, for as long as
 * someone listens. Everything that follows the backend live goes through here.
 */
export function createLiveModel(deps: { api: Pick<ApiClient, 'events'>; retryMs?: number }) {
  const retryMs = deps.retryMs ?? 3000;
  const listeners = new Set<LiveListener>();
  let controller: AbortController | undefined;
  /** The stream that is open now, by its signal (an aborted one may still be winding down). */
  let opened: AbortSignal | undefined;

  const emit: LiveListener = (type, data) => {
    for (const listener of [...listeners]) listener(type, data);
  };

  async function follow(signal: AbortSignal) {
    while (!signal.aborted) {
      try {
        await deps.api.events(emit, signal, () => {
          opened = signal;
          emit('opened', {});
        });
      } catch {
        // Refused or cut off: tried again below.
      }
      if (opened === signal) opened = undefined;
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  return {
    /** Calls `listener` with each live event until the returned function is called. */
    subscribe(listener: LiveListener): () => void {
      listeners.add(listener);
      if (!controller) {
        controller = new AbortController();
        void follow(controller.signal);
      } else if (opened === controller.signal) queueMicrotask(() => listeners.has(listener) && listener('opened', {}));
      return () => {
        listeners.delete(listener);
        if (listeners.size || !controller) return;
        controller.abort();
        controller = undefined;
      };
    },
  };
}
export type LiveModel = ReturnType<typeof createLiveModel>;
