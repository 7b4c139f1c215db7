import { computed, signal } from '@preact/signals';
import type { KommoChannelView } from '../../../contract/kommo-channel';
import type { ApiClient } from '../api/api-client';
import type { Describe } from '../i18n/error-sentence';
import { createListModel } from './list-model';

/**
 * The account's native Kommo chat channel (SPEC §5, decisions 026 and 034): whether this Wabridge
 * installation has one, whether the admin switched it on, and where the connection is. Switching
 * only says what is due; the backend connects (or disconnects) in the background, so while it is
 * under way `watch` asks again until it is done.
 */
export function createKommoChannelModel(deps: { api: ApiClient; describe: Describe; pollMs?: number }) {
  const view = signal<KommoChannelView | null>(null);
  const { error, busy, load, act } = createListModel({
    describe: deps.describe,
    async fetch() {
      view.value = await deps.api.kommoChannel();
    },
  });
  /** Connecting or disconnecting: the backend has not finished what the switch asked for. */
  const pending = computed(() => view.value?.state === 'connect' || view.value?.state === 'disconnect');

  return {
    view,
    pending,
    error,
    busy,
    load,
    /**
     * Turns the channel on or off. The switch moves at once (the checkbox is not reset under the
     * admin's hand while the backend answers); the answer is the new state, and a refusal puts the
     * switch back and is said in `error`.
     */
    async setEnabled(enabled: boolean): Promise<boolean> {
      const before = view.value;
      if (before) view.value = { ...before, enabled };
      const done = await act(
        async () => {
          view.value = await deps.api.setKommoChannel(enabled);
        },
        { reload: false },
      );
      if (!done) view.value = before;
      return done;
    },
    /** Asks again while the connection is under way; returns the stop. */
    watch(): () => void {
      const timer = setInterval(() => {
        if (pending.value) void load();
      }, deps.pollMs ?? 2000);
      return () => clearInterval(timer);
    },
  };
}
export type KommoChannelModel = ReturnType<typeof createKommoChannelModel>;
