import { effect, signal, untracked } from '@preact/signals';
import { render } from 'preact';
import type { ApiClient } from './api/api-client';
import { App } from './components/App';
import type { Host } from './host/host';
import { describeError, describeFields, type Describe } from './i18n/error-sentence';
import { prepareDates } from './i18n/format';
import { createChatModel } from './models/chat-model';
import { createLicenceModel } from './models/licence-model';
import { createLiveModel } from './models/live-model';
import type { ScreenModels } from './models/screen-models';
import { createSessionModel } from './models/session-model';

export interface MountDeps {
  host: Host;
  createApi: (getToken: () => string | null) => ApiClient;
  language?: string;
  /** Opens a page in a new browser tab (payment pages cannot open inside Kommo's iframe). */
  openTab?: (url: string) => void;
}

/** Renders the app into `root`; returns the function that unmounts it and stops listening. */
export function mount(root: HTMLElement, deps: MountDeps): () => void {
  const session = createSessionModel({ host: deps.host, createApi: deps.createApi, initialLanguage: deps.language });
  // Errors are said in the user's language, with the strings of the moment they happen.
  const describe: Describe = (error, labels) => describeError(error, session.t.value, labels);
  const licence = createLicenceModel({ api: session.api, describe });
  // One live stream for whatever follows the backend live (the chat, the broadcasts).
  const live = createLiveModel({ api: session.api });
  // Each message sent changes the allowance meter.
  const chat = createChatModel({ api: session.api, live, describe, onSent: () => void licence.load() });
  // The settings, advanced settings and list screens' models come with the first of those screens.
  const screens = signal<ScreenModels | null>(null);
  let screensLoading: Promise<void> | undefined;
  const stopScreens = effect(() => {
    const area = session.context.value?.area;
    if (!area || area === 'card' || screensLoading) return;
    screensLoading = import(/* webpackChunkName: "screens" */ './models/screen-models').then((m) => {
      screens.value = m.createScreenModels({
        api: session.api,
        live,
        licence,
        describe,
        describeFields: (error, labels) => describeFields(error, session.t.value, labels),
        reloadSession: () => void session.reload(),
        openTab: deps.openTab ?? ((url) => window.open(url, '_blank', 'noopener')),
      });
    });
  });
  const stop = session.start();
  // A card's chat starts loading as soon as the loader hands over the card, alongside the account
  // and user rather than after them; the chat panel then joins the same opening.
  const stopPrefetch = effect(() => {
    const context = session.context.value;
    if (context?.area !== 'card') return;
    untracked(() => void chat.open(context.contacts, session.takeCardChat()));
  });
  // A language's first date formatter costs tens of milliseconds the chat's first render would
  // spend (the page's language is Kommo's, as the context's will be).
  prepareDates(deps.language || 'en');
  render(<App session={session} licence={licence} chat={chat} screens={screens} />, root);

  // Tell the loader our height so the iframe fits its content.
  let observer: ResizeObserver | undefined;
  if (typeof ResizeObserver !== 'undefined') {
    observer = new ResizeObserver(() => deps.host.send({ type: 'wabridge:resize', height: Math.ceil(root.getBoundingClientRect().height) + 8 }));
    observer.observe(root);
  }
  return () => {
    observer?.disconnect();
    stopPrefetch();
    stopScreens();
    stop();
    render(null, root);
  };
}
