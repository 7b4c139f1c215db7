import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A screen whose code is its own chunk, fetched the first time it is shown: the card (the chat)
 * does not carry the admin and broadcast screens. Renders nothing until the chunk is in.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  return function LazyScreen(props: P) {
    const [, setShown] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      loading ??= load();
      loading.then(
        (screen) => {
          loaded = screen;
          if (live) setShown(true);
        },
        // A chunk that did not come (the network, a new deploy) is asked for again the next time.
        () => (loading = undefined),
      );
      return () => {
        live = false;
      };
    }, []);
    const Screen = loaded;
    return Screen ? <Screen {...props} /> : null;
  };
}
